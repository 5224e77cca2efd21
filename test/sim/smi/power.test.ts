/**
 * Larb power: a larb whose runtime-PM count dropped to zero has its clocks off and cannot
 * issue DMA. The access is reported as a `larb-off-dma` error record and not served (the
 * memory is not written). Method: an engine puts its larb, then writes.
 */
import { describe, expect, it } from 'vitest';
import { read8 } from '../../../src/sim/mem/phys.ts';
import { build, kinds, mtkScenario, runAll } from '../iommu/mtk-helpers.ts';

describe('larb power', () => {
  it('DMA from a larb with its clocks off is reported, not served', () => {
    const s = mtkScenario('mt8183', 'v5.4', [
      { larb: 4, port: 1, ops: [{ op: 'larb-put' }, { op: 'write', map: 'm', offset: 0, len: 64, pattern: 0x77 }] },
    ]);
    const m = build(s);
    const recs = runAll(m);
    const err = kinds(recs, 'larb-off-dma');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatchObject({ dev: 'e0', larb: 4, port: 1, dir: 'write', refcount: 0, clocks: '-' });
    const dma = kinds(recs, 'dma');
    expect(dma.at(-1)).toMatchObject({ result: 'fault', hit: 'blocked' });
    // b0 is the first buffer allocated: its first byte keeps the fill value (1).
    expect(read8(m.state.mem, 0x40000000)).toBe(1);
  });

  it('resume order: common (clocks, then bus_sel), larb clocks, then the MMU enables', () => {
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', [{ larb: 5, port: 3, ops: [] }])));
    const seq = recs.filter((r) => ['larb-power', 'bus-sel'].includes(r.kind as string) || (r.kind === 'reg' && String(r.block).startsWith('larb')));
    expect(seq.slice(0, 4).map((r) => `${r.kind}:${r.block ?? ''}:${r.op ?? ''}:${r.reg ?? ''}`)).toEqual([
      'larb-power:common:resume:',
      'bus-sel:::SMI_BUS_SEL',
      'larb-power:larb5:resume:',
      'reg:larb5:write:SMI_LARB_NONSEC_CON(3)',
    ]);
    expect(seq[0].clocks).toBe('apb,smi,gals0,gals1');
  });

  it('direct-to-common larbs (mt8183 IPU0, IPU1, CCU) program no larb registers', () => {
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', [2, 3, 7].map((larb) => ({ larb, port: 0, ops: [{ op: 'read', map: 'm', offset: 0, len: 16 }] })))));
    expect(recs.filter((r) => r.kind === 'reg' && String(r.block).startsWith('larb'))).toEqual([]);
    expect(kinds(recs, 'dma').every((d) => d.result === 'ok')).toBe(true);
  });
});
