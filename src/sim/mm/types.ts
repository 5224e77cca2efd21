/**
 * Plain-data state of the mm model: processes (mm_struct), their VMAs, a CPU page table
 * per mm (virtual page number -> PTE), the struct-page metadata of the pages they map,
 * swap slots, the page cache, and the mmu notifier subscribers of each mm.
 */
import type { Prng } from '../core/prng.ts';
import type { MmPlanOp } from './plan.ts';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
/** x86-64 4-level: one PMD covers 2 MiB, one PUD 1 GiB (change_pmd_range works per PUD). */
export const PMD_SIZE = 2 ** 21;
export const PUD_SIZE = 2 ** 30;
/** ULONG_MAX stands for the end of exit_mmap's unmap_vmas(0, -1). */
export const ULONG_MAX = 2 ** 64 - 1;

/** 'driver': a device file whose mmap inserted pages (VM_MIXEDMAP) and that has no ->fault. */
export type VmaKind = 'anon' | 'file' | 'device' | 'driver';

export interface Vma {
  start: number;
  end: number; // exclusive
  read: boolean;
  write: boolean;
  shared: boolean; // MAP_SHARED (else private: COW)
  kind: VmaKind;
  file: string; // '' for anon
  /** vm_pgoff: file page offset, or for a device mapping the first physical pfn. */
  pgoff: number;
  /** Has an anon_vma (a private page was ever faulted in): fork copies its PTEs. */
  anonVma: boolean;
  /**
   * A device file a driver mapped itself (mm/devmap.ts): VM_IO|VM_PFNMAP (remap_pfn_range,
   * the RFC's p2p VMA) or VM_MIXEDMAP (vm_insert_page of ZONE_DEVICE pages), and the
   * exporting device (devices.list index). Absent: a scenario VMA ('device' = a PFN map).
   */
  devmap?: { pfnmap: boolean; exporter: number; rfc: boolean };
}

export interface Pte {
  pfn: number;
  present: boolean;
  write: boolean;
  young: boolean;
  dirty: boolean;
  /** Swap slot of a swapped-out anonymous page (non-present PTE), else -1. */
  swap: number;
  /** VM_PFNMAP: no struct page behind it (device-file mapping). */
  special: boolean;
}

export type NotifierOp =
  | 'release'
  | 'invalidate_range_start'
  | 'invalidate_range'
  | 'invalidate_range_end'
  | 'clear_flush_young'
  | 'clear_young'
  | 'test_young'
  | 'change_pte';

export const NOTIFIER_OPS: readonly NotifierOp[] = [
  'release', 'invalidate_range_start', 'invalidate_range', 'invalidate_range_end',
  'clear_flush_young', 'clear_young', 'test_young', 'change_pte',
];

export type SubscriberKind = 'amd-v2' | 'intel-svm' | 'passive' | 'hmm';

/** One struct mmu_notifier on an mm's list; `ops` are the non-NULL members of its ops. */
export interface Subscriber {
  name: string;
  kind: SubscriberKind;
  ops: NotifierOp[];
  /** Index of the bound device in devices.list (-1 for a passive subscriber). */
  dev: number;
  pasid: number;
  /** Test-only: the subscriber's invalidate_range does not flush. */
  omitInvalidateRange: boolean;
  /** Passive subscribers only: invalidate_range_start fails (-EAGAIN) when !blockable. */
  failNonblock: boolean;
  /** Notifier calls delivered so far (for the notifiers panel). */
  calls?: number;
}

export interface MmStruct {
  id: number;
  name: string;
  vmas: Vma[]; // sorted by start
  ptes: Map<number, Pte>; // vpn -> pte
  /** seq of the cpu-pte record that last changed each translation (for the checker). */
  changedBy: Map<number, number>;
  /** The hlist: index 0 is called first (registration inserts at the head). */
  subscribers: Subscriber[];
  exited: boolean;
}

export interface PageMeta {
  mapcount: number;
  anon: boolean;
  ksm: boolean;
  /** "file:pgoff" when the page is in the page cache. */
  cache: string;
}

export interface MmModel {
  mms: MmStruct[];
  pages: Map<number, PageMeta>; // pfn -> meta
  /** Swap slots of swapped-out anonymous pages; refs = PTEs holding the entry. */
  swap: Map<number, { data: Uint8Array; refs: number }>;
  swapNext: number;
  pagecache: Map<string, number>; // "file:pgoff" -> pfn
  /** ZERO_PAGE(0), allocated on first use; -1 until then. */
  zeroPfn: number;
  /** The scenario's scheduled operations; `mm.op` events carry an index into it. */
  plan: MmPlanOp[];
  prng: Prng;
}
