/** The IOTLB panel's view: each M4U cell's IOTLB and each SVA device's ATC. */
import type { Machine } from '../../sim/machine.ts';
import { MTK_MODEL, type MtkState } from '../../sim/iommu/mtk/state.ts';
import { mtkIotlbView } from '../../sim/iommu/mtk/view.ts';
import { svaDeviceViews } from '../../sim/mm/view.ts';
import type { IotlbView, TlbView } from './iotlb-model.ts';

export function iotlbView(m: Machine): IotlbView | undefined {
  const tlbs: TlbView[] = [];
  if (m.hasModel(MTK_MODEL)) {
    const s = m.model(MTK_MODEL);
    s.m4u.forEach((inst, i) =>
      inst.cells.forEach((c, ci) => {
        tlbs.push({
          name: `${inst.name}.mmu${ci} IOTLB`,
          kind: 'iotlb',
          capacity: c.iotlb.entries.length,
          entries: mtkIotlbView(m, i, ci).map((e) => ({ iova: parseInt(e.iova, 16), pa: parseInt(e.pa, 16), size: e.size, perm: `pte ${e.pte}`, ...(e.stale ? { stale: true } : {}) })),
        });
      }),
    );
  }
  for (const d of svaDeviceViews(m)) {
    tlbs.push({
      name: `${d.dev} ATC`,
      kind: 'device-iotlb',
      capacity: d.atcSize,
      entries: d.atc.map((e) => ({ iova: e.va, pa: e.pa, size: 4096, perm: e.write ? 'rw' : 'r', pasid: e.pasid })),
    });
  }
  return tlbs.length ? { tlbs } : undefined;
}
