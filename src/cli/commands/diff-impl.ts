/**
 * `dmadbg diff`: build the scenario twice (sides A and B), run both in step and compare
 * the trace record by record (the JSON lines: every field, time included). Memory stays
 * flat: only a few records of context are kept; after the first difference each side is
 * run to its end to count records per kind.
 */
import type { ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion, isKernelVersion } from '../../sim/kernel.ts';
import { SimLimitError, LIMITS } from '../../sim/limits.ts';
import { recordLine } from '../../sim/trace/codec.ts';
import type { TraceRecord } from '../../sim/core/trace.ts';
import type { Machine } from '../../sim/machine.ts';
import { closest } from '../../scenario/suggest.ts';
import { intOption } from '../args.ts';
import { loadAndBuild } from '../load.ts';
import { EXIT, Out, UsageError } from '../output.ts';
import { formatRecordRow, formatTime } from '../format.ts';
import { overrideList, parseOverride, runLabel } from '../overrides.ts';
import type { DiffArgs } from './diff.ts';

/** One side's configuration: what it runs with on top of the file. */
export interface Side {
  readonly kernel?: KernelVersion;
  readonly seed?: number;
  readonly overrides: Record<string, string>;
}

const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String));

/** Given once: side B; twice: A then B. */
function twoSides<T>(name: string, values: string[], parse: (v: string) => T): [T | undefined, T | undefined] {
  if (values.length > 2) throw new UsageError(`diff: --${name} is given ${values.length} times; give it once (side B) or twice (A, then B)`);
  const parsed = values.map(parse);
  return parsed.length === 2 ? [parsed[0], parsed[1]] : [undefined, parsed[0]];
}

export function diffSides(argv: Pick<DiffArgs, 'kernel' | 'seed' | 'override'>): [Side, Side] {
  const [ka, kb] = twoSides('kernel', list(argv.kernel), (k) => {
    if (isKernelVersion(k)) return k;
    const near = closest(k, KERNEL_VERSIONS);
    throw new UsageError(`--kernel: "${k}" is not a choice (${near ? `did you mean "${near}"? ` : ''}one of: ${KERNEL_VERSIONS.join(', ')})`);
  });
  const [sa, sb] = twoSides('seed', list(argv.seed), (v) => intOption('seed', v, { max: 0xffff_ffff })!);
  const a: Record<string, string> = {};
  const b: Record<string, string> = {};
  const byRow = new Map<string, string[]>();
  for (const o of overrideList(argv.override).map(parseOverride)) byRow.set(o.id, [...(byRow.get(o.id) ?? []), o.choice]);
  for (const [id, choices] of byRow) {
    if (choices.length > 2) throw new UsageError(`diff: --override ${id} is given ${choices.length} times; once (side B) or twice (A, then B)`);
    if (choices.length === 2) a[id] = choices[0];
    b[id] = choices.at(-1)!;
  }
  return [
    { kernel: ka, seed: sa, overrides: a },
    { kernel: kb, seed: sb, overrides: b },
  ];
}

interface Rec {
  readonly r: TraceRecord;
  readonly line: string;
  readonly event: number;
}

/** A side's records one at a time, stepping its machine as needed. */
class Stream {
  private buf: Rec[] = [];
  private at = 0;
  ended = false;
  limit: string | undefined;
  readonly kinds = new Map<string, number>();
  records = 0;

  constructor(readonly m: Machine, private readonly maxEvents: number) {
    m.keepTrace = false;
  }

  next(): Rec | undefined {
    while (this.at >= this.buf.length) {
      if (this.ended || this.limit !== undefined || this.m.state.events >= this.maxEvents) return undefined;
      this.buf = [];
      this.at = 0;
      try {
        if (!this.m.step()) {
          this.ended = true;
          return undefined;
        }
      } catch (e) {
        if (!(e instanceof SimLimitError)) throw e;
        this.limit = e.message;
        return undefined;
      }
      for (const r of this.m.stepRecords) this.buf.push({ r, line: recordLine(r), event: this.m.state.events });
    }
    const x = this.buf[this.at++];
    this.records++;
    this.kinds.set(x.r.kind, (this.kinds.get(x.r.kind) ?? 0) + 1);
    return x;
  }

  end(): { records: number; events: number; t: number; how: string } {
    const s = this.m.state;
    const how = this.limit !== undefined ? `stopped: ${this.limit}` : this.ended ? 'ended' : `stopped at --max-events ${this.maxEvents}`;
    return { records: this.records, events: s.events, t: s.now, how };
  }
}

/** Fields of two records of one kind whose values differ (the JSON lines' view). */
function changedFields(a: string, b: string): string[] {
  const x = JSON.parse(a) as Record<string, unknown>;
  const y = JSON.parse(b) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => k !== 'seq');
  return keys.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}

const sideText = (name: string, s: Side, m: Machine) => `${name}: ${runLabel(m.config.scenario, m.config.seed, m.config.kernel, s.overrides)}`;

