/**
 * SMI bus selection on mt8183: smi-common writes SMI_BUS_SEL (0x220) = 0x4414 at runtime
 * resume, routing larbs 1, 2, 5, 7 to mmu1 and the rest to mmu0; mt8173 and mt2712 leave it
 * at 0. Method: run engines on every larb and check the `bus-sel` record and the cell each
 * `dma` record says served it.
 */
import { describe, expect, it } from 'vitest';
import { SMI_PLATS, busSelCell } from '../../../src/sim/smi/plat.ts';
import { build, kinds, mtkScenario, runAll } from '../iommu/mtk-helpers.ts';

const readOps = [{ op: 'read', map: 'm', offset: 0, len: 64 }];

describe('SMI_BUS_SEL', () => {
  it('mt8183 bus_sel is 0x4414: larbs 1, 2, 5, 7 -> mmu1', () => {
    expect(SMI_PLATS.mt8183.busSel).toBe(0x4414);
    const cells = [0, 1, 2, 3, 4, 5, 6, 7].map((l) => busSelCell(0x4414, l));
    expect(cells).toEqual([0, 1, 1, 0, 0, 1, 0, 1]);
  });

  it('every mt8183 larb routes to its cell, and the record shows value and routes', () => {
    const engines = [0, 1, 2, 3, 4, 5, 6, 7].map((larb) => ({ larb, port: 0, ops: readOps }));
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', engines)));
    const sel = kinds(recs, 'bus-sel');
    expect(sel.length).toBeGreaterThan(0);
    expect(sel[0]).toMatchObject({ off: '0x00000220', value: '0x00004414' });
    expect(sel[0].routes).toBe('larb0:mmu0 larb1:mmu1 larb2:mmu1 larb3:mmu0 larb4:mmu0 larb5:mmu1 larb6:mmu0 larb7:mmu1');
    const dma = kinds(recs, 'dma');
    for (let larb = 0; larb < 8; larb++) {
      const r = dma.find((d) => d.dev === `e${larb}`)!;
      expect(r.mmu, `larb ${larb}`).toBe(busSelCell(0x4414, larb) ? 'mmu1' : 'mmu0');
    }
  });

  it.each(['mt8173', 'mt2712'])('%s writes no SMI_BUS_SEL and uses mmu0 only', (soc) => {
    const recs = runAll(build(mtkScenario(soc, 'v5.4', [{ larb: 1, port: 0, ops: readOps }])));
    expect(kinds(recs, 'bus-sel')).toEqual([]);
    expect(kinds(recs, 'dma').every((d) => d.mmu === 'mmu0')).toBe(true);
  });
});
