/**
 * The M4U hardware: register writes with side effects (INVALIDATE runs an all or range
 * invalidation over the cells INV_SEL enables and raises CPE_DONE when a range completes),
 * and the fault latch (FAULT_ST1, the cell's FAULT_VA / INVLD_PA / INT_ID, the IRQ line).
 */
import type { Machine } from '../../machine.ts';
import { PRIO } from '../../machine.ts';
import { iotlbInvalAll, iotlbInvalRange } from '../iotlb.ts';
import { MTK_IOMMU_PLATS, hwLarbId } from './plat.ts';
import {
  F_ALL_INVLD,
  F_INT_CLR_BIT,
  REG_MMU_INT_CONTROL0,
  F_INT_TRANSLATION_FAULT,
  F_INVLD_EN0,
  F_INVLD_EN1,
  F_MMU_FAULT_VA_LAYER_BIT,
  F_MMU_FAULT_VA_WRITE_BIT,
  F_MMU_INV_RANGE,
  REG_MMU0_FAULT_VA,
  REG_MMU0_INT_ID,
  REG_MMU0_INVLD_PA,
  REG_MMU1_FAULT_VA,
  REG_MMU1_INT_ID,
  REG_MMU1_INVLD_PA,
  REG_MMU_CPE_DONE,
  REG_MMU_FAULT_ST1,
  REG_MMU_INVALIDATE,
  REG_MMU_INVLD_END_A,
  REG_MMU_INVLD_START_A,
  REG_MMU_INV_SEL,
  regTrace,
} from './regs.ts';
import { type MtkM4uState, mtkState } from './state.ts';
import { eventKey } from '../../core/keys.ts';

export const MTK_ISR = eventKey('mtk.isr');

export function m4uRead(inst: MtkM4uState, off: number): number {
  return inst.regs[off >>> 2] >>> 0;
}

/** A CPU write to an M4U register: `show` puts it in the trace. */
export function m4uWrite(m: Machine, inst: MtkM4uState, off: number, val: number, show = true): void {
  inst.regs[off >>> 2] = val >>> 0;
  if (show) regTrace(m, inst.name, 'write', off, val);
  if (off === REG_MMU_INVALIDATE) m4uInvalidate(m, inst, val);
  if (off === REG_MMU_INT_CONTROL0 && val & F_INT_CLR_BIT) {
    // Interrupt clear: the status and the cells' fault groups drop; the bit self-clears.
    inst.regs[REG_MMU_FAULT_ST1 >>> 2] = 0;
    inst.regs[off >>> 2] = (val & ~F_INT_CLR_BIT) >>> 0;
  }
}

/** The `cells` field of a tlb-inval record, by which of INV_SEL's two enable bits are set. */
const CELLS_TEXT = ['', 'mmu0', 'mmu1', 'mmu0,mmu1'];

function m4uInvalidate(m: Machine, inst: MtkM4uState, val: number): void {
  const sel = m4uRead(inst, REG_MMU_INV_SEL);
  const on = (sel & F_INVLD_EN0 ? 1 : 0) | (sel & F_INVLD_EN1 ? 2 : 0);
  const cells = CELLS_TEXT[on];
  const s = mtkState(m);
  if (val & F_ALL_INVLD) {
    let dropped = 0;
    if (on & 1) dropped += iotlbInvalAll(inst.cells[0].iotlb);
    if (on & 2) dropped += iotlbInvalAll(inst.cells[1].iotlb);
    m.emit('tlb-inval', { iommu: inst.name, scope: 'all', cells, dropped });
  }
  if (val & F_MMU_INV_RANGE) {
    const start = m4uRead(inst, REG_MMU_INVLD_START_A);
    const last = m4uRead(inst, REG_MMU_INVLD_END_A);
    const index = s.rangeSyncs++;
    const stuck = s.rangeFlushTimeouts.includes(index);
    let dropped = 0;
    if (!stuck) {
      if (on & 1) dropped += iotlbInvalRange(inst.cells[0].iotlb, start, last);
      if (on & 2) dropped += iotlbInvalRange(inst.cells[1].iotlb, start, last);
      inst.regs[REG_MMU_CPE_DONE >>> 2] = 1;
    }
    m.emit('tlb-inval', {
      iommu: inst.name,
      scope: 'range',
      start,
      end: last + 1,
      cells,
      dropped,
      injected: stuck ? 'never completes (CPE_DONE stays 0)' : undefined,
    });
  }
}

/** Latch a translation fault in the cell's register group and raise the IRQ. */
export function m4uFaultLatch(
  m: Machine,
  inst: MtkM4uState,
  f: { cell: number; iova: number; write: boolean; layer: number; larb: number; port: number; dev: string },
): void {
  const s = mtkState(m);
  const cell = inst.cells[f.cell];
  const st = m4uRead(inst, REG_MMU_FAULT_ST1);
  const bit = F_INT_TRANSLATION_FAULT << (7 * f.cell);
  const groupBusy = (st & (0x7f << (7 * f.cell))) !== 0;
  inst.regs[REG_MMU_FAULT_ST1 >>> 2] = (st | bit) >>> 0;
  if (!groupBusy) {
    // The first fault of a cell owns its registers until the ISR clears them.
    const va = ((f.iova & 0xfffff000) | (f.write ? F_MMU_FAULT_VA_WRITE_BIT : 0) | (f.layer ? F_MMU_FAULT_VA_LAYER_BIT : 0)) >>> 0;
    const hwLarb = hwLarbId(MTK_IOMMU_PLATS[s.soc], f.larb);
    inst.regs[(f.cell ? REG_MMU1_FAULT_VA : REG_MMU0_FAULT_VA) >>> 2] = va;
    inst.regs[(f.cell ? REG_MMU1_INVLD_PA : REG_MMU0_INVLD_PA) >>> 2] = 0;
    inst.regs[(f.cell ? REG_MMU1_INT_ID : REG_MMU0_INT_ID) >>> 2] = ((hwLarb << 7) | (f.port << 2)) >>> 0;
    cell.faultDev = f.dev;
  }
  if (!inst.irqPending) {
    inst.irqPending = true;
    m.schedule(s.irqLatencyNs, m.typeOf(MTK_ISR), inst.id, 0, PRIO.irq);
  }
}

/** The PA the hardware redirects a faulting access to, decoded from IVRP_PADDR. */
export function m4uProtectPa(m: Machine, inst: MtkM4uState, ivrp: number): number {
  if (mtkState(m).soc === 'mt8173') {
    // (protect_base >> 1) | (enable_4GB << 31)
    return (ivrp & 0x7fffffff) * 2 + (ivrp & 0x80000000 ? 2 ** 32 : 0);
  }
  // lower_32_bits(protect_base) | upper_32_bits(protect_base): the base is 128-aligned,
  // so the high bits sit in the low bits.
  return ((ivrp & ~0x7f) >>> 0) + (ivrp & 0x3) * 2 ** 32;
}
