/** The IOTLB panel's view: each M4U cell's IOTLB, each VT-d unit's and AMD IOMMU's IOTLB and each SVA device's ATC. */
import type { Machine } from '../../sim/machine.ts';
import { PAGE_SIZE } from '../../sim/mem/phys.ts';
import { MTK_MODEL } from '../../sim/iommu/mtk/state.ts';
import { mtkIotlbEntries } from '../../sim/iommu/mtk/status.ts';
import { svaDevicesStatus } from '../../sim/mm/status.ts';
import { VTD_MODEL } from '../../sim/iommu/intel/state.ts';
import { vtdIotlbEntries } from '../../sim/iommu/intel/status.ts';
import { amdIotlbEntries, amdStatus } from '../../sim/iommu/amd/status.ts';
import type { IotlbView, TlbView } from './iotlb-model.ts';

export function iotlbView(m: Machine): IotlbView | undefined {
  const tlbs: TlbView[] = [];
  m.findModel(MTK_MODEL)?.m4u.forEach((inst, i) =>
    inst.cells.forEach((c, ci) => {
      tlbs.push({
        name: `${inst.name}.mmu${ci} IOTLB`,
        kind: 'iotlb',
        capacity: c.iotlb.capacity,
        entries: mtkIotlbEntries(m, i, ci).map((e) => ({ iova: e.iova, pa: e.pa, size: e.size, pte: e.pte, ...(e.stale ? { stale: true } : {}) })),
      });
    }),
  );
  m.findModel(VTD_MODEL)?.units.forEach((u, i) => {
    tlbs.push({
      name: `${u.name} IOTLB`,
      kind: 'iotlb',
      capacity: u.iotlb.size,
      entries: vtdIotlbEntries(m, i).map((e) => ({
        iova: e.iova, pa: e.pa, size: e.size, write: e.write, domain: e.did, ...(e.pasid >= 0 ? { pasid: e.pasid } : {}), ...(e.stale ? { stale: true } : {}),
      })),
    });
  });
  amdStatus(m)?.iommus.forEach((io, i) => {
    tlbs.push({
      name: `${io.name} IOTLB`,
      kind: 'iotlb',
      capacity: io.iotlbSize,
      // Tagged by domain ID: INVALIDATE_IOMMU_PAGES names one.
      entries: amdIotlbEntries(m, i).map((e) => ({ iova: e.iova, pa: e.pa, size: e.size, read: e.ir, write: e.iw, domain: e.domid, ...(e.stale ? { stale: true } : {}) })),
    });
  });
  for (const d of svaDevicesStatus(m)) {
    tlbs.push({
      name: `${d.dev} ATC`,
      kind: 'device-iotlb',
      capacity: d.atcSize,
      // An ATC entry caches one 4 KiB translation (atcFill: one vpn -> pfn).
      entries: d.atc.map((e) => ({ iova: e.va, pa: e.pa, size: PAGE_SIZE, write: e.write, pasid: e.pasid })),
    });
  }
  return tlbs.length ? { tlbs } : undefined;
}
