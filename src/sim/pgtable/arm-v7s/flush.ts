/**
 * The TLB call sites of io-pgtable-arm-v7s.c, per kernel. v5.0 has struct iommu_gather_ops
 * (tlb_add_flush + tlb_sync), v5.4 struct iommu_flush_ops (tlb_flush_walk, tlb_flush_leaf,
 * tlb_add_page); each helper here is one kernel call site's sequence.
 */
import type { Machine } from '../../machine.ts';
import { assert } from '../../core/assert.ts';
import type { ArmV7sPgtable, ArmV7sTlbOps, IommuIotlbGather } from './types.ts';

type Pt = ArmV7sPgtable;
type Tlb = ArmV7sTlbOps;

function addFlush(m: Machine, tlb: Tlb, iova: number, size: number, granule: number, leaf: boolean): void {
  assert(tlb.tlbAddFlush, 'v5.0 io-pgtable needs tlb_add_flush');
  tlb.tlbAddFlush(m, iova, size, granule, leaf);
}

function sync(m: Machine, tlb: Tlb): void {
  assert(tlb.tlbSync, 'v5.0 io-pgtable needs tlb_sync');
  tlb.tlbSync(m);
}

/** Walk-cache invalidation, synchronous: map with TLBI_ON_MAP, and table removal in unmap. */
export function armV7sTlbFlushWalk(m: Machine, pt: Pt, tlb: Tlb, iova: number, size: number, granule: number): void {
  if (pt.cfg.kernel === 'v5.0') {
    addFlush(m, tlb, iova, size, granule, false);
    sync(m, tlb);
    return;
  }
  assert(tlb.tlbFlushWalk, 'v5.4 io-pgtable needs tlb_flush_walk');
  tlb.tlbFlushWalk(m, iova, size, granule);
}

/** Leaf invalidation, synchronous: arm_v7s_split_cont. */
export function armV7sTlbFlushLeaf(m: Machine, pt: Pt, tlb: Tlb, iova: number, size: number, granule: number): void {
  if (pt.cfg.kernel === 'v5.0') {
    addFlush(m, tlb, iova, size, granule, true);
    sync(m, tlb);
    return;
  }
  assert(tlb.tlbFlushLeaf, 'v5.4 io-pgtable needs tlb_flush_leaf');
  tlb.tlbFlushLeaf(m, iova, size, granule);
}

/**
 * Leaf unmap in __arm_v7s_unmap: v5.0 queues tlb_add_flush(leaf) without a sync (the IOMMU
 * core's iotlb_sync follows the whole iommu_unmap); v5.4 io_pgtable_tlb_add_page, which
 * does nothing when the driver has no tlb_add_page.
 */
export function armV7sTlbAddPage(
  m: Machine, pt: Pt, tlb: Tlb, gather: IommuIotlbGather, iova: number, granule: number,
): void {
  if (pt.cfg.kernel === 'v5.0') {
    addFlush(m, tlb, iova, granule, granule, true);
    return;
  }
  tlb.tlbAddPage?.(m, gather, iova, granule);
}

/** arm_v7s_split_blk_unmap's flush: v5.0.1 add_flush(leaf) + sync; v5.4 tlb_add_page. */
export function armV7sTlbSplitBlk(
  m: Machine, pt: Pt, tlb: Tlb, gather: IommuIotlbGather, iova: number, size: number,
): void {
  if (pt.cfg.kernel === 'v5.0') armV7sTlbFlushLeaf(m, pt, tlb, iova, size, size);
  else armV7sTlbAddPage(m, pt, tlb, gather, iova, size);
}

/** free_io_pgtable_ops: io_pgtable_tlb_flush_all before the tables go. */
export function armV7sTlbFlushAll(m: Machine, tlb: Tlb): void {
  tlb.tlbFlushAll(m);
}
