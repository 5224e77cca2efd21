/**
 * AMD IOMMUv2 as an mmu notifier subscriber (drivers/iommu/amd_iommu_v2.c): v5.0 has
 * release, clear_flush_young and invalidate_range; v5.4 drops clear_flush_young (which
 * flushed every aged page and never reported youth). Each flush is __flush_pasid:
 * INVALIDATE_IOMMU_PAGES to the IOMMU first, then INVALIDATE_IOTLB_PAGES to the device's
 * ATC, so the ATC cannot refill from a stale IOTLB. Without an `amd` section the commands are
 * only shown (in the atc-inval record); with one they go through the IOMMU's command buffer.
 */
import type { Machine } from '../../machine.ts';
import { atcInvalidate, atcInvalidatePasid } from '../ats/atc.ts';
import type { SubscriberOps } from '../../mm/notifier.ts';
import { subscriberOpsKey } from '../../mm/notifier.ts';
import type { Subscriber } from '../../mm/types.ts';
import { PAGE_SIZE } from '../../mm/types.ts';
import { svaDevice, svaUnbound } from '../../mm/sva.ts';
import { CMD_INV_IOMMU_ALL_PAGES_ADDRESS, type CmdWords, buildInvIommuPasid, buildInvIotlbPasid } from './cmd.ts';
import { kfunc } from '../../core/kstack.ts';
import { domainFlushComplete, iommuQueueCommand } from './flush.ts';
import { amdLastAtcDropped } from './hw.ts';
import { AMD_MODEL, amdDevOf } from './state.ts';

const F_FLUSH_PASID = kfunc('__flush_pasid', 'drivers/iommu/amd_iommu.c', ['domid']);

/**
 * With the device behind a modelled AMD IOMMU (the scenario's `amd` section lists it), the
 * commands go through that IOMMU's command buffer as __flush_pasid queues them: the
 * INVALIDATE_IOMMU_PAGES to every IOMMU of the domain, a completion wait, the
 * INVALIDATE_IOTLB_PAGES that reaches the device's ATC, a completion wait. Returns what the
 * ATC dropped, or undefined when there is no AMD IOMMU to go through.
 */
function flushThroughIommu(m: Machine, devName: string, iommuCmd: number[], atcCmd: number[]): number | undefined {
  const s = m.findModel(AMD_MODEL);
  const dd = s && amdDevOf(s, devName);
  if (!s || !dd?.v2 || dd.domain < 0) return undefined;
  const dom = s.domains[dd.domain];
  const k = m.kstack.enter(F_FLUSH_PASID, dom.id);
  for (let i = 0; i < s.iommus.length; i++) {
    if (dom.devIommu[i]) iommuQueueCommand(m, s.iommus[i], iommuCmd as CmdWords, '__flush_pasid');
  }
  domainFlushComplete(m, dom);
  let dropped = 0;
  for (const di of dom.devList) {
    const x = s.devs[di];
    if (!x.ats) continue;
    iommuQueueCommand(m, s.iommus[x.iommu], atcCmd as CmdWords, '__flush_pasid');
    if (x === dd) dropped = amdLastAtcDropped();
  }
  domainFlushComplete(m, dom);
  m.kstack.leave(k);
  return dropped;
}

/** __flush_pasid for one page (amd_iommu_flush_page) or the whole PASID (amd_iommu_flush_tlb). */
function flushPasid(m: Machine, sub: Subscriber, page: number | 'all', by: string): void {
  const dev = svaDevice(m, sub.dev);
  const s = page === 'all';
  const address = s ? CMD_INV_IOMMU_ALL_PAGES_ADDRESS : BigInt(page);
  const iommuCmd = buildInvIommuPasid({ domid: dev.domainId, pasid: sub.pasid, address, s });
  const atcCmd = buildInvIotlbPasid({ devid: dev.devid, pasid: sub.pasid, qdep: dev.qdep, address, s });
  const dropped =
    flushThroughIommu(m, dev.name, iommuCmd, atcCmd) ??
    (s ? atcInvalidatePasid(dev.atc, sub.pasid) : atcInvalidate(dev.atc, sub.pasid, page / PAGE_SIZE, page / PAGE_SIZE + 1));
  m.emit('atc-inval', {
    dev: dev.name, pasid: sub.pasid, start: s ? 'all' : page, end: s ? 'all' : page + PAGE_SIZE, by,
    iommu: 'amd-v2', iotlbCmd: { name: 'INVALIDATE_IOMMU_PAGES', dw: iommuCmd }, atcCmd: { name: 'INVALIDATE_IOTLB_PAGES', dw: atcCmd }, dropped,
  });
}

const pageOf = (a: number): number => Math.floor(a / PAGE_SIZE) * PAGE_SIZE;

export const amdIommuV2Ops: SubscriberOps = {
  /** mn_invalidate_range: one page if start and end-1 share a page, else the whole PASID. */
  invalidateRange(m, _mm, sub, start, end) {
    if (sub.omitInvalidateRange) return;
    if (pageOf(start) === pageOf(end - 1)) flushPasid(m, sub, pageOf(start), 'invalidate_range');
    else flushPasid(m, sub, 'all', 'invalidate_range');
  },
  /** mn_clear_flush_young (v5.0): flush each page of the range; never reports young. */
  clearFlushYoung(m, _mm, sub, start, end) {
    for (let a = pageOf(start); a < end; a += PAGE_SIZE) flushPasid(m, sub, a, 'clear_flush_young');
    return 0;
  },
  /** mn_release: the driver's inv_ctx_cb, then unbind_pasid (clear GCR3, flush the PASID). */
  release(m, _mm, sub) {
    flushPasid(m, sub, 'all', 'release');
    svaUnbound(m, sub.dev);
  },
};

export function provideAmdIommuV2(m: Machine): void {
  m.provide(subscriberOpsKey('amd-v2'), amdIommuV2Ops);
}
