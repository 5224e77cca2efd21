/**
 * The driver's TLB maintenance (drivers/iommu/mtk_iommu.c: mtk_iommu_tlb_flush_all,
 * mtk_iommu_tlb_add_flush_nosync, mtk_iommu_tlb_sync), and the TLB ops handed to the v7s
 * io-pgtable: v5.0 iommu_gather_ops (add_flush / sync 1:1), v5.4 iommu_flush_ops
 * (flush_walk and flush_leaf = add + sync; tlb_add_page = add only, issued at once).
 */
import type { Machine } from '../../machine.ts';
import { kernelRelease } from '../../kernel.ts';
import type { ArmV7sTlbOps } from '../../pgtable/arm-v7s/types.ts';
import { F_ALL_INVLD, F_INVLD_EN0, F_INVLD_EN1, F_MMU_INV_RANGE, REG_MMU_CPE_DONE, REG_MMU_INVALIDATE, REG_MMU_INVLD_END_A, REG_MMU_INVLD_START_A, REG_MMU_INV_SEL } from './regs.ts';
import { m4uRead, m4uWrite } from './hw.ts';
import { mtkState } from './state.ts';

/** Atomic poll: every 10 us, give up after 100000 us (readl_poll_timeout_atomic). */
export const CPE_DONE_POLL_US = 10;
export const CPE_DONE_TIMEOUT_US = 100_000;

/** mtk_iommu_tlb_flush_all: every M4U, INV_SEL = EN0|EN1, INVALIDATE = F_ALL_INVLD. */
export function mtkIommuTlbFlushAll(m: Machine): void {
  const s = mtkState(m);
  if (s.skipFlush) return;
  for (const inst of s.m4u) {
    m4uWrite(m, inst, REG_MMU_INV_SEL, F_INVLD_EN0 | F_INVLD_EN1);
    m4uWrite(m, inst, REG_MMU_INVALIDATE, F_ALL_INVLD);
  }
}

/** mtk_iommu_tlb_add_flush_nosync: program the range on every M4U and start it. */
export function mtkIommuTlbAddFlushNosync(m: Machine, iova: number, size: number): void {
  const s = mtkState(m);
  if (s.skipFlush) return;
  for (const inst of s.m4u) {
    m4uWrite(m, inst, REG_MMU_INV_SEL, F_INVLD_EN0 | F_INVLD_EN1);
    m4uWrite(m, inst, REG_MMU_INVLD_START_A, iova);
    m4uWrite(m, inst, REG_MMU_INVLD_END_A, iova + size - 1);
    m4uWrite(m, inst, REG_MMU_INVALIDATE, F_MMU_INV_RANGE);
    inst.tlbFlushActive = true;
  }
}

/**
 * mtk_iommu_tlb_sync: poll CPE_DONE on each M4U with a flush in flight. The kernel
 * `return`s at the first M4U without one (not `continue`), so a later M4U's flush is not
 * waited for in that call. A timeout warns and falls back to a full flush.
 */
export function mtkIommuTlbSync(m: Machine): void {
  const s = mtkState(m);
  if (s.skipFlush) return;
  for (const inst of s.m4u) {
    if (!inst.tlbFlushActive) return;
    const done = m4uRead(inst, REG_MMU_CPE_DONE);
    if (m.quiet.reg) m.skip();
    else m.emit('reg', {
      block: inst.name,
      op: 'poll',
      reg: 'CPE_DONE',
      off: REG_MMU_CPE_DONE,
      val: done ? 1 : 0,
      result: done ? undefined : 'timeout',
      waitedUs: done ? undefined : CPE_DONE_TIMEOUT_US,
      warn: done ? undefined : 'Partial TLB flush timed out, falling back to full flush',
    });
    if (!done) mtkIommuTlbFlushAll(m);
    m4uWrite(m, inst, REG_MMU_CPE_DONE, 0, false);
    inst.tlbFlushActive = false;
  }
}

/** io-pgtable's flush callbacks as v5.0 wires them (tlb_add_flush, then tlb_sync). */
const TLB_OPS_V50: ArmV7sTlbOps = {
  tlbFlushAll: mtkIommuTlbFlushAll,
  tlbAddFlush: (mm, iova, size) => mtkIommuTlbAddFlushNosync(mm, iova, size),
  tlbSync: mtkIommuTlbSync,
};

/** v5.4's iommu_flush_ops: walk and leaf flushes add and sync at once; add_page queues. */
function addAndSync(mm: Machine, iova: number, size: number): void {
  mtkIommuTlbAddFlushNosync(mm, iova, size);
  mtkIommuTlbSync(mm);
}
const TLB_OPS_V54: ArmV7sTlbOps = {
  tlbFlushAll: mtkIommuTlbFlushAll,
  tlbFlushWalk: addAndSync,
  tlbFlushLeaf: addAndSync,
  tlbAddPage: (mm, _gather, iova, granule) => mtkIommuTlbAddFlushNosync(mm, iova, granule),
};

/** The TLB ops object for io-pgtable-arm-v7s, per the kernel in force (shared: code, not state). */
export function mtkTlbOps(m: Machine): ArmV7sTlbOps {
  return kernelRelease(m.config.kernel) === 'v5.0' ? TLB_OPS_V50 : TLB_OPS_V54;
}
