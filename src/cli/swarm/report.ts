/**
 * A swarm's result, as `--json` prints it and `swarm merge` reads it back: which seeds ran
 * (the shard's slice), how many of each outcome, and every seed that did not pass with its
 * choices and first failing record. Nothing in it depends on timing or on the number of
 * workers, so shards and reruns compare equal.
 */
import type { SeedResult } from '../../debugger/swarm/seed.ts';
import type { KernelVersion } from '../../sim/kernel.ts';
import { decodeLine } from '../../sim/trace/codec.ts';
import { formatRecordRow } from '../../debugger/format.ts';
import { OUTCOMES, type OutcomeCounts } from './outcomes.ts';

export const REPORT_VERSION = 1;

export interface SeedRange {
  readonly from: number;
  readonly to: number;
}

export interface SwarmReport {
  readonly dmadbg: 'swarm';
  readonly version: typeof REPORT_VERSION;
  readonly scenario: string;
  readonly file: string;
  readonly hash: string;
  readonly failOn: readonly string[];
  readonly kernel: KernelVersion | null;
  readonly overrides: Readonly<Record<string, string>>;
  /** The whole swarm's seeds (every shard names the same). */
  readonly seeds: SeedRange;
  /** The seeds this report covers (one range per shard merged in). */
  readonly ran: readonly SeedRange[];
  readonly counts: Readonly<OutcomeCounts>;
  /** Every seed that did not pass, in seed order. */
  readonly results: readonly SeedResult[];
}

/**
 * Seeds that did not pass, as the pool hands them over: the JSON texts of SeedResult
 * arrays, in seed order ('' or '[]' for none). Read once, front to back.
 */
export type ResultTexts = Iterable<string>;

/** The results, one batch parsed at a time. */
export function* parseResults(texts: ResultTexts): Generator<SeedResult> {
  for (const t of texts) if (t) yield* JSON.parse(t) as SeedResult[];
}

/**
 * The report's JSON (one line, as JSON.stringify writes it, newline included) in pieces:
 * `results` is the texts joined as they are, never parsed or held whole.
 */
export function* reportJson(head: Omit<SwarmReport, 'results'>, texts: ResultTexts): Generator<string> {
  const empty = JSON.stringify({ ...head, results: [] });
  yield empty.slice(0, -2); // up to and with the results' `[`
  let first = true;
  for (const t of texts) {
    if (!t || t === '[]') continue;
    yield (first ? '' : ',') + t.slice(1, -1);
    first = false;
  }
  yield ']}\n';
}

/**
 * Shard `index` (1-based) of `count` over [from, to]: a contiguous slice, the same for any
 * machine; the slices of 1..count are disjoint and cover the range.
 */
export function shardRange(all: SeedRange, index: number, count: number): SeedRange | undefined {
  const n = all.to - all.from + 1;
  const lo = all.from + Math.floor((n * (index - 1)) / count);
  const hi = all.from + Math.floor((n * index) / count) - 1;
  return hi >= lo ? { from: lo, to: hi } : undefined;
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/**
 * The text report: each failing seed with its first failing record and choices, then totals.
 * Line by line, as the results are read: a swarm may list millions.
 */
export function* reportLines(r: Omit<SwarmReport, 'results'>, results: Iterable<SeedResult>): Generator<string> {
  for (const x of results) {
    if (x.outcome === 'fail') {
      yield `FAIL seed ${x.seed}: ${x.kind} at record ${x.seq} (event ${x.event})`;
      yield `  ${formatRecordRow(decodeLine(x.line!))}`;
    } else yield `${x.outcome.toUpperCase()} seed ${x.seed}: ${x.message ?? ''}`;
    if (x.choices.length) yield `  choices: ${x.choices.join('; ')}`;
  }
  const total = r.ran.reduce((n, s) => n + s.to - s.from + 1, 0);
  const parts = OUTCOMES.filter((o) => r.counts[o] > 0 || o === 'fail').map((o) => `${r.counts[o]} ${o === 'fail' ? 'failing' : o === 'pass' ? 'passing' : o}`);
  yield `swarm ${r.scenario}: ${plural(total, 'seed')} (${r.ran.map((s) => (s.from === s.to ? `${s.from}` : `${s.from}..${s.to}`)).join(', ')}), fail on ${r.failOn.join(',')}: ${parts.join(', ')}`;
}
