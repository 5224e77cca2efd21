/**
 * AMD IOMMUv2 as an mmu notifier subscriber (drivers/iommu/amd_iommu_v2.c): v5.0 has
 * release, clear_flush_young and invalidate_range; v5.4 drops clear_flush_young (which
 * flushed every aged page and never reported youth). Each flush is __flush_pasid:
 * INVALIDATE_IOMMU_PAGES to the IOMMU first, then INVALIDATE_IOTLB_PAGES to the device's
 * ATC, so the ATC cannot refill from a stale IOTLB.
 */
import type { Machine } from '../../machine.ts';
import { atcInvalidate, atcInvalidatePasid } from '../ats/atc.ts';
import type { SubscriberOps } from '../../mm/notifier.ts';
import { subscriberOpsKey } from '../../mm/notifier.ts';
import type { Subscriber } from '../../mm/types.ts';
import { PAGE_SIZE } from '../../mm/types.ts';
import { svaDevice, svaUnbound } from '../../mm/sva.ts';
import { CMD_INV_IOMMU_ALL_PAGES_ADDRESS, buildInvIommuPasid, buildInvIotlbPasid } from './cmd.ts';

/** __flush_pasid for one page (amd_iommu_flush_page) or the whole PASID (amd_iommu_flush_tlb). */
function flushPasid(m: Machine, sub: Subscriber, page: number | 'all', by: string): void {
  const dev = svaDevice(m, sub.dev);
  const s = page === 'all';
  const address = s ? CMD_INV_IOMMU_ALL_PAGES_ADDRESS : BigInt(page);
  const iommuCmd = buildInvIommuPasid({ domid: dev.domainId, pasid: sub.pasid, address, s });
  const atcCmd = buildInvIotlbPasid({ devid: dev.devid, pasid: sub.pasid, qdep: dev.qdep, address, s });
  const dropped = s
    ? atcInvalidatePasid(dev.atc, sub.pasid)
    : atcInvalidate(dev.atc, sub.pasid, page / PAGE_SIZE, page / PAGE_SIZE + 1);
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
