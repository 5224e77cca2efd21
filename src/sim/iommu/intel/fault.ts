/**
 * The fault interrupt handler (drivers/iommu/dmar.c dmar_fault, dmar_fault_do_one): read
 * FSTS, then from FRI on each fault record with F set — read it, clear F, report it — until
 * one has F clear; finally write PFO|PPF|PRO to FSTS. Printing is rate limited by one
 * DEFINE_RATELIMIT_STATE (5 s, burst 10) that the status line and every loop turn draw from.
 * v5.4 also reads the record's PASID (-1 when PP is clear) and prints it.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { bdfText } from './bdf-text.ts';
import { DMAR_FSTS_REG, DMA_FRCD_F, DMA_FSTS_PFO, DMA_FSTS_PPF, DMA_FSTS_PRO, PRIMARY_FAULT_REG_LEN, cap, dmaFstsFaultRecordIndex } from './regs.ts';
import { dmarRead32, dmarWrite32, r32, r64big } from './hw.ts';
import { dmarFaultReason } from './fault-reasons.ts';
import { DMAR_SM_FAULT_REASONS } from '../../kernel.ts';
import { type VtdUnitState, vtdState } from './state.ts';
import { ratelimit } from '../../core/ratelimit.ts';

const DMAR_C = 'drivers/iommu/dmar.c';
const F_DMAR_FAULT = kfunc('dmar_fault', DMAR_C, ['irq']);
const F_DMAR_FAULT_DO_ONE = kfunc('dmar_fault_do_one', DMAR_C, ['type', 'fault_reason', 'source_id', 'addr']);

export function dmarFault(m: Machine, unit: number): void {
  const s = vtdState(m);
  const u = s.units[unit];
  u.irqPending = false;
  const k = m.kstack.enter(F_DMAR_FAULT, unit);
  const fsts = dmarRead32(m, u, DMAR_FSTS_REG, true);
  if (fsts && ratelimit(m, u.ratelimit, 'dmar_fault')) m.emit('klog', { level: 'err', text: `DMAR: DRHD: handling fault status reg ${fsts.toString(16)}` });
  if (fsts & DMA_FSTS_PPF) {
    let index = dmaFstsFaultRecordIndex(fsts);
    const reg = cap.faultRegOffset(u.cap);
    for (;;) {
      const ratelimited = !ratelimit(m, u.ratelimit, 'dmar_fault');
      const at = reg + index * PRIMARY_FAULT_REG_LEN;
      const hi = r32(u, at + 12);
      if (!(hi & DMA_FRCD_F)) break;
      const frcd = [r64big(u, at), r64big(u, at + 8)];
      const dw2 = r32(u, at + 8);
      dmarWrite32(m, u, at + 12, DMA_FRCD_F);
      if (!ratelimited) report(m, u, index, fsts, { hi, dw2, addr: Number(frcd[0] & ~0xfffn), frcd });
      index = (index + 1) % cap.numFaultRegs(u.cap);
    }
    dmarWrite32(m, u, DMAR_FSTS_REG, DMA_FSTS_PFO | DMA_FSTS_PPF | DMA_FSTS_PRO);
  }
  m.kstack.leave(k);
}

function report(m: Machine, u: VtdUnitState, index: number, fsts: number, r: { hi: number; dw2: number; addr: number; frcd: bigint[] }): void {
  const v54 = vtdState(m).release === 'v5.4';
  const reason = r.hi & 0xff;
  const type = (r.hi >>> 30) & 1;
  const sid = r.dw2 & 0xffff;
  // v5.4: dma_frcd_pasid_value (hi 27:8) when dma_frcd_pasid_present (dword 2, bit 31), else -1.
  const pasid = (r.dw2 >>> 31) & 1 ? (r.hi >>> 8) & 0xfffff : -1;
  const k = m.kstack.enter(F_DMAR_FAULT_DO_ONE, type, reason, sid, r.addr);
  const { text: reasonText } = dmarFaultReason(reason, m.behaviour(DMAR_SM_FAULT_REASONS));
  const sidText = bdfText(sid >> 8, sid & 0xff);
  const typeText = type ? 'DMA Read' : 'DMA Write';
  const reason2 = reason.toString().padStart(2, '0');
  const pasidText = v54 ? ` PASID ${(pasid >>> 0).toString(16)}` : '';
  u.reported++;
  m.emit('dmar-fault', {
    iommu: u.name, index, reason, reasonText, type: typeText, sid: sidText, addr: r.addr, pasid: v54 ? pasid : undefined, fsts, frcd: r.frcd,
    dev: u.faultDev[index] || undefined,
  });
  m.emit('klog', { level: 'err', text: `DMAR: [${typeText}] Request device [${sidText}]${pasidText} fault addr ${r.addr.toString(16)} [fault reason ${reason2}] ${reasonText}` });
  m.kstack.leave(k);
}
