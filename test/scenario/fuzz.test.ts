/**
 * Bad input must never crash, hang or exhaust dmadbg. Seeded and bounded: scenario mutants
 * (test/fuzz/mutate.ts) are each refused with problems at JSON paths that exist, or built
 * and run to a bounded end; random command files (Unicode blanks included) each run to
 * their end. Cases run in worker processes with a time limit per case and a heap limit, so
 * a hang or an out-of-memory is a reported failure, not a stuck suite. Every failure
 * prints its seed and input.
 *
 * More cases: DMADBG_FUZZ_SCENARIOS=10000 DMADBG_FUZZ_COMMANDS=2000 npx vitest run test/scenario/fuzz.test.ts
 * (or `npx tsx test/fuzz/run.ts`); another seed: DMADBG_FUZZ_SEED=N.
 */
import { describe, expect, it } from 'vitest';
import { commandCases, failures, scenarioCases, summarize } from '../fuzz/cases.ts';
import { runPool } from '../fuzz/pool.ts';
import { located, parsePath } from '../fuzz/paths.ts';

const SEED = Number(process.env.DMADBG_FUZZ_SEED ?? 2024);
const SCENARIOS = Number(process.env.DMADBG_FUZZ_SCENARIOS ?? 2500);
const COMMANDS = Number(process.env.DMADBG_FUZZ_COMMANDS ?? 300);

describe('fuzzed input', () => {
  it(`${SCENARIOS} scenario mutations (seed ${SEED}): refused at a real JSON path, or run to a bounded end`, { timeout: 600_000 }, async () => {
    const set = scenarioCases(SCENARIOS, SEED);
    const results = await runPool(set.cases, { workers: 2 });
    const report = summarize('scenario mutations', set, results);
    expect(failures(results), report).toEqual([]);
    // The mutants reach both sides: refusals and runs.
    expect(results.filter((r) => r.outcome === 'refused').length).toBeGreaterThan(SCENARIOS / 4);
    expect(results.filter((r) => r.outcome === 'ran').length).toBeGreaterThan(SCENARIOS / 50);
  });

  it(`${COMMANDS} random command files (seed ${SEED}): each runs to its end`, { timeout: 600_000 }, async () => {
    const set = commandCases(COMMANDS, SEED);
    const results = await runPool(set.cases, { workers: 2 });
    expect(failures(results), summarize('command files', set, results)).toEqual([]);
  });
});

describe('the fuzz oracle', () => {
  const doc = { memory: { dram: [{ base: 1 }], '': 1 }, devices: [{ ops: [] }] };
  const p = (path: string, message = 'm') => ({ file: 'f', path, message });
  it('reads paths with indexes and quoted keys', () => {
    expect(parsePath('devices[0].ops[1].len')).toEqual(['devices', 0, 'ops', 1, 'len']);
    expect(parsePath('memory[""]')).toEqual(['memory', '']);
    expect(parsePath('memory["a.b"].x')).toEqual(['memory', 'a.b', 'x']);
  });
  it('accepts paths to values or to a missing field of an existing object; refuses the rest', () => {
    expect(located(p('memory.dram[0].base'), doc)).toBe(true);
    expect(located(p('memory.dram[0].size'), doc)).toBe(true); // missing field
    expect(located(p('memory[""]'), doc)).toBe(true);
    expect(located(p('memory.dram[1]'), doc)).toBe(false); // no such element
    expect(located(p('memory.nope.x'), doc)).toBe(false);
    expect(located(p(''), doc)).toBe(false);
    expect(located(p('', 'not valid JSON at line 1 column 3: ...'), doc)).toBe(true);
  });
});