export const diffHandler = async (argv: ArgumentsCamelCase<DiffArgs>): Promise<number> => {
  const [a, b] = diffSides(argv);
  const maxArg = intOption('max-events', argv.maxEvents, { min: 1, max: LIMITS.events });
  const context = intOption('context', argv.context ?? '3', { max: 1000 })!;
  const load = (s: Side) => {
    try {
      return loadAndBuild(argv.scenario, { kernel: s.kernel, seed: s.seed, overrides: Object.keys(s.overrides).length ? s.overrides : undefined });
    } catch (e) {
      // As diff(1): trouble is 2, so 1 keeps meaning "the traces differ".
      if (e instanceof UsageError) throw new UsageError(e.message, EXIT.usage);
      throw e;
    }
  };
  const la = load(a);
  const lb = load(b);
  const ma = la.machine;
  const mb = lb.machine;
  const same = ma.config.kernel === mb.config.kernel && ma.config.seed === mb.config.seed && JSON.stringify(Object.entries({ ...la.scenario.overrides }).sort()) === JSON.stringify(Object.entries({ ...lb.scenario.overrides }).sort());
  if (same) {
    throw new UsageError('diff: both sides would run the same kernel, seed and behaviours; give two kernels (--kernel v5.0 --kernel v5.4), two seeds, or an --override for side B');
  }
  const A = new Stream(ma, maxArg ?? la.scenario.limits.maxEvents);
  const B = new Stream(mb, maxArg ?? lb.scenario.limits.maxEvents);
  const before: Rec[] = [];
  let first: { a?: Rec; b?: Rec } | undefined;
  const afterA: Rec[] = [];
  const afterB: Rec[] = [];
  for (;;) {
    const x = A.next();
    const y = B.next();
    if (!x && !y) break;
    if (x && y && x.line === y.line) {
      before.push(x);
      if (before.length > context) before.shift();
      continue;
    }
    first = { a: x, b: y };
    for (let i = 1; i < context; i++) {
      const xa = A.next();
      if (xa) afterA.push(xa);
      const yb = B.next();
      if (yb) afterB.push(yb);
    }
    while (A.next()) {
      /* count the rest */
    }
    while (B.next()) {
      /* count the rest */
    }
    break;
  }
  const ea = A.end();
  const eb = B.end();
  const kinds = [...new Set([...A.kinds.keys(), ...B.kinds.keys()])].sort();
  const differing = kinds.filter((k) => (A.kinds.get(k) ?? 0) !== (B.kinds.get(k) ?? 0));
  const out = new Out();
  // The configuration each side ran: its kernel, seed and every override in force (the file's and the command line's).
  const cfg = (m: Machine) => ({ kernel: m.config.kernel, seed: m.config.seed, overrides: { ...m.config.overrides } });
  if (argv.json) {
    const rec = (r: Rec | undefined) => (r ? { ...(JSON.parse(r.line) as object), event: r.event } : null);
    out.line(
      JSON.stringify({
        scenario: la.scenario.name,
        a: { ...cfg(ma), ...ea },
        b: { ...cfg(mb), ...eb },
        same: !first,
        first: first
          ? {
              seq: (first.a ?? first.b)!.r.seq,
              t: Math.min(first.a?.r.t ?? Infinity, first.b?.r.t ?? Infinity),
              a: rec(first.a),
              b: rec(first.b),
              fields: first.a && first.b && first.a.r.kind === first.b.r.kind ? changedFields(first.a.line, first.b.line) : null,
              before: before.map(rec),
              afterA: afterA.map(rec),
              afterB: afterB.map(rec),
            }
          : null,
        kinds: Object.fromEntries(kinds.map((k) => [k, [A.kinds.get(k) ?? 0, B.kinds.get(k) ?? 0]])),
      }),
    );
    out.flush();
    return first ? 1 : EXIT.ok;
  }
  out.line(sideText('A', a, ma));
  out.line(sideText('B', b, mb));
  if (!first) {
    out.line(`same trace: ${ea.records} records, ${ea.events} events, t=${formatTime(ea.t)} (${ea.how})`);
    out.flush();
    return EXIT.ok;
  }
  const f = (first.a ?? first.b)!;
  const what = first.a && first.b ? (first.a.r.kind === first.b.r.kind ? `${first.a.r.kind} records differ in ${changedFields(first.a.line, first.b.line).join(', ')}` : `A has ${first.a.r.kind}, B has ${first.b.r.kind}`) : first.a ? `B's trace ends here; A goes on with ${first.a.r.kind}` : `A's trace ends here; B goes on with ${first.b!.r.kind}`;
  out.line(`first difference at record ${f.r.seq} (event ${f.event}, t=${formatTime(f.r.t)}): ${what}`);
  for (const r of before) out.line(`  ${formatRecordRow(r.r)}`);
  for (const r of [first.a, ...afterA]) if (r) out.line(`A ${formatRecordRow(r.r)}`);
  for (const r of [first.b, ...afterB]) if (r) out.line(`B ${formatRecordRow(r.r)}`);
  out.line('summary:');
  out.line(`  A: ${ea.records} records, ${ea.events} events, t=${formatTime(ea.t)} (${ea.how})`);
  out.line(`  B: ${eb.records} records, ${eb.events} events, t=${formatTime(eb.t)} (${eb.how})`);
  if (differing.length) {
    const w = Math.max(4, ...differing.map((k) => k.length));
    out.line(`  ${'kind'.padEnd(w)} ${'A'.padStart(8)} ${'B'.padStart(8)}`);
    for (const k of differing) out.line(`  ${k.padEnd(w)} ${String(A.kinds.get(k) ?? 0).padStart(8)} ${String(B.kinds.get(k) ?? 0).padStart(8)}`);
  } else out.line('  the same records of each kind, in a different order or with different fields');
  out.line(`to look: dmadbg tui ${argv.scenario}${sideArgs(a)} (A) or dmadbg tui ${argv.scenario}${sideArgs(b)} (B), then goto ${f.r.seq}`);
  out.flush();
  return 1;
};

/** The command-line words that give one side (for the "to look" hint). */
function sideArgs(s: Side): string {
  const o = Object.entries(s.overrides).map(([k, v]) => ` --override ${k}=${v}`).join('');
  return `${s.kernel ? ` --kernel ${s.kernel}` : ''}${s.seed !== undefined ? ` --seed ${s.seed}` : ''}${o}`;
}
