// Without this, reverse stepping and replay silently diverge: same scenario + seed must
// give the same bytes, and a restored snapshot must continue exactly as the original.
import { describe, expect, it } from 'vitest';
import { SCENARIOS, expectGolden, linesAfterRestore, runLines } from '../../helpers/scenario.ts';
import { listScenarios } from '../../../src/store/catalog.ts';

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
        expect(linesAfterRestore('demo-dma-engine', k, { seed })).toEqual(full);
      }
    }
  });

  it('matches the golden trace for seed 7', () => {
    expectGolden('demo-dma-engine.seed-7.jsonl', runLines('demo-dma-engine', { seed: 7 }));
  });
});

describe('every built-in scenario survives the checkpoint path', () => {
  // packSnapshot/unpackSnapshot (v8 serialise + deflate) is what reverse execution restores
  // from: state it cannot carry (a function, a class instance) would break replay here.
  for (const e of listScenarios(SCENARIOS)) {
    it(e.name, () => {
      const full = runLines(e.file);
      for (const k of [1, 9]) expect(linesAfterRestore(e.file, k)).toEqual(full);
    });
  }
});

