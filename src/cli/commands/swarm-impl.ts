/** `dmadbg swarm`: seeds of a scenario family on a worker pool; `swarm merge`: shards combined. */
import { readFileSync } from 'node:fs';
import type { ArgumentsCamelCase } from 'yargs';
import { LIMITS } from '../../sim/limits.ts';
import { intOption } from '../args.ts';
import { EXIT, Out, UsageError, printLines } from '../output.ts';
import { failOnKinds, loadFamily, overridesOf } from '../swarm/family.ts';
import { type PoolResult, defaultWorkers, runPool } from '../swarm/pool.ts';
import { progressReporter } from '../swarm/progress.ts';
import { OUTCOMES, noOutcomes } from '../swarm/outcomes.ts';
import { REPORT_VERSION, type ResultTexts, type SeedRange, type SwarmReport, parseResults, reportJson, reportLines, shardRange } from '../swarm/report.ts';
import type { SwarmArgs } from './swarm.ts';
import type { SeedResult } from '../../debugger/swarm/seed.ts';

/** Most seeds one swarm runs (one invocation; shards go past it). */
const MAX_SEEDS = 100_000_000;

function parseSeeds(v: string | undefined): SeedRange {
  if (v === undefined) throw new UsageError('swarm: name the seeds, e.g. --seeds 1..1000');
  const m = /^\s*(\w+)\s*(?:\.\.\s*(\w+))?\s*$/.exec(v);
  const from = m ? intOption('seeds', m[1], { max: 0xffff_ffff }) : undefined;
  const to = m ? intOption('seeds', m[2] ?? m[1], { max: 0xffff_ffff }) : undefined;
  if (from === undefined || to === undefined) throw new UsageError(`--seeds expects A..B or N, got "${v}"`);
  if (to < from) throw new UsageError(`--seeds: ${from}..${to} is empty (write the smaller seed first)`);
  if (to - from + 1 > MAX_SEEDS) throw new UsageError(`--seeds: ${to - from + 1} seeds; one swarm runs at most ${MAX_SEEDS} (split it with --shard)`);
  return { from, to };
}

function parseShard(v: string | undefined): { index: number; count: number } {
  if (v === undefined) return { index: 1, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard expects I/N with 1 <= I <= N, got "${v}" (e.g. --shard 2/8)`);
  return { index, count };
}

/** Print a report (its results as the pool's texts) and return the exit code its counts call for. */
function print(head: Omit<SwarmReport, 'results'>, texts: ResultTexts, json: boolean | undefined): number {
  if (json) {
    const out = new Out();
    for (const piece of reportJson(head, texts)) out.raw(Buffer.from(piece, 'utf8'));
  } else printLines(reportLines(head, parseResults(texts)));
  if (head.counts.error > 0) return EXIT.internal;
  return head.counts.fail + head.counts.invalid + head.counts.limit > 0 ? EXIT.error : EXIT.ok;
}

export async function swarmHandler(argv: ArgumentsCamelCase<SwarmArgs>): Promise<number> {
  if (argv.scenario === 'merge') return merge(argv.files ?? [], argv.json);
  if (argv.files?.length) throw new UsageError(`swarm: unexpected argument "${argv.files[0]}" (usage: dmadbg swarm SCENARIO --seeds A..B --fail-on KIND, or dmadbg swarm merge FILE...)`);
  if (argv.failOn === undefined) throw new UsageError('swarm: missing --fail-on KIND (the record kind that makes a seed fail, e.g. stale-tlb)');
  const failOn = failOnKinds(argv.failOn);
  const overrides = overridesOf(argv.override);
  const all = parseSeeds(argv.seeds);
  const shard = parseShard(argv.shard);
  const workers = intOption('workers', argv.workers, { min: 1, max: 256 }) ?? defaultWorkers();
  const maxEvents = intOption('max-events', argv.maxEvents, { min: 1, max: LIMITS.events });
  const fam = loadFamily(argv.scenario);
  const mine = shardRange(all, shard.index, shard.count);
  const count = mine ? mine.to - mine.from + 1 : 0;
  process.stderr.write(
    `dmadbg: swarm ${fam.name} seeds ${mine ? `${mine.from}..${mine.to}` : '(none)'}${shard.count > 1 ? ` (shard ${shard.index}/${shard.count} of ${all.from}..${all.to})` : ''}, fail on ${failOn.join(',')}, ${Math.min(workers, Math.max(1, count))} workers\n`,
  );
  const progress = progressReporter(process.stderr);
  const t0 = Date.now();
  let pool: PoolResult;
  try {
    pool = await runPool({ raw: fam.raw, file: fam.file, settings: { failOn, kernel: argv.kernel, overrides, maxEvents } }, mine, workers, (p) => progress.update(p));
  } finally {
    progress.done(); // a failure's one line starts on a line of its own
  }
  const { counts, others } = pool;
  const secs = (Date.now() - t0) / 1000;
  const head: Omit<SwarmReport, 'results'> = {
    dmadbg: 'swarm',
    version: REPORT_VERSION,
    scenario: fam.name,
    file: fam.file,
    hash: fam.hash,
    failOn,
    kernel: argv.kernel ?? null,
    overrides,
    seeds: all,
    ran: mine ? [mine] : [],
    counts,
  };
  process.stderr.write(`dmadbg: ${count} seeds in ${secs.toFixed(1)}s (${Math.round(count / Math.max(secs, 1e-3))} seeds/s)\n`);
  let code: number;
  let first: SeedResult | undefined;
  try {
    code = print(head, others.texts(), argv.json);
    // The text report names a seed to shrink: the first failing one.
    if (!argv.json) {
      for (const r of parseResults(others.texts())) {
        if (r.outcome === 'fail') {
          first = r;
          break;
        }
      }
    }
  } finally {
    others.close();
  }
  if (first) process.stderr.write(`dmadbg: shrink one: dmadbg shrink ${fam.file} --seed ${first.seed} --fail-on ${failOn.join(',')}\n`);
  return code;
}

function readReport(file: string): SwarmReport {
  let r: Partial<SwarmReport>;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as Partial<SwarmReport>;
  } catch (e) {
    throw new UsageError(`swarm merge: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'not JSON'}`, EXIT.error);
  }
  if (r.dmadbg !== 'swarm' || r.version !== REPORT_VERSION || !Array.isArray(r.ran) || !Array.isArray(r.results)) {
    throw new UsageError(`swarm merge: ${file} is not a \`dmadbg swarm --json\` result (version ${REPORT_VERSION})`, EXIT.error);
  }
  return r as SwarmReport;
}

