/** Seeded fuzz cases (scenario mutants and random command files) and the failure report. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { intBelow, prngFromSeed, type Prng } from '../../src/sim/core/prng.ts';
import { mutant, type Mutant } from './mutate.ts';
import type { PoolResult } from './pool.ts';
import type { CommandsCase, ScenarioCase } from './worker.ts';

const SCENARIOS = join(import.meta.dirname, '..', '..', 'scenarios');
export const BASES = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.json') && f !== 'schema.json')
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(SCENARIOS, f), 'utf8') }));

/** Events each accepted mutant runs (bounded; the built-in scenarios end sooner). */
const MAX_EVENTS = 3000;

export interface CaseSet<C> {
  readonly cases: C[];
  /** What to print for a failing case: its seed and input. */
  describe(id: number): string;
}

export function scenarioCases(n: number, seed: number): CaseSet<ScenarioCase> {
  const mutants: Mutant[] = [];
  for (let i = 0; i < n; i++) mutants.push(mutant(seed * 1_000_003 + i, BASES));
  return {
    cases: mutants.map((m, id) => ({ id, kind: 'scenario', text: m.text, maxEvents: MAX_EVENTS, session: id % 4 === 0 })),
    describe: (id) => {
      const m = mutants[id];
      return `mutant seed ${m.seed} of ${m.base}: ${m.steps.join('; ')}\n  input: ${m.text.length > 3000 ? m.text.slice(0, 3000) + '…' : m.text}`;
    },
  };
}

const pick = <T>(p: Prng, xs: readonly T[]): T => xs[intBelow(p, xs.length)];
const BLANKS = [' ', ' ', ' ', '\t', '\u00a0', '\u3000', '\u2028', '\u2029', '\ufeff', '\f', '\v', '\u200b', '\r'];
const WORDS = [
  'step', 'stepi', 'next', 'continue', 'c', 's', 'reverse-step', 'reverse-continue', 'rs', 'rc', 'reverse-stepi', 'goto', 'until', 'finish',
  'break', 'tbreak', 'watch', 'log', 'delete', 'enable', 'disable', 'ignore', 'condition', 'commands', 'end', 'info', 'x/8w', 'x/4b', 'x/2g', 'x',
  'why', 'provenance', 'bookmark', 'help', 'trace', 'print', 'p', 'fault', 'inval', 'notifier', 'swiotlb-full', 'coherency', 'stale-tlb', 'kind=dma',
  'kind=map', 'where', 'if', 'and', '&&', 'dev=blit0', 'len>=4096', 'iova=0x7f000000', 'mmu=1', 'iova', 'pa', 'pte', 'slot', 'bus-sel',
  '0x1000..0x2000', '0x2000..0x1000', '1-99999999999', '3-2', '1', '0', '-1', '99999999999999999999', '@5', '@99999999', '10us', '1e9', '0x',
  'iommu', 'pt', 'iotlb', 'smi', 'swiotlb', 'notifiers', 'devices', 'kernels', 'breakpoints', '"{dev} {addr}"', '"unterminated', '""', '\\',
  ';', '#', '#x', 'here', 'mtk-dom0', 'a'.repeat(300), '\u00e9t\u00e9', '💥', '\u0000', '%s%n', '${x}', '..', '=', '==', '~', '!=', '<', '>',
];

function commandLine(p: Prng): string {
  const n = 1 + intBelow(p, 6);
  let s = intBelow(p, 8) === 0 ? pick(p, BLANKS) : '';
  for (let i = 0; i < n; i++) {
    s += pick(p, WORDS);
    s += intBelow(p, 5) === 0 ? pick(p, BLANKS).repeat(1 + intBelow(p, 3)) : ' ';
  }
  return intBelow(p, 10) === 0 ? s.slice(0, intBelow(p, s.length + 1)) : s;
}

export function commandCases(n: number, seed: number): CaseSet<CommandsCase> {
  const p = prngFromSeed(seed ^ 0x5eed);
  const files: { scenario: string; lines: string[] }[] = [];
  const usable = BASES.filter((b) => !/v7s-selftest/.test(b.name));
  for (let i = 0; i < n; i++) {
    const base = pick(p, usable);
    const lines = Array.from({ length: 3 + intBelow(p, 10) }, () => commandLine(p));
    files.push({ scenario: base.name, lines });
  }
  return {
    cases: files.map((f, id) => ({ id, kind: 'commands', scenario: BASES.find((b) => b.name === f.scenario)!.text, lines: f.lines })),
    describe: (id) => `command file ${id} (seed ${seed}) on ${files[id].scenario}:\n${files[id].lines.map((l) => `  ${JSON.stringify(l)}`).join('\n')}`,
  };
}

export function summarize<C>(what: string, set: CaseSet<C>, results: readonly PoolResult[]): string {
  const tally = new Map<string, number>();
  for (const r of results) tally.set(r.outcome, (tally.get(r.outcome) ?? 0) + 1);
  const bad = results.filter((r) => r.outcome === 'crash' || r.outcome === 'hang' || r.outcome === 'oom' || r.outcome === 'unlocated');
  const slowest = Math.max(0, ...results.map((r) => r.ms));
  const lines = [`${what}: ${results.length} cases: ${[...tally].map(([k, v]) => `${v} ${k}`).join(', ')}; slowest ${slowest} ms`];
  for (const r of bad.slice(0, 40)) lines.push(`FAIL ${r.outcome}: ${r.detail}\n  ${set.describe(r.id)}`);
  if (bad.length > 40) lines.push(`... and ${bad.length - 40} more`);
  return lines.join('\n');
}

/** The failures only (for assertions). */
export const failures = (results: readonly PoolResult[]) => results.filter((r) => r.outcome === 'crash' || r.outcome === 'hang' || r.outcome === 'oom' || r.outcome === 'unlocated');
