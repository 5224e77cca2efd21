/**
 * Intel SVM as an mmu notifier subscriber (drivers/iommu/intel-svm.c): v5.0 has release,
 * change_pte (one page, IH=1) and invalidate_range (ceil(len/4K) pages); v5.4 drops
 * change_pte, because set_pte_at_notify always sits inside a start/end pair whose
 * invalidate_range flushes the same page. intel_flush_svm_range_dev submits the PASID
 * IOTLB descriptor, then the device-IOTLB one, each synchronously.
 */
import type { Machine } from '../../machine.ts';
import { atcInvalidate, atcInvalidatePasid, atsDecodeRange } from '../ats/atc.ts';
import type { SubscriberOps } from '../../mm/notifier.ts';
import { subscriberOpsKey } from '../../mm/notifier.ts';
import type { Subscriber } from '../../mm/types.ts';
import { PAGE_SIZE } from '../../mm/types.ts';
import { svaDevice, svaUnbound } from '../../mm/sva.ts';
import { qiDevEiotlb, qiEiotlb, QI_DEV_EIOTLB_SIZE } from './qi.ts';
import { VTD_MODEL } from './state.ts';
import { qiSubmitSync } from './flush.ts';

function flushSvmRangeDev(m: Machine, sub: Subscriber, address: number, pages: number, ih: number, by: string): void {
  const dev = svaDevice(m, sub.dev);
  const piotlb = qiEiotlb({ pasid: sub.pasid, did: dev.domainId, address, pages, ih, gl: 0 });
  const devtlb = qiDevEiotlb({ pasid: sub.pasid, sid: dev.devid, qdep: dev.qdep, address, pages });
  // With a DMAR unit in the scenario, both descriptors go through its invalidation queue
  // (the PASID-based IOTLB one drops that PASID's IOTLB entries); the device's ATC is
  // invalidated by the device-IOTLB descriptor below either way.
  const vtd = m.findModel(VTD_MODEL);
  if (vtd?.units.length) {
    const u = vtd.units[vtd.units.length - 1];
    qiSubmitSync(m, u, piotlb, 'intel_flush_svm_range_dev', { did: dev.domainId, pasid: sub.pasid });
    qiSubmitSync(m, u, devtlb, 'intel_flush_svm_range_dev', { pasid: sub.pasid });
  }
  let dropped: number, start: number | 'all', end: number | 'all';
  if (pages === -1) {
    dropped = atcInvalidatePasid(dev.atc, sub.pasid);
    start = end = 'all';
  } else {
    // What the device invalidates is what the descriptor encodes, not what was asked.
    const r = atsDecodeRange(devtlb.qw1 & ~0xfffn, (devtlb.qw1 & QI_DEV_EIOTLB_SIZE) !== 0n);
    const s = Number(r.start), e = Number(r.start + r.size);
    dropped = atcInvalidate(dev.atc, sub.pasid, s / PAGE_SIZE, e / PAGE_SIZE);
    start = s;
    end = e;
  }
  m.emit('atc-inval', {
    dev: dev.name, pasid: sub.pasid, start, end, by, iommu: 'intel-svm',
    iotlbCmd: { name: 'QI_EIOTLB(0x6)', qw: [piotlb.qw0, piotlb.qw1] }, atcCmd: { name: 'QI_DEIOTLB(0x8)', qw: [devtlb.qw0, devtlb.qw1] }, dropped,
  });
}

export const intelSvmOps: SubscriberOps = {
  /** intel_invalidate_range: ceil((end - start) / 4K) pages from start, IH=0. */
  invalidateRange(m, _mm, sub, start, end) {
    if (sub.omitInvalidateRange) return;
    flushSvmRangeDev(m, sub, start, Math.ceil((end - start) / PAGE_SIZE), 0, 'invalidate_range');
  },
  /** intel_change_pte (v5.0): one page, IH=1. */
  changePte(m, _mm, sub, address) {
    flushSvmRangeDev(m, sub, address, 1, 1, 'change_pte');
  },
  /** intel_mm_release: tear down the PASID entry and flush everything (pages -1, gl=0). */
  release(m, _mm, sub) {
    flushSvmRangeDev(m, sub, 0, -1, 0, 'release');
    svaUnbound(m, sub.dev, 'intel_mm_release');
  },
};

export function provideIntelSvm(m: Machine): void {
  m.provide(subscriberOpsKey('intel-svm'), intelSvmOps);
}
