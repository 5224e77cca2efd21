/**
 * VT-d model state, plain data. Hardware side, per DMAR unit: its register file (u32 words,
 * CAP/ECAP included), the IOTLB, the fault-recording index and the IRQ line. Driver side
 * (struct intel_iommu, dmar_domain, device_domain_info): the domain-id bitmap, root table,
 * invalidation queue, the DMA domains with their page tables and IOVA spaces, each device's
 * bus/devfn and PASID table, the intel_iommu= switches in force.
 */
import type { Ratelimit } from '../../core/ratelimit.ts';
import type { Machine } from '../../machine.ts';
import type { KernelRelease } from '../../kernel.ts';
import type { VtdPgtable } from '../../pgtable/vtd/types.ts';
import type { VtdFreeTable } from '../../pgtable/vtd/unmap.ts';
import type { IovaDomain } from '../iova.ts';
import type { VtdIotlb } from './iotlb.ts';
import { modelKey } from '../../core/keys.ts';

/** struct q_inval: the queue pages, the status words the wait descriptors write, the free ring. */
export interface VtdQi {
  descPa: number;
  /** log2 of a descriptor's size: 4 (128-bit) or 5 (256-bit, ECAP.SMTS). */
  shift: number;
  /** desc_status[]: QI_LENGTH ints in memory (a wait descriptor's status write lands here). */
  statusPa: number;
  freeHead: number;
  freeTail: number;
  freeCnt: number;
  submits: number;
}

/** __ratelimit state of dmar_fault's DEFINE_RATELIMIT_STATE (5 s, burst 10). */
/**
 * A context-cache entry (and, in scalable mode, the PASID-cache entry behind it) for one
 * requester id: what the hardware resolved from the root, context and PASID entries.
 */
export interface VtdCtxCacheEntry {
  did: number;
  /** PASID tag of requests without PASID: RID_PASID in scalable mode, -1 in legacy mode. */
  pasid: number;
  /** Second-level table root and its levels; pass-through translates nothing. */
  root: number;
  levels: number;
  /** Input addresses must stay below 2^width: min(MGAW, the entry's address width). */
  width: number;
  /** 2^width. */
  limit: number;
  pass: boolean;
  /** Fault processing disabled: faults are not recorded. */
  fpd: boolean;
}

/** A PASID-cache entry of a request with PASID: the PASID entry's fields the walk uses. */
export interface VtdPasidCacheEntry {
  rid: number;
  pasid: number;
  did: number;
  pgtt: number;
  /** Second-level root and levels (AW + 2); the first-level root (a GPA when nested). */
  slptr: number;
  levels: number;
  flptr: number;
}

export interface VtdUnitState {
  id: number;
  name: string;
  /** DRHD register base (reg_base_addr). */
  base: number;
  cap: bigint;
  ecap: bigint;
  /** The register file: u32 words by offset / 4 (CAP, ECAP, fault and IOTLB registers included). */
  regs: number[];
  /** Hardware: the root table pointer latched by GCMD.SRTP, and its SMT bit. */
  rootLatched: number;
  smtLatched: boolean;
  /** Hardware: the fault record the next fault goes to. */
  frNext: number;
  iotlb: VtdIotlb;
  /** Context and PASID caches, by requester id (bus << 8 | devfn). */
  ctxCache: Map<number, VtdCtxCacheEntry>;
  /**
   * PASID-cache entries for requests with PASID (nested.ts), by rid * 2^20 + pasid: what the
   * unit resolved from the context and PASID entries. PASID-cache and context-cache
   * invalidations drop them.
   */
  pasidCache: Map<number, VtdPasidCacheEntry>;
  irqPending: boolean;
  /** Driver: iommu->agaw and msagaw, sm_supported(iommu), the root table page. */
  agaw: number;
  msagaw: number;
  sm: boolean;
  rootPa: number;
  /** iommu->domain_ids: the ids in use, ascending (0 always; 1 in scalable mode). */
  dids: number[];
  /** iommu->domains: domain id -> domain index. */
  didDomain: Record<number, number>;
  qi: VtdQi | null;
  ratelimit: Ratelimit;
  /** Counters for views. */
  reads: number;
  writes: number;
  walks: number;
  faults: number;
  reported: number;
  /** Device whose access produced each pending fault record (the hardware knows the SID only). */
  faultDev: string[];
}

export interface VtdDomainState {
  id: number;
  name: string;
  unit: number;
  /** domain->iommu_did[unit]; 0 until attached. */
  did: number;
  pt: VtdPgtable;
  iovad: IovaDomain;
  /** domain->max_addr (the IOMMU API path; the DMA API leaves it 0). */
  maxAddr: number;
  snooping: boolean;
  devs: string[];
  alive: boolean;
  /** The flush-queue timer is armed (a VTD_FQ_TIMEOUT event is pending). */
  fqTimer: boolean;
}

/** struct device_domain_info plus what the scenario says about the function. */
export interface VtdDevInfo {
  dev: string;
  /** Bus and devfn the kernel knows the function by, and the requester id its DMA carries. */
  bus: number;
  devfn: number;
  rid: number;
  unit: number;
  /** -1: no domain (v5.0 before the first map, or after removal). */
  domain: number;
  /** Scalable mode: the PASID directory (intel_pasid_alloc_table). */
  pasidTable: { dirPa: number; order: number; maxPasid: number; leaves: number[] } | null;
  /** dev_driver_string() for dev_err lines. */
  driver: string;
  removed: boolean;
}

export interface VtdState {
  release: KernelRelease;
  /** intel_iommu= switches in force (intel_iommu_setup). */
  cmdline: string;
  sm: boolean;
  strict: boolean;
  forcedac: boolean;
  superpage: boolean;
  /** hw_pass_through: every unit has ECAP.PT. */
  hwPassThrough: boolean;
  units: VtdUnitState[];
  domains: VtdDomainState[];
  devs: Record<string, VtdDevInfo>;
  /** reserved_iova_list: [pfn_lo, pfn_hi] ranges (the IOAPIC window and every PCI MMIO BAR). */
  reserved: [number, number][];
  /** Page-table freelists waiting in a flush queue, by the cookie the queue entry holds. */
  freelists: Record<number, { domain: number; tables: VtdFreeTable[] }>;
  nextFreelist: number;
  irqLatencyNs: number;
  /** intel_pasid_max_id. */
  pasidMaxId: number;
  /** What the boot event prints and attaches: the DMAR table's width, each unit's INCLUDE_PCI_ALL, devices in scenario order. */
  boot: { haw: number; includeAll: boolean[]; order: string[] };
}

export const VTD_MODEL = modelKey<VtdState>('vtd');
export const VTD_DRIVER = 'intel-iommu';

export function vtdState(m: Machine): VtdState {
  return m.model(VTD_MODEL);
}

export function vtdDevInfo(m: Machine, dev: string): VtdDevInfo | undefined {
  return vtdState(m).devs[dev];
}
