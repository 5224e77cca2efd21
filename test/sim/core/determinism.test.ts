// Without this, reverse stepping and replay silently diverge: same scenario + seed must
// give the same bytes, and a restored snapshot must continue exactly as the original.
import { describe, expect, it } from 'vitest';
import { build, expectGolden, runLines } from '../../helpers/scenario.ts';
import { traceLine } from '../../../src/sim/core/trace.ts';

describe('determinism of the demo scenario', () => {
  it('gives byte-identical JSON Lines for the same seed, 50 seeds', () => {
    const distinct = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const a = runLines('demo-dma-engine', { seed }).join('\n');
      const b = runLines('demo-dma-engine', { seed }).join('\n');
      expect(a).toBe(b);
      distinct.add(a);
    }
    // The seed must matter (jitter interleaves the engines), or this test proves nothing.
    expect(distinct.size).toBeGreaterThan(10);
  });

  it('snapshot at event k, restore, run to the end: the suffix equals the uninterrupted run', () => {
    for (const seed of [1, 2, 3]) {
      const full = runLines('demo-dma-engine', { seed });
      for (const k of [0, 3, 7, 11]) {
        const { machine: m } = build('demo-dma-engine', { seed });
        while (m.state.events < k && m.step());
        const snap = m.snapshot();
        // Run ahead and change memory, then go back: nothing of it may leak through.
        while (m.step());
        m.restore(snap);
        while (m.step());
        const lines: string[] = [];
        for (let i = 0; i < m.trace.count; i++) lines.push(traceLine(m.trace, i));
        expect(lines).toEqual(full);
      }
    }
  });

  it('matches the golden trace for seed 7', () => {
    expectGolden('demo-dma-engine.seed-7.jsonl', runLines('demo-dma-engine', { seed: 7 }));
  });
});
