/**
 * The driver's invalidations (drivers/iommu/dmar.c qi_submit_sync, qi_flush_context,
 * qi_flush_iotlb; drivers/iommu/intel-iommu.c __iommu_flush_context, __iommu_flush_iotlb,
 * iommu_flush_iotlb_psi, iommu_flush_iova, iommu_flush_write_buffer). iommu->flush is the
 * queued form when the unit has ECAP.QIS (dmar_enable_qi succeeded), else the register form.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { read32, write32 } from '../../mem/phys.ts';
import { writeQwords } from './entries.ts';
import { DMAR_CCMD_REG, DMAR_GCMD_REG, DMAR_IQT_REG, DMA_CCMD_DEVICE_INVL, DMA_CCMD_DOMAIN_INVL, DMA_CCMD_GLOBAL_INVL, DMA_CCMD_ICC,
  DMA_GCMD_WBF, DMA_TLB_DID, DMA_TLB_DSI_FLUSH, DMA_TLB_GLOBAL_FLUSH, DMA_TLB_IVT, DMA_TLB_PSI_FLUSH, DMA_TLB_WRITE_DRAIN, cap, ecap,
} from './regs.ts';
import { dmarWrite32, dmarWrite64, r32 } from './hw.ts';
import {
  type CcGran, type IotlbGran, type QiDesc, QI_DONE, QI_FREE, QI_IN_USE, QI_LENGTH, qiContextDesc, qiIotlbDesc, qiTypeName, qiWaitDesc,
} from './qi.ts';
import { type VtdDomainState, type VtdUnitState, vtdState } from './state.ts';

const DMAR_C = 'drivers/iommu/dmar.c';
const INTEL_IOMMU_C = 'drivers/iommu/intel-iommu.c';
const F_QI_SUBMIT_SYNC = kfunc('qi_submit_sync', DMAR_C);
const F_QI_FLUSH_IOTLB = kfunc('qi_flush_iotlb', DMAR_C, ['did', 'addr', 'size_order', 'type']);
const F_QI_FLUSH_CONTEXT = kfunc('qi_flush_context', DMAR_C, ['did', 'sid', 'fm', 'type']);
const F_FLUSH_IOTLB = kfunc('__iommu_flush_iotlb', INTEL_IOMMU_C, ['did', 'addr', 'size_order', 'type']);
const F_FLUSH_CONTEXT = kfunc('__iommu_flush_context', INTEL_IOMMU_C, ['did', 'source_id', 'function_mask', 'type']);
const F_FLUSH_PSI = kfunc('iommu_flush_iotlb_psi', INTEL_IOMMU_C, ['pfn', 'pages', 'ih', 'map']);
const F_FLUSH_IOVA = kfunc('iommu_flush_iova', INTEL_IOMMU_C);

/** The caller's name for a descriptor, for the `qi` record's `by`. */
export function qiSubmitSync(m: Machine, u: VtdUnitState, desc: QiDesc, by: string, tags: { did?: number; pasid?: number } = {}): void {
  const qi = u.qi;
  if (!qi) return; // if (!qi) return 0;
  const k = m.kstack.enter(F_QI_SUBMIT_SYNC);
  const mem = m.state.mem;
  const status = (i: number) => qi.statusPa + 4 * i;
  const index = qi.freeHead;
  const waitIndex = (index + 1) % QI_LENGTH;
  const length = 1 << qi.shift;
  write32(mem, status(index), QI_IN_USE);
  write32(mem, status(waitIndex), QI_IN_USE);
  const words = qi.shift === 5 ? [desc.qw0, desc.qw1, 0n, 0n] : [desc.qw0, desc.qw1];
  const wd = qiWaitDesc(status(waitIndex));
  const wait = qi.shift === 5 ? [wd.qw0, wd.qw1, 0n, 0n] : [wd.qw0, wd.qw1];
  writeQwords(m, qi.descPa + index * length, words);
  writeQwords(m, qi.descPa + waitIndex * length, wait);
  qi.freeHead = (qi.freeHead + 2) % QI_LENGTH;
  qi.freeCnt -= 2;
  qi.submits++;
  const iqt = qi.freeHead << qi.shift;
  m.emit('qi', { iommu: u.name, slot: index, type: qiTypeName(desc.qw0), desc: words, wait, iqt, did: tags.did, pasid: tags.pasid, by });
  // writel(qi->free_head << shift, iommu->reg + DMAR_IQT_REG): the hardware runs both.
  dmarWrite32(m, u, DMAR_IQT_REG, iqt, false);
  // while (qi->desc_status[wait_index] != QI_DONE) ...: the wait descriptor wrote it.
  if (read32(mem, status(waitIndex)) !== QI_DONE) throw new Error(`${u.name}: invalidation wait never completed`);
  write32(mem, status(index), QI_DONE);
  // reclaim_free_desc
  while (read32(mem, status(qi.freeTail)) === QI_DONE) {
    write32(mem, status(qi.freeTail), QI_FREE);
    qi.freeTail = (qi.freeTail + 1) % QI_LENGTH;
    qi.freeCnt++;
  }
  m.kstack.leave(k);
}

