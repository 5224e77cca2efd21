/**
 * Larb power: a larb whose runtime-PM count dropped to zero has its clocks off and cannot
 * issue DMA. The access is reported as a `larb-off-dma` error record and not served (the
 * memory is not written). Method: an engine puts its larb, then writes.
 */
import { describe, expect, it } from 'vitest';
import { read8 } from '../../../src/sim/mem/phys.ts';
import { smiStatus } from '../../../src/sim/iommu/mtk/status.ts';
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

  // The larb panel's MMU column reads the larb's registers. mtk-smi.c: gen2's config_port
  // (mtk_smi_larb_config_port_gen2_general) sets F_MMU_EN in SMI_LARB_NONSEC_CON(i) for each
  // bit i of larb->mmu; mt8173's (mtk_smi_larb_config_port_mt8173) writes larb->mmu to
  // SMI_LARB_MMU_EN. Both run at resume; a suspended larb has lost its registers.
  const portsOn = (m: ReturnType<typeof build>, larb: number) =>
    smiStatus(m).larbs[larb].ports.filter((p) => p.mmuEnabled).map((p) => p.port);
  const runUntilDma = (m: ReturnType<typeof build>) => {
    while (m.step()) if (m.stepRecords.some((r) => r.kind === 'dma')) return;
    throw new Error('no dma record');
  };

  it('gen2 (mt8183): resume sets F_MMU_EN in NONSEC_CON of the attached port only; suspend loses it', () => {
    const m = build(mtkScenario('mt8183', 'v5.4', [{ larb: 5, port: 3, ops: [{ op: 'read', map: 'm', offset: 0, len: 16 }, { op: 'larb-put' }] }]));
    runUntilDma(m);
    expect(portsOn(m, 5)).toEqual([3]);
    runAll(m);
    expect(smiStatus(m).larbs[5].powered).toBe(false);
    expect(portsOn(m, 5)).toEqual([]);
  });

  it('mt8173: resume writes larb->mmu to SMI_LARB_MMU_EN (bit 2 for port 2)', () => {
    const m = build(mtkScenario('mt8173', 'v5.0', [{ larb: 1, port: 2, ops: [{ op: 'read', map: 'm', offset: 0, len: 16 }] }]));
    runUntilDma(m);
    expect(portsOn(m, 1)).toEqual([2]);
    expect(portsOn(m, 0)).toEqual([]);
  });
});
