// Goal: the three SVA scenarios show what their descriptions promise, on both kernels,
// with the same workload and seed, and their traces stay byte-identical (goldens).
import { describe, expect, it } from 'vitest';
import { build, expectGolden, linesAfterRestore, runLines, runRecords } from '../../helpers/scenario.ts';

type R = Record<string, unknown>;
const HOT = '0x7f0000001000';
const kinds = (recs: R[], kind: string) => recs.filter((r) => r.kind === kind);

describe('amd-v2-young-bit', () => {
  it('for 20 seeds: v5.0 keeps the device-hot page, v5.4 reclaims it and a page request follows', () => {
    const traces = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const v50 = runRecords('amd-v2-young-bit', { seed, kernel: 'v5.0' });
      const v54 = runRecords('amd-v2-young-bit', { seed, kernel: 'v5.4' });
      traces.add(JSON.stringify(v50.filter((r) => r.kind === 'dma').map((r) => r.t)));
      const hot50 = kinds(v50, 'reclaim').filter((r) => r.va === HOT && r.result !== 'aged');
      expect(hot50.map((r) => r.result), `seed ${seed}`).toEqual(['activated']);
      expect(kinds(v50, 'page-request'), `seed ${seed}`).toEqual([]);
      expect(kinds(v50, 'atc-inval').some((r) => r.by === 'clear_flush_young')).toBe(true);

      const hot54 = kinds(v54, 'reclaim').filter((r) => r.va === HOT && r.result !== 'aged');
      expect(hot54.map((r) => r.result), `seed ${seed}`).toEqual(['reclaimed']);
      const reclaimSeq = hot54[0].seq as number;
      const pr = kinds(v54, 'page-request').filter((r) => (r.seq as number) > reclaimSeq);
      expect(pr.length, `seed ${seed}`).toBeGreaterThan(0);
      expect([pr[0].va, pr[0].fault, pr[0].response]).toEqual([HOT, 'do_swap_page', 'success']);
      // invalidate_range flushed the ATC before the page was freed: the device never read it stale.
      expect(kinds(v50, 'coherency-violation')).toEqual([]);
      expect(kinds(v54, 'coherency-violation')).toEqual([]);
      expect(kinds(v54, 'atc-inval').some((r) => r.by === 'clear_flush_young')).toBe(false);
    }
    // The seed must matter (device jitter), or 20 seeds test one case 20 times.
    expect(traces.size).toBeGreaterThan(15);
  });

  it('the device reads the same bytes before and after the page went to swap and back', () => {
    const { machine: m } = build('amd-v2-young-bit', { kernel: 'v5.4' });
    while (m.step());
    const dmas = [];
    for (let i = 0; i < m.trace.count; i++) {
      const r = JSON.parse(m.trace.line(i)) as R;
      if (r.kind === 'dma') dmas.push(r);
    }
    expect(dmas.every((r) => r.result === 'ok')).toBe(true);
  });
});

describe('intel-svm-change-pte', () => {
  it('v5.0 flushes by change_pte and invalidate_range; v5.4 only by invalidate_range; no violation', () => {
    const v50 = runRecords('intel-svm-change-pte', { kernel: 'v5.0' });
    const v54 = runRecords('intel-svm-change-pte', { kernel: 'v5.4' });
    const by = (recs: R[]) => kinds(recs, 'atc-inval').map((r) => r.by);
    expect(by(v50)).toEqual(['change_pte', 'invalidate_range', 'change_pte', 'invalidate_range', 'change_pte', 'invalidate_range', 'invalidate_range', 'change_pte']);
    expect(by(v54)).toEqual(['invalidate_range', 'invalidate_range', 'invalidate_range', 'invalidate_range']);
    // Every change_pte flush is followed (or preceded, under the PTL for COW) by an
    // invalidate_range flush of the same page in the same start/end pair.
    for (const r of kinds(v50, 'atc-inval').filter((x) => x.by === 'change_pte')) {
      expect(kinds(v50, 'atc-inval').some((x) => x.by === 'invalidate_range' && x.start === r.start && x.t === r.t)).toBe(true);
    }
    expect(kinds(v50, 'coherency-violation')).toEqual([]);
    expect(kinds(v54, 'coherency-violation')).toEqual([]);
  });
});

describe('sva-munmap', () => {
  it('invalidate_range flushes, the next access page-requests, the request fails, the device faults', () => {
    const recs = runRecords('sva-munmap');
    const munmapSeq = kinds(recs, 'mm').find((r) => r.op === 'munmap')!.seq as number;
    const inval = kinds(recs, 'atc-inval').filter((r) => (r.seq as number) > munmapSeq);
    expect(inval[0]).toMatchObject({ by: 'invalidate_range', start: '0x7f0000002000', end: '0x7f0000004000', dropped: 2 });
    const pr = kinds(recs, 'page-request')[0];
    expect(pr).toMatchObject({ va: '0x7f0000002000', fault: 'no vma', response: 'invalid' });
    const after = recs.filter((r) => r.kind === 'dma' && (r.seq as number) > munmapSeq);
    expect(after.every((r) => r.result === 'fault')).toBe(true);
    expect(kinds(recs, 'coherency-violation')).toEqual([]);
  });
});

describe('goldens and determinism', () => {
  for (const [name, kernel] of [['amd-v2-young-bit', 'v5.0'], ['amd-v2-young-bit', 'v5.4'], ['intel-svm-change-pte', 'v5.0'], ['intel-svm-change-pte', 'v5.4'], ['sva-munmap', 'v5.4']] as const) {
    it(`${name} on ${kernel} matches its golden trace`, () => {
      const lines = runLines(name, { kernel });
      expect(runLines(name, { kernel })).toEqual(lines);
      expectGolden(`${name}.${kernel}.seed-1.jsonl`, lines);
    });
  }

  it('snapshot mid-run, restore, continue: same suffix', () => {
    const full = runLines('amd-v2-young-bit', { kernel: 'v5.4' });
    expect(linesAfterRestore('amd-v2-young-bit', 30, { kernel: 'v5.4' })).toEqual(full);
  });
});

describe('kernel behaviour overrides', () => {
  it('amd-v2-clear-flush-young=absent on v5.0 behaves like v5.4, and the reverse', async () => {
    const { loadScenario } = await import('../../helpers/scenario.ts');
    const { buildMachine } = await import('../../../src/scenario/build/index.ts');
    const base = loadScenario('amd-v2-young-bit');
    const run = (kernel: 'v5.0' | 'v5.4', choice: string) => {
      const { machine: m } = buildMachine({ ...base, overrides: { 'amd-v2-clear-flush-young': choice } }, { kernel });
      while (m.step());
      const out: R[] = [];
      for (let i = 0; i < m.trace.count; i++) out.push(JSON.parse(m.trace.line(i)) as R);
      return out.filter((r) => r.kind === 'page-request').length;
    };
    expect(run('v5.0', 'absent')).toBeGreaterThan(0);
    expect(run('v5.4', 'present')).toBe(0);
  });
});
