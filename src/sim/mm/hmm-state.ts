/**
 * HMM's state as plain data (mm/hmm.c, include/linux/hmm.h, v5.0.1 and v5.4.1): the per-mm
 * struct hmm (its mirrors, the ranges being snapshotted, the count of invalidations in
 * flight, and whether its mmu notifier is on the mm), the mirrors drivers registered with
 * their device page tables, and the ranges with their pfn arrays in the driver's encoding.
 */
import { modelKey } from '../core/keys.ts';

/**
 * A driver's pfn encoding: hmm_range.flags[HMM_PFN_VALID, _WRITE, _DEVICE_PRIVATE],
 * .values[HMM_PFN_ERROR, _NONE, _SPECIAL] and .pfn_shift, as u64 words. `p2p` is the value
 * the RFC's HMM_PFN_P2P adds to hmm_pfn_value_e (the importer driver picks it).
 */
export interface HmmPfnEncoding {
  readonly name: string;
  readonly valid: bigint;
  readonly write: bigint;
  readonly devicePrivate: bigint;
  readonly error: bigint;
  readonly none: bigint;
  readonly special: bigint;
  readonly p2p: bigint;
  readonly pfnShift: number;
}

const U64 = (n: bigint): bigint => BigInt.asUintN(64, n);

/** nouveau_svm.c (v5.4.1): NVIF_VMM_PFNMAP_V0_V / _W / _VRAM, ERROR = SPECIAL = ~V, NONE = 0, shift 12. */
export const NOUVEAU_PFN: HmmPfnEncoding = {
  name: 'nouveau', valid: 0x1n, write: 0x2n, devicePrivate: 0x10n, error: U64(~0x1n), none: 0x0n, special: U64(~0x1n), p2p: U64(~0x3n), pfnShift: 12,
};

/** amdgpu_mn.c (v5.4.1) hmm_range_flags / hmm_range_values, pfn_shift = PAGE_SHIFT. */
export const AMDGPU_PFN: HmmPfnEncoding = {
  name: 'amdgpu', valid: 1n << 0n, write: 1n << 1n, devicePrivate: 0n, error: 0xffff_ffff_ffff_fffen, none: 0n, special: 0xffff_ffff_ffff_fffcn, p2p: 0xffff_ffff_ffff_fffan, pfnShift: 12,
};

export const HMM_PFN_ENCODINGS = { nouveau: NOUVEAU_PFN, amdgpu: AMDGPU_PFN } as const;
export type HmmPfnEncodingName = keyof typeof HMM_PFN_ENCODINGS;

/** A device page-table entry: a CPU page (HMM pfn) or, through the RFC's p2p_map, a bus address. */
export interface DevPte {
  /** CPU physical page for a pfn entry; the dma (bus) address page for a p2p one. */
  page: number;
  write: boolean;
  p2p: boolean;
  /** seq of the dev-pte record that filled it (the checker cites it). */
  filledBy: number;
  /** The checker reported it already (once per fill). */
  reported: boolean;
}

export interface HmmMirror {
  id: number;
  /** The device (devices.list index) whose driver embeds it, and its name. */
  dev: number;
  name: string;
  mm: number;
  /** mirror->hmm: index in HmmModel.hmms, -1 when NULL. */
  hmm: number;
  /** On hmm->mirrors. */
  registered: boolean;
  /** hmm_mirror_register never returned (v5.0 `goto again` on hmm->mm == NULL). */
  stuck: boolean;
  encoding: HmmPfnEncodingName;
  /** The device page table: virtual page -> entry. */
  devpt: Map<number, DevPte>;
  /** sync_cpu_device_pagetables calls so far. */
  syncs: number;
}

export interface HmmRange {
  id: number;
  mirror: number;
  start: number;
  end: number;
  /** One u64 per page, in the mirror's encoding; the request flags go in, the snapshot comes out. */
  pfns: bigint[];
  /** v5.4 default_flags / pfn_flags_mask (v5.0: 0 / all ones). */
  defaultFlags: bigint;
  pfnFlagsMask: bigint;
  valid: boolean;
  /** On hmm->ranges (v5.0: between get_pfns/fault and range_done; v5.4: register..unregister). */
  tracked: boolean;
  /** Overlapping invalidations seen ("interval-seq"), and the count when the snapshot was taken. */
  seq: number;
  seqAtSnapshot: number;
  /** RFC: the importer's dma addresses per page (pas[]), -1 where none. */
  pas: number[];
}

/** struct hmm of one mm. */
export interface HmmMm {
  mm: number;
  /** hmm->mirrors, head first (list_add inserts at the head). */
  mirrors: number[];
  /** hmm->ranges. */
  ranges: number[];
  /** Invalidations between start and end (v5.4 hmm->notifiers; kept on v5.0 for the what-if). */
  notifiers: number;
  /** v5.0 hmm->mm is NULL (hmm_mirror_unregister cleared it). */
  mmCleared: boolean;
  /** Its mmu notifier is on the mm's list. */
  subscribed: boolean;
  /** v5.4 mmu_notifier users (mmu_notifier_get_locked / _put). */
  users: number;
  /** mm->hmm still points here (v5.0) / the notifier is live (v5.4); false once freed. */
  live: boolean;
}

export interface HmmModel {
  hmms: HmmMm[];
  mirrors: HmmMirror[];
  ranges: HmmRange[];
  /** mm id -> the mirror whose hmm_mirror_register never returned with mmap_sem held for write. */
  mmapSemHeld: Record<number, string>;
}

export const HMM_MODEL = modelKey<HmmModel>('hmm');

/** The name of HMM's mmu notifier on an mm's list. */
export const HMM_SUBSCRIBER = 'hmm';
