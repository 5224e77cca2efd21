/**
 * The read-only views for `info iommu`, `info iotlb`, `info smi` and the larb-bus panel:
 * plain data (structuredClone-able, JSON-able) that agrees with what the trace showed.
 * Method: run mtk-missing-flush to just after its stale read and mt8183-bus-sel to the end.
 */
import { describe, expect, it } from 'vitest';
import { build } from '../../helpers/scenario.ts';
import { mtkIommuView, mtkIotlbView, smiView } from '../../../src/sim/iommu/mtk/view.ts';

describe('mtk views', () => {
  it('info iotlb marks the stale entry; info iommu counts hits and misses per cell', () => {
    const { machine: m } = build('mtk-missing-flush');
    while (m.step()) {
      if (m.stepRecords.some((r) => r.kind === 'stale-tlb')) break;
    }
    const tlb = mtkIotlbView(m, 0, 1);
    expect(tlb.filter((e) => e.stale)).toHaveLength(1);
    const v = mtkIommuView(m);
    expect(v.m4u[0].cells[1]).toMatchObject({ mmu: 'mmu1', hits: 1, misses: 2, walks: 2, hitRatePct: 33.3 });
    expect(v.m4u[0].cells[0].hitRatePct).toBeNull();
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it('info smi: topology, bus selection per larb, fault counts per port', () => {
    const { machine: m } = build('mt8183-bus-sel');
    while (m.step()) {
      /* run */
    }
    const v = smiView(m);
    expect(v.topology[0]).toBe('EMI');
    expect(v.topology).toContain('GALS (gals0, gals1)');
    expect(v.larbs.map((l) => l.direct)).toEqual([false, false, true, true, false, false, false, true]);
    expect(v.larbs[1].ports[3]).toMatchObject({ m4uId: 35, attached: true, faults: 1 });
    expect(v.common.power).toBe('off');
    expect(mtkIommuView(m).m4u[0].cells[1].faultsByPort).toEqual({ '1.3': 1 });
  });
});