function merge(files: readonly string[], json: boolean | undefined): number {
  if (!files.length) throw new UsageError('swarm merge: name the shards\' result files, e.g. dmadbg swarm merge results/*.json');
  const reports = files.map((f) => ({ f, r: readReport(f) }));
  const base = reports[0].r;
  const same = (a: SwarmReport, b: SwarmReport) =>
    a.hash === b.hash && a.failOn.join() === b.failOn.join() && a.kernel === b.kernel && JSON.stringify(a.overrides) === JSON.stringify(b.overrides) && a.seeds.from === b.seeds.from && a.seeds.to === b.seeds.to;
  for (const { f, r } of reports.slice(1)) {
    if (!same(base, r)) throw new UsageError(`swarm merge: ${f} is from another swarm than ${reports[0].f} (scenario file, --fail-on, --kernel, --override or --seeds differ)`, EXIT.error);
  }
  const ran = reports.flatMap(({ f, r }) => r.ran.map((s) => ({ ...s, f }))).sort((a, b) => a.from - b.from);
  for (let i = 1; i < ran.length; i++) {
    if (ran[i].from <= ran[i - 1].to) throw new UsageError(`swarm merge: seeds ${ran[i].from}..${Math.min(ran[i].to, ran[i - 1].to)} are in both ${ran[i - 1].f} and ${ran[i].f}`, EXIT.error);
  }
  const results = reports.flatMap(({ r }) => r.results).sort((a, b) => a.seed - b.seed);
  const counts = noOutcomes();
  for (const { r } of reports) for (const k of OUTCOMES) counts[k] += r.counts[k] ?? 0;
  // Adjacent slices join, so a complete merge reads as the swarm's whole range.
  const joined: SeedRange[] = [];
  for (const s of ran) {
    const last = joined.at(-1);
    if (last && last.to + 1 === s.from) joined[joined.length - 1] = { from: last.from, to: s.to };
    else joined.push({ from: s.from, to: s.to });
  }
  const missing = joined.length === 1 && joined[0].from === base.seeds.from && joined[0].to === base.seeds.to ? undefined : joined;
  if (missing) process.stderr.write(`dmadbg: swarm merge: the shards cover ${joined.map((s) => `${s.from}..${s.to}`).join(', ')} of ${base.seeds.from}..${base.seeds.to}; some shards are missing\n`);
  const { results: _, ...head } = base;
  return print({ ...head, ran: joined, counts }, [JSON.stringify(results)], json);
}
