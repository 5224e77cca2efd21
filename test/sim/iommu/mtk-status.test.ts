/**
 * The mtk model's status for `info iommu`, `info iotlb`, `info smi` and the larb-bus panel:
 * plain typed data (numbers, not text; JSON-able) that agrees with what the trace showed,
 * and the info text the debugger formats from it.
 * Method: run mtk-missing-flush to just after its stale read and mt8183-bus-sel to the end.
 */
import { describe, expect, it } from 'vitest';
import { build } from '../../helpers/scenario.ts';
import type { RecordOf } from '../../../src/sim/trace-kinds.ts';
import { mtkIommuStatus, mtkIotlbEntries, smiStatus } from '../../../src/sim/iommu/mtk/status.ts';
import { inspector } from '../../../src/debugger/inspect/index.ts';

describe('mtk status', () => {
  it('info iotlb marks the stale entry; info iommu counts hits and misses per cell', () => {
    const built = build('mtk-missing-flush');
    const m = built.machine;
    while (m.step()) {
      if (m.stepRecords.some((r) => r.kind === 'stale-tlb')) break;
    }
    const stale = m.stepRecords.find((r) => r.kind === 'stale-tlb') as RecordOf<'stale-tlb'>;
    const tlb = mtkIotlbEntries(m, 0, 1);
    expect(tlb.filter((e) => e.stale)).toHaveLength(1);
    // The entry still maps what the stale-tlb record says the device was served from.
    const e = tlb.find((x) => x.stale)!;
    expect(e.pa + (stale.iova - e.iova)).toBe(stale.cachedPa);
    const v = mtkIommuStatus(m);
    expect(v.m4u[0].cells[1]).toMatchObject({ mmu: 'mmu1', hits: 1, misses: 2, walks: 2 });
    expect(typeof v.m4u[0].ptBase).toBe('number');
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
    const text = inspector('iommu')!.run({ machine: m, built }, []);
    expect(text.find((l) => l.includes('mmu1:'))).toMatch(/iotlb \d+\/\d+ hit 33\.3% \(1\/3\)/);
    expect(text.find((l) => l.includes('mmu0:'))).toMatch(/ hit - \(0\/0\)/);
    expect(text[1]).toMatch(/PT_BASE 0x[0-9a-f]{8}  FAULT_ST1 0x[0-9a-f]{8}/);
  });

  it('info smi: topology, bus selection per larb, fault counts per port', () => {
    const built = build('mt8183-bus-sel');
    const m = built.machine;
    while (m.step()) {
      /* run */
    }
    const v = smiStatus(m);
    expect(v.hasGals).toBe(true);
    expect(v.larbs.map((l) => l.direct)).toEqual([false, false, true, true, false, false, false, true]);
    expect(v.larbs[1].ports[3]).toMatchObject({ m4uId: 35, attached: true, faults: 1 });
    expect(v.common.powered).toBe(false);
    expect(mtkIommuStatus(m).m4u[0].cells[1].faultsByPort).toEqual({ '1.3': 1 });
    const text = inspector('smi')!.run({ machine: m, built }, []);
    expect(text[1]).toBe('  EMI');
    expect(text).toContain('  GALS (gals0, gals1)');
    expect(text[0]).toMatch(/^SMI mt8183: common power off .* SMI_BUS_SEL 0x[0-9a-f]{8}$/);
  });
});
