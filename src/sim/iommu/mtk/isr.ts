/**
 * mtk_iommu_isr. v5.4: read FAULT_ST1; if any mmu0 bit is set read the MMU0 set
 * (INT_ID, FAULT_VA, INVLD_PA), else the MMU1 set; layer and write from FAULT_VA's low
 * bits (the raw value, low bits included, is what gets reported as the iova); larb =
 * larbid_remap[INT_ID larb field]; report_iommu_fault, and when no handler took it the
 * rate-limited dev_err "fault type=..."; clear with INT_CONTROL0 |= bit12; flush_all.
 * v5.0: one register set (0x13C/0x140/0x150) and no remap, the same dev_err.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { printkRatelimited } from '../../core/printk.ts';
import { F_HANDLE_IRQ_EVENT } from '../../core/irq.ts';
import { F_REPORT_IOMMU_FAULT, reportIommuFault } from '../core.ts';
import { iommuCore } from '../types.ts';
import { MTK_IOMMU_PLATS } from './plat.ts';
import {
  F_INT_CLR_BIT,
  F_MMU_FAULT_VA_LAYER_BIT,
  F_MMU_FAULT_VA_WRITE_BIT,
  F_MMU_INT_ID_LARB_ID,
  F_MMU_INT_ID_PORT_ID,
  F_REG_MMU0_FAULT_MASK,
  REG_MMU0_FAULT_VA,
  REG_MMU0_INT_ID,
  REG_MMU0_INVLD_PA,
  REG_MMU1_FAULT_VA,
  REG_MMU1_INT_ID,
  REG_MMU1_INVLD_PA,
  REG_MMU_FAULT_ST1,
  REG_MMU_INT_CONTROL0,
} from './regs.ts';
import { m4uRead, m4uWrite } from './hw.ts';
import { mtkIommuTlbFlushAll } from './flush.ts';
import { cellName, mtkState } from './state.ts';

const F_MTK_IOMMU_ISR = kfunc('mtk_iommu_isr', 'drivers/iommu/mtk_iommu.c');

/** "mtk-iommu 10205000.iommu: ": dev_err's prefix for M4U `index` (driver name, dev_name). */
export function mtkDevPrefix(m: Machine, index: number): string {
  const name = MTK_IOMMU_PLATS[mtkState(m).soc].devNames[index] ?? `m4u${index}.iommu`;
  return `mtk-iommu ${name}: `;
}

export function mtkIommuIsr(m: Machine, index: number): void {
  const irq = m.kstack.enter(F_HANDLE_IRQ_EVENT);
  const k = m.kstack.enter(F_MTK_IOMMU_ISR);
  const s = mtkState(m);
  const inst = s.m4u[index];
  const v54 = s.driver === 'mt8183-series';
  const st = m4uRead(inst, REG_MMU_FAULT_ST1);
  const mmu0 = !v54 || (st & F_REG_MMU0_FAULT_MASK) !== 0;
  const cell = mmu0 ? 0 : 1;
  const intId = m4uRead(inst, mmu0 ? REG_MMU0_INT_ID : REG_MMU1_INT_ID);
  const faultVa = m4uRead(inst, mmu0 ? REG_MMU0_FAULT_VA : REG_MMU1_FAULT_VA);
  const faultPa = m4uRead(inst, mmu0 ? REG_MMU0_INVLD_PA : REG_MMU1_INVLD_PA);
  const rawLarb = F_MMU_INT_ID_LARB_ID(intId);
  const larb = v54 ? MTK_IOMMU_PLATS[s.soc].larbidRemap[rawLarb] : rawLarb;
  const port = F_MMU_INT_ID_PORT_ID(intId);
  const write = (faultVa & F_MMU_FAULT_VA_WRITE_BIT) !== 0;
  const dom = iommuCore(m).domains[s.domainId];
  const kr = m.kstack.enter(F_REPORT_IOMMU_FAULT, faultVa, write ? 1 : 0);
  const reported = reportIommuFault(dom);
  m.kstack.leave(kr);
  const c = inst.cells[cell];
  c.faults++;
  m.emit('fault', {
    iommu: inst.name,
    mmu: cellName(cell),
    type: 'translation',
    st1: st,
    iova: faultVa,
    write,
    layer: faultVa & F_MMU_FAULT_VA_LAYER_BIT,
    pa: faultPa,
    intId,
    larbRaw: rawLarb,
    larb,
    port,
    dev: c.faultDev,
    reported,
  });
  if (reported === 'unhandled') {
    // dev_err_ratelimited(data->dev, "fault type=0x%x iova=0x%x pa=0x%x larb=%d port=%d layer=%d %s\n", ...)
    const text = `fault type=0x${st.toString(16)} iova=0x${faultVa.toString(16)} pa=0x${faultPa.toString(16)} larb=${larb} port=${port} layer=${faultVa & F_MMU_FAULT_VA_LAYER_BIT} ${write ? 'write' : 'read'}`;
    printkRatelimited(m, 'mtk_iommu_isr', 'mtk_iommu_isr', 'err', mtkDevPrefix(m, index) + text);
  }
  m4uWrite(m, inst, REG_MMU_INT_CONTROL0, m4uRead(inst, REG_MMU_INT_CONTROL0) | F_INT_CLR_BIT);
  inst.irqPending = false;
  mtkIommuTlbFlushAll(m);
  m.kstack.leave(k);
  m.kstack.leave(irq);
}