const CC_TYPE: Record<CcGran, bigint> = { global: DMA_CCMD_GLOBAL_INVL, domain: DMA_CCMD_DOMAIN_INVL, device: DMA_CCMD_DEVICE_INVL };
const TLB_TYPE: Record<IotlbGran, bigint> = { global: DMA_TLB_GLOBAL_FLUSH, dsi: DMA_TLB_DSI_FLUSH, psi: DMA_TLB_PSI_FLUSH };

/** iommu->flush.flush_context(iommu, did, sid, fm, type). */
export function flushContext(m: Machine, u: VtdUnitState, did: number, sid: number, fm: number, gran: CcGran, by: string): void {
  if (u.qi) {
    const k = m.kstack.enter(F_QI_FLUSH_CONTEXT, did, sid, fm, Number(CC_TYPE[gran] >> 32n));
    qiSubmitSync(m, u, qiContextDesc({ did, sid, fm, gran }), by, { did });
    m.kstack.leave(k);
    return;
  }
  const k = m.kstack.enter(F_FLUSH_CONTEXT, did, sid, fm, Number(CC_TYPE[gran] >> 32n));
  let val = CC_TYPE[gran];
  if (gran !== 'global') val |= BigInt(did & 0xffff);
  if (gran === 'device') val |= (BigInt(sid & 0xffff) << 16n) | (BigInt(fm & 3) << 32n);
  dmarWrite64(m, u, DMAR_CCMD_REG, val | DMA_CCMD_ICC, false);
  m.kstack.leave(k);
}

/**
 * iommu->flush.flush_iotlb(iommu, did, addr, size_order, type). The queued form drops the
 * IH bit a caller put in addr; the register form writes IVA (with IH) then IOTLB_REG.
 */
export function flushIotlb(m: Machine, u: VtdUnitState, did: number, addr: number, sizeOrder: number, gran: IotlbGran, by: string): void {
  if (u.qi) {
    const k = m.kstack.enter(F_QI_FLUSH_IOTLB, did, addr, sizeOrder, Number(TLB_TYPE[gran] >> 32n));
    const desc = qiIotlbDesc({ did, addr, am: sizeOrder, gran, dw: cap.writeDrain(u.cap), dr: cap.readDrain(u.cap) });
    qiSubmitSync(m, u, desc, by, { did });
    m.kstack.leave(k);
    return;
  }
  const k = m.kstack.enter(F_FLUSH_IOTLB, did, addr, sizeOrder, Number(TLB_TYPE[gran] >> 32n));
  const iro = ecap.iotlbOffset(u.ecap);
  let val = TLB_TYPE[gran] | DMA_TLB_IVT;
  if (gran !== 'global') val |= DMA_TLB_DID(did);
  if (cap.writeDrain(u.cap)) val |= DMA_TLB_WRITE_DRAIN;
  if (gran === 'psi') dmarWrite64(m, u, iro, BigInt(sizeOrder) | BigInt(addr), false);
  dmarWrite64(m, u, iro + 8, val, false);
  if (((r32(u, iro + 12) >>> 25) & 3) === 0) m.emit('klog', { level: 'err', text: 'DMAR: Flush IOTLB failed' });
  m.kstack.leave(k);
}

/** iommu_flush_write_buffer: only with CAP.RWBF (or the rwbf quirk). */
export function flushWriteBuffer(m: Machine, u: VtdUnitState): void {
  if (!cap.rwbf(u.cap)) return;
  dmarWrite32(m, u, DMAR_GCMD_REG, r32(u, DMAR_GCMD_REG) | DMA_GCMD_WBF, false);
}

/**
 * iommu_flush_iotlb_psi(iommu, domain, pfn, pages, ih, map): page-selective with
 * mask = ilog2(roundup_pow_of_two(pages)), or domain-selective when the unit has no PSI or
 * the mask passes CAP.MAMV. (No device here has ATS: iommu_flush_dev_iotlb sends nothing.)
 */
export function flushIotlbPsi(m: Machine, u: VtdUnitState, dom: VtdDomainState, pfn: number, pages: number, ih: boolean, map: boolean, by: string): void {
  const k = m.kstack.enter(F_FLUSH_PSI, pfn, pages, ih ? 1 : 0, map ? 1 : 0);
  const mask = Math.ceil(Math.log2(pages));
  const addr = pfn * 4096;
  if (!cap.pgselInv(u.cap) || mask > cap.maxAmaskVal(u.cap)) flushIotlb(m, u, dom.did, 0, 0, 'dsi', by);
  else flushIotlb(m, u, dom.did, addr + (ih ? 1 << 6 : 0), mask, 'psi', by);
  m.kstack.leave(k);
}

/** iommu_flush_iova: the flush queue's callback, a domain-selective flush on its unit. */
export function flushIova(m: Machine, dom: VtdDomainState): void {
  const k = m.kstack.enter(F_FLUSH_IOVA);
  const u = vtdState(m).units[dom.unit];
  flushIotlb(m, u, dom.did, 0, 0, 'dsi', 'iommu_flush_iova');
  m.kstack.leave(k);
}
