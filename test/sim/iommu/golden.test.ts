/**
 * Golden traces of the mtk scenarios, byte for byte (UPDATE_GOLDEN=1 rewrites them; then
 * read the diff). Kernel switches and overrides run the same file, as `dmadbg run --kernel`
 * does. Each case also asserts the one thing its scenario claims, so a regenerated golden
 * cannot silently lose it.
 */
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../../src/scenario/build/index.ts';
import { expectGolden, loadScenario } from '../../helpers/scenario.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';

function lines(name: string, opts: { kernel?: KernelVersion; overrides?: Record<string, string> } = {}): string[] {
  const s = loadScenario(name);
  const m = buildMachine({ ...s, overrides: { ...s.overrides, ...opts.overrides } }, { kernel: opts.kernel }).machine;
  while (m.state.events < 100_000 && m.step()) {
    /* run */
  }
  return Array.from({ length: m.trace.count }, (_, i) => m.trace.line(i));
}
const recs = (ls: string[]) => ls.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('mtk golden traces', () => {
  it('mt8183-bus-sel: vdec faults on mmu1, raw larb 7 remapped to 1', () => {
    const ls = lines('mt8183-bus-sel');
    expectGolden('mt8183-bus-sel.seed-1.jsonl', ls);
    const f = recs(ls).filter((r) => r.kind === 'fault');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ mmu: 'mmu1', larbRaw: 7, larb: 1, dev: 'vdec0' });
    const cells = new Set(recs(ls).filter((r) => r.kind === 'dma').map((r) => r.mmu));
    expect([...cells].sort()).toEqual(['mmu0', 'mmu1']);
  });

  it('mtk-missing-flush: stale-tlb', () => {
    const ls = lines('mtk-missing-flush');
    expectGolden('mtk-missing-flush.seed-1.jsonl', ls);
    expect(recs(ls).filter((r) => r.kind === 'stale-tlb')).toHaveLength(1);
  });

  it('mtk-tf-protect: faulting accesses go to the protect buffer', () => {
    const ls = lines('mtk-tf-protect');
    expectGolden('mtk-tf-protect.seed-1.jsonl', ls);
    const ops = recs(ls).filter((r) => r.kind === 'dev-op' && r.op === 'read-faulted');
    expect(ops).toHaveLength(2);
    expect(ops[0].sum).not.toBe(ops[1].sum); // the write in between changed the protect buffer
  });

  it('mt2712-two-m4u: flushes reach both M4Us; m4u1 handles its fault', () => {
    const ls = lines('mt2712-two-m4u');
    expectGolden('mt2712-two-m4u.seed-1.jsonl', ls);
    const inv = recs(ls).filter((r) => r.kind === 'tlb-inval');
    expect(new Set(inv.map((r) => r.iommu))).toEqual(new Set(['m4u0', 'm4u1']));
    expect(recs(ls).find((r) => r.kind === 'fault')).toMatchObject({ iommu: 'm4u1', larb: 5 });
  });

  it('mtk-larb-off: a DMA from the suspended larb is refused, then served after a get', () => {
    const ls = lines('mtk-larb-off');
    expectGolden('mtk-larb-off.seed-1.jsonl', ls);
    const r = recs(ls);
    expect(r.filter((x) => x.kind === 'larb-off-dma')).toHaveLength(1);
    const venc = r.filter((x) => x.kind === 'dma' && x.dev === 'venc0').map((x) => x.hit);
    expect(venc).toEqual(['miss', 'blocked', 'miss']);
  });

  it.each(['v5.0', 'v5.4'] as const)('mtk-4gb-mode on %s: PTE bit 9 set, CPU PA reached', (kernel) => {
    const ls = lines('mtk-4gb-mode', { kernel });
    expectGolden(`mtk-4gb-mode.${kernel}.seed-1.jsonl`, ls);
    const ptes = recs(ls).filter((r) => r.kind === 'pte' && r.level === 2 && r.new !== '0x00000000');
    expect(ptes.map((r) => r.new)).toEqual(['0x80000e42', '0x00001e42']);
    expect(recs(ls).filter((r) => r.kind === 'dma').map((r) => r.pa)).toEqual(['0x80000000', '0x100001000']);
  });

  it('mtk-4gb-mode-mt8183: MTK_EXT bits 9 (PA 32) and 4 (PA 33)', () => {
    const ls = lines('mtk-4gb-mode-mt8183');
    expectGolden('mtk-4gb-mode-mt8183.seed-1.jsonl', ls);
    const ptes = recs(ls).filter((r) => r.kind === 'pte' && r.level === 2 && r.new !== '0x00000000');
    expect(ptes.map((r) => r.new)).toEqual(['0x80000c42', '0x00001e42', '0x20000c52', '0x20000e52']);
    expect(recs(ls).filter((r) => r.kind === 'dma').map((r) => r.pa)).toEqual(['0x80000000', '0x100001000', '0x220000000', '0x320000000']);
  });

  it.each([
    ['kernel', 'v5.4', '0x20000'],
    ['kernel', 'v5.0', '0x20000'],
    ['corrected', 'v5.4', '0x40120000'],
  ] as const)('v7s-split-blk %s on %s: neighbour page lands at %s', (choice, kernel, pa) => {
    const ls = lines('v7s-split-blk', { kernel, overrides: { 'v7s-split-blk': choice } });
    expectGolden(`v7s-split-blk.${choice}.${kernel}.seed-1.jsonl`, ls);
    const dma = recs(ls).filter((r) => r.kind === 'dma');
    expect(dma[0].pa).toBe('0x40120000'); // before the split
    expect(dma[1].pa).toBe(pa); // after: same IOVA
  });
});
