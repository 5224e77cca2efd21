/**
 * The types of the ARM v7s short-descriptor io-pgtable (drivers/iommu/io-pgtable-arm-v7s.c).
 * All state is plain data: a page table is `ArmV7sPgtable`, kept by its owner (the M4U
 * driver model, the selftest device) inside its own `m.state.models[...]` entry, so
 * a snapshot serialises it with the machine. The tables themselves live in simulated
 * physical memory.
 */
import type { Machine } from '../../machine.ts';
import type { KernelRelease } from '../../kernel.ts';

export type Lvl = 1 | 2;

/** Errors as the kernel returns them (negated errno), never thrown. */
export const ENOMEM = 12;
export const EEXIST = 17;
export const EINVAL = 22;
export const ERANGE = 34;

/**
 * IO_PGTABLE_QUIRK_* as booleans, so a quirk that one kernel lacks is a named field rather
 * than a bit whose meaning moved (v5.0 BIT3 = ARM_MTK_4GB, v5.4 BIT3 = ARM_MTK_EXT).
 * arm_v7s_alloc_pgtable rejects a quirk the selected kernel does not know.
 */
export interface ArmV7sQuirks {
  readonly armNs?: boolean; // IO_PGTABLE_QUIRK_ARM_NS
  readonly noPerms?: boolean; // IO_PGTABLE_QUIRK_NO_PERMS
  readonly tlbiOnMap?: boolean; // IO_PGTABLE_QUIRK_TLBI_ON_MAP
  readonly mtk4gb?: boolean; // IO_PGTABLE_QUIRK_ARM_MTK_4GB (v5.0 only): bit 9 in every leaf
  readonly mtkExt?: boolean; // IO_PGTABLE_QUIRK_ARM_MTK_EXT (v5.4 only): PA[33:32] in bits 4, 9
  readonly nonStrict?: boolean; // IO_PGTABLE_QUIRK_NON_STRICT
}

/** struct io_pgtable_cfg as arm_v7s_alloc_pgtable reads it. */
export interface ArmV7sCfgIn {
  /** Trace label of the domain this table backs (the `domain` field of `pte` records). */
  readonly domain: string;
  readonly kernel: KernelRelease;
  readonly quirks: ArmV7sQuirks;
  /** OR of page sizes the driver supports; alloc keeps only 4K|64K|1M|16M. */
  readonly pgsizeBitmap: number;
  readonly ias: number;
  readonly oas: number;
  /**
   * Is the table walker cache-coherent? v5.4 cfg.coherent_walk; v5.0 quirk NO_DMA. Only the
   * TTBR0 walk attributes (v5.4) depend on it here; PTE syncs are not modelled.
   */
  readonly coherentWalk: boolean;
  /**
   * arm_v7s_split_blk_unmap: 'kernel' builds the new L2 entries without the section's
   * output address (as v5.0..v5.10 do); 'corrected' adds it. Callers pass
   * m.behaviour(V7S_SPLIT_BLK) (src/sim/kernel.ts).
   */
  readonly splitBlk: 'kernel' | 'corrected';
}

/** The cfg after alloc: pgsize_bitmap masked, and the registers the driver programs. */
export interface ArmV7sCfg extends ArmV7sCfgIn {
  readonly tcr: number; // arm_v7s_cfg.tcr
  readonly ttbr0: number; // arm_v7s_cfg.ttbr[0]
  readonly ttbr1: number; // arm_v7s_cfg.ttbr[1], always 0
  readonly prrr: number;
  readonly nmrr: number;
}

/** struct arm_v7s_io_pgtable as plain data. */
export interface ArmV7sPgtable {
  readonly domain: string;
  readonly cfg: ArmV7sCfg;
  /** PA of the 16 KiB level-1 table. */
  readonly pgd: number;
  /** Level-2 tables currently allocated (for the page-tables panel). */
  l2Count: number;
  /**
   * The kernel's `selftest_running`: while set, an -EEXIST from map does not WARN. Only the
   * selftest sets it (it runs alone, at subsys_initcall, before any IOMMU driver).
   */
  selftestRunning?: boolean;
}

export type ArmV7sAllocResult =
  | { readonly ok: true; readonly pt: ArmV7sPgtable }
  | { readonly ok: false; readonly error: number; readonly reason: string };

/** v5.4 struct iommu_iotlb_gather: the range tlb_add_page may record for iotlb_sync. */
export interface IommuIotlbGather {
  start: number;
  end: number; // inclusive, as in the kernel (iova + size - 1)
  pgsize: number;
}

/**
 * The TLB callbacks a driver hands to io-pgtable. v5.0 is struct iommu_gather_ops
 * (tlb_flush_all, tlb_add_flush, tlb_sync); v5.4 is struct iommu_flush_ops (tlb_flush_all,
 * tlb_flush_walk, tlb_flush_leaf, tlb_add_page). The table calls only the set of its
 * cfg.kernel; a driver model may implement just that set. `m` comes first so a driver can
 * turn a call into register writes and trace records.
 */
export interface ArmV7sTlbOps {
  tlbFlushAll(m: Machine): void;
  // v5.0 iommu_gather_ops
  tlbAddFlush?(m: Machine, iova: number, size: number, granule: number, leaf: boolean): void;
  tlbSync?(m: Machine): void;
  // v5.4 iommu_flush_ops
  tlbFlushWalk?(m: Machine, iova: number, size: number, granule: number): void;
  tlbFlushLeaf?(m: Machine, iova: number, size: number, granule: number): void;
  tlbAddPage?(m: Machine, gather: IommuIotlbGather, iova: number, granule: number): void;
}

export interface ArmV7sMapArgs {
  readonly iova: number;
  readonly pa: number;
  readonly size: number;
  readonly prot: number;
}

export interface ArmV7sUnmapArgs {
  readonly iova: number;
  readonly size: number;
  /** v5.4: the gather tlb_add_page records into; a fresh one is used when absent. */
  readonly gather?: IommuIotlbGather;
}

export type ArmV7sPteType =
  | 'invalid'
  | 'table'
  | 'section'
  | 'supersection'
  | 'large-page'
  | 'small-page';

/** One PTE decoded for the debugger: plain data, every field named after the kernel's bits. */
export interface ArmV7sDecodedPte {
  readonly type: ArmV7sPteType;
  /** Bytes the entry maps (0 for invalid and table). */
  readonly size: number;
  /** Output address: the PA the entry maps, or the L2 table PA for a table; 0 if invalid. */
  readonly oa: number;
  /** The 8-bit attribute block's fields; absent for invalid and table entries. */
  readonly ap0?: boolean; // AF
  readonly ap1?: boolean; // unprivileged access
  readonly ap2?: boolean; // read-only
  readonly tex?: number;
  readonly s?: boolean;
  readonly ng?: boolean;
  readonly xn?: boolean;
  readonly c?: boolean;
  readonly b?: boolean;
  /** NS_SECTION (leaf at level 1) or NS_TABLE (table). */
  readonly ns?: boolean;
  /** MTK PA bits carried in the PTE: v5.0 MTK_4GB bit 9 (=PA bit 32), v5.4 MTK_EXT bits 9/4. */
  readonly mtkPa32?: boolean;
  readonly mtkPa33?: boolean;
  /** arm_v7s_pte_to_prot of the entry (leaves only; meaningless for a large page, see bits.ts). */
  readonly prot?: number;
}

export interface ArmV7sWalkStep {
  readonly lvl: Lvl;
  readonly index: number;
  readonly pteAddr: number;
  readonly pte: number;
  readonly decoded: ArmV7sDecodedPte;
}
