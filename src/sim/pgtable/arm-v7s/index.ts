/**
 * ARM v7s short-descriptor io-pgtable (drivers/iommu/io-pgtable-arm-v7s.c, v5.0 and v5.4).
 *
 * API for drivers (the MediaTek M4U model) and the selftest device:
 * - armV7sAllocPgtable(m, cfgIn) -> { ok: true, pt } | { ok: false, error, reason }
 *   (arm_v7s_alloc_pgtable: checks ias/oas/quirks, allocates the 16 KiB L1 below 4 GiB,
 *   computes tcr/ttbr0/prrr/nmrr into pt.cfg). Keep `pt` in your model state.
 * - armV7sMap(m, pt, tlb, { iova, pa, size, prot }) -> 0 | -EEXIST | -EINVAL | -ERANGE | -ENOMEM
 *   (one page size per call, like io_pgtable_ops->map; iommu_map splits ranges; a size that
 *   is not 4K/64K/1M/16M or an unaligned iova/pa asserts, as a caller bug).
 *   v5.4 MTK_EXT: pass the full PA (bits 32/33 allowed, oas 34). v5.0 MTK_4GB: pass the low 32 bits.
 * - armV7sUnmap(m, pt, tlb, { iova, size, gather? }) -> bytes unmapped (0 on failure).
 *   v5.4: tlb_add_page gets `gather` (iommuIotlbGatherInit() if absent) and io-pgtable never
 *   touches it; the driver's tlb_add_page and iotlb_sync do. v5.0 leaf unmaps call
 *   tlb_add_flush(leaf) without a sync; the IOMMU core's iotlb_sync follows.
 * - armV7sIovaToPhys(m, pt, iova) -> pa, 0 if unmapped (v5.4 MTK_EXT puts PA bits 32/33 back;
 *   v5.0 returns the low 32 bits, the M4U driver ORs bit 32 in 4GB mode).
 * - armV7sFreePgtable(m, pt, tlb): tlb_flush_all, then frees every L2 table and the L1.
 * - armV7sWalk(m, pt, iova) -> per level { lvl, index, pteAddr, pte, decoded }.
 * - armV7sTableEntries(m, pt, lvl, table) -> the valid entries of one table, decoded.
 * - decodePte(pte, lvl, cfg) -> plain data for the page-tables panel.
 * - TLB ops (ArmV7sTlbOps): functions taking `m` first; only the kernel's set is called
 *   (v5.0: tlbFlushAll, tlbAddFlush, tlbSync; v5.4: tlbFlushAll, tlbFlushWalk, tlbFlushLeaf,
 *   optional tlbAddPage). recordingTlbOps(calls) records calls for tests; tracingTlbOps emits
 *   `pgtable-tlb` records (the selftest's dummy ops).
 * - cfg.splitBlk: pass m.behaviour(V7S_SPLIT_BLK). 'kernel' reproduces two things of
 *   arm_v7s_split_blk_unmap as written: the new L2 entries lack the section PA (neighbours of
 *   the hole translate to i*4K), and a partial unmap of a supersection at a non-zero 1M offset
 *   splits it into sections but returns 0 (install_table compares against the group's first
 *   section). 'corrected' fixes both.
 * Every PTE write emits a `pte` trace record { domain, level, index, old, new, addr, iova };
 * table allocation and freeing emit `pgtable-table`. Prot constants: src/sim/pgtable/prot.ts.
 */
export * from './types.ts';
export { armV7sAllocPgtable, armV7sMap, armV7sUnmap, armV7sIovaToPhys, armV7sFreePgtable } from './pgtable.ts';
export { decodePte, armV7sWalk, armV7sTableEntries } from './decode.ts';
export { type TlbCall, iommuIotlbGatherInit, recordingTlbOps, tracingTlbOps } from './tlb.ts';
export { armV7sReadPte } from './tables.ts';
