// The selftest must also pass when run as a scenario (the v7s-selftest device, one step per
// event), for both kernels, and its trace is pinned by a golden file so any change in PTE
// words, TLB calls or record fields shows up as a diff.
import { describe, expect, it } from 'vitest';
import { expectGolden, linesAfterRestore, loadScenario, runLines, runRecords } from '../../../helpers/scenario.ts';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import { SELFTEST_SCRIPT } from '../../../../src/sim/pgtable/arm-v7s/selftest.ts';

describe('scenario v7s-selftest', () => {
  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`passes every check, one step per event (${kernel})`, () => {
      const recs = runRecords('v7s-selftest', { kernel });
      const checks = recs.filter((r) => r.kind === 'selftest');
      expect(checks.filter((r) => r.result !== 'pass')).toEqual([]);
      expect(checks.at(-1)).toMatchObject({ check: 'self test ok', result: 'pass' });
      expect(checks.length).toBe(SELFTEST_SCRIPT.length);
      expect(recs.filter((r) => r.kind === 'pgtable-tlb' && r.warn)).toEqual([]);
      expect(recs.at(-1)).toMatchObject({ kind: 'dev-done', rounds: 1 });
      // The TLB API is the kernel's: v5.0 add_flush/sync, v5.4 flush_walk/leaf/add_page.
      const ops = new Set(recs.filter((r) => r.kind === 'pgtable-tlb').map((r) => r.op));
      expect([...ops].sort()).toEqual(kernel === 'v5.0'
        ? ['tlb_add_flush', 'tlb_flush_all', 'tlb_sync']
        : ['tlb_add_page', 'tlb_flush_all', 'tlb_flush_leaf', 'tlb_flush_walk']);
    });
  }

  it('matches the golden trace (v5.4, seed 1)', () => {
    expectGolden('v7s-selftest.seed-1.jsonl', runLines('v7s-selftest'));
  });

  it('matches the golden trace (v5.0, seed 1)', () => {
    expectGolden('v7s-selftest.v5.0.seed-1.jsonl', runLines('v7s-selftest', { kernel: 'v5.0' }));
  });

  it('a snapshot mid-selftest (page table in memory and in state) replays to the same trace', () => {
    // Without this, reverse-stepping through a page-table change would silently diverge.
    const full = runLines('v7s-selftest');
    for (const k of [5, 17, 23, 30]) {
      expect(linesAfterRestore('v7s-selftest', k)).toEqual(full);
    }
  });

  it('passes with the override "v7s-split-blk": "corrected" too (the selftest only checks the remapped page)', () => {
    const s = loadScenario('v7s-selftest');
    const { machine: m } = buildMachine({ ...s, overrides: { 'v7s-split-blk': 'corrected' } });
    while (m.step());
    const recs = Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as Record<string, unknown>);
    expect(recs.filter((r) => r.kind === 'selftest' && r.result !== 'pass')).toEqual([]);
    // The split section's neighbours now keep the section PA (0x2000000 + i*4K) instead of i*4K.
    const l2 = recs.filter((r) => r.kind === 'pte' && r.level === 2 && r.iova === '0x2002000');
    expect(l2[0]?.new).toBe('0x02002c7f');
  });
});
