/**
 * The AMD IOMMU model's state, plain data. Hardware: per IOMMU its command buffer and
 * event log rings (the words as the hardware reads and writes them), its IOTLB, and the
 * device table all IOMMUs share (amd_iommu_dev_table). Driver (drivers/iommu/amd_iommu.c):
 * protection domains with their I/O page tables, dev_iommu[] refcounts and IOVA domains,
 * the per-device iommu_dev_data, the domain-ID bitmap, amd_iommu_unmap_flush.
 */
import type { Ratelimit } from '../../core/ratelimit.ts';
import type { Machine } from '../../machine.ts';
import type { KernelRelease } from '../../kernel.ts';
import type { IovaDomain } from '../iova.ts';
import { modelKey } from '../../core/keys.ts';


export interface AmdIotlbEntry {
  valid: boolean;
  domid: number;
  /** First IOVA the entry covers (aligned to `size`), the PA it maps to, bytes covered. */
  iova: number;
  pa: number;
  size: number;
  ir: boolean;
  iw: boolean;
  /** The walk the entry was filled from: [pa, lo, hi] per level, root first, leaf last. */
  path: number[];
  /** Seq of the last amd-pte record for the leaf word at fill time (-1: none). */
  pteSeq: number;
  /** pte generation at which the entry last matched the table (-1: never). */
  gen: number;
  lru: number;
  staleReported: boolean;
  /** Seq of the dma record whose walk filled it. */
  filledBy: number;
}

export interface AmdIotlb {
  entries: AmdIotlbEntry[];
  clock: number;
  hits: number;
  misses: number;
  fills: number;
  evictions: number;
  invalidated: number;
}

export interface AmdIommu {
  index: number;
  /** "iommu0": the scenario's name (the kernel's sysfs name is ivhdN). */
  name: string;
  /** The IOMMU's own PCI function (IVHD device id). */
  devid: number;
  /** Command buffer in DRAM (8 KiB, 512 entries x 16 bytes); head/tail are byte offsets (MMIO 0x2000/0x2008). */
  cmdBase: number;
  cmdHead: number;
  cmdTail: number;
  /** iommu->need_sync: a command was queued since the last COMPLETION_WAIT. */
  needSync: boolean;
  /** PA of iommu->cmd_sem, the u64 COMPLETION_WAIT stores 1 into. */
  semPa: number;
  cmds: number;
  waits: number;
  /** Event log in DRAM (8 KiB, 512 entries); head/tail byte offsets (MMIO 0x2010/0x2018). */
  evtBase: number;
  evtHead: number;
  evtTail: number;
  /** The event-log interrupt is raised and the driver's thread not yet run. */
  evtIrq: boolean;
  /** Events the hardware could not log (log full). */
  evtDropped: number;
  events: number;
  iotlb: AmdIotlb;
  reads: number;
  writes: number;
  walks: number;
  faults: number;
}

export type AmdDomainType = 'dma' | 'unmanaged';

/** struct protection_domain (+ dma_ops_domain's iovad). */
export interface AmdDomain {
  id: number;
  name: string;
  type: AmdDomainType;
  /** PAGE_MODE_* (levels of the I/O page table); PA of pt_root. */
  mode: number;
  root: number;
  updated: boolean;
  /** dev_iommu[i]: devices of this domain behind IOMMU i; dev_cnt their sum. */
  devIommu: number[];
  devCnt: number;
  /** dev_list (list_add puts the newest first): indices into AmdState.devs. */
  devList: number[];
  iovad: IovaDomain | null;
  /** Page-table pages allocated (and not freed) for this domain. */
  ptPages: number;
  freed: boolean;
  /** A whole-domain flush was queued since the last domain_flush_complete. */
  flushAll: boolean;
  /** Per IOMMU: seq of the detach record that dropped dev_iommu[i] to 0 before any flush (-1: none). */
  skippedSince: number[];
}

/** struct iommu_dev_data plus where the scenario put the device. */
export interface AmdDevData {
  /** Device name and its index in the devices model. */
  name: string;
  devIndex: number;
  devid: number;
  alias: number;
  /** pci_name(): "0000:01:00.0"; the PCI segment (the event-log lookup only searches 0). */
  bdf: string;
  segment: number;
  iommu: number;
  /** dev_driver_string(): what dev_err prints before the PCI name. */
  driver: string;
  ats: boolean;
  qdep: number;
  /** An IOMMUv2 (SVA) device: its DMA goes through PASIDs and its ATC, not the DMA ops. */
  v2: boolean;
  /** dev_data->domain: the attached protection domain's index in `domains`, -1 none. */
  domain: number;
  /** The group's default (DMA) domain. */
  defaultDomain: number;
  /** dev_data->rs: the per-device fault-report ratelimit. */
  rs: Ratelimit;
}

/** A mapping the DMA API handed a driver as a success, for the dma-mismatch checker. */
export interface AmdLiveMapping {
  dma: number;
  size: number;
  pa: number;
  /** Seq of the map record. */
  seq: number;
  api: string;
}

export interface AmdState {
  release: KernelRelease;
  /** amd_iommu_unmap_flush (`amd_iommu=fullflush`): strict unmap. */
  fullflush: boolean;
  /** amd_iommu_np_cache: the IOMMU caches non-present entries (v5.4 flushes on map). */
  npCache: boolean;
  irqLatencyNs: number;
  iommus: AmdIommu[];
  /** amd_iommu_dev_table: devid -> [data0 lo, data0 hi, data1 lo, data1 hi]; absent = V|TV. */
  devTable: Record<number, number[]>;
  domains: AmdDomain[];
  /** amd_iommu_pd_alloc_bitmap as the sorted list of IDs in use (bit 0 reserved at init). */
  usedIds: number[];
  devs: AmdDevData[];
  /** Global reserved_iova_ranges (MSI, HT, PCI MEM BARs), copied into every dma-ops domain. */
  reserved: IovaDomain;
  /** printk_ratelimit_state. */
  printkRs: Ratelimit;
  /** iommu_map_page calls so far, and those the scenario makes fail with -ENOMEM. */
  mapPageCalls: number;
  mapPageEnomem: number[];
  /** "domid:pfn" -> virtual time queue_iova took it (the lazy window's start). */
  fqQueuedAt: Record<string, number>;
  /** Per device (AmdDevData index): mappings the DMA API returned as successful. */
  live: AmdLiveMapping[][];
  /** Ops of the scenario's `amd.ops` timeline run so far. */
  opsDone: number;
  /** dma-mismatch findings so far. */
  checks: number;
  plan: AmdPlan;
}

/** One kernel-side operation of the scenario's `amd.ops`, addresses resolved. */
export type AmdOp =
  | { op: 'domain-alloc'; at: number; domain: string; type: AmdDomainType }
  | { op: 'domain-free'; at: number; domain: string }
  | { op: 'attach'; at: number; dev: string; domain: string }
  | { op: 'detach'; at: number; dev: string }
  | { op: 'iommu-map'; at: number; domain: string; iova: number; pa: number; size: number; prot: number }
  | { op: 'iommu-unmap'; at: number; domain: string; iova: number; size: number }
  | { op: 'dev-read'; at: number; dev: string; iova: number; len: number }
  | { op: 'dev-write'; at: number; dev: string; iova: number; len: number; pattern: number }
  | { op: 'cpu-fill'; at: number; buf: string; pa: number; len: number; pattern: number };

/** The scenario's kernel-side ops, and the groups whose default domains the probe allocates. */
export interface AmdPlan {
  ops: AmdOp[];
  groups: { group: string; devs: number[] }[];
}

export const AMD_MODEL = modelKey<AmdState>('amd');

export function amdState(m: Machine): AmdState {
  return m.model(AMD_MODEL);
}

export function amdDevOf(s: AmdState, name: string): AmdDevData | undefined {
  for (const d of s.devs) if (d.name === name) return d;
  return undefined;
}

