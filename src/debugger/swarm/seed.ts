/**
 * A swarm's unit of work: one seed of a scenario family. The job is plain data (it crosses
 * to worker threads by structured clone); the result depends on nothing but the job and
 * the seed, so any split of the seeds over workers or shards gives the same results.
 */
import { applyPicks, picksKey, swarmPicks, swarmVariant } from '../../scenario/swarm.ts';
import { SwarmSection, type SwarmSectionOut } from '../../scenario/schema/swarm.ts';
import { type Checked, type Outcome, type RunResult, type RunSettings, checkDoc, runScenario } from './run.ts';

export interface SwarmJob {
  /** The scenario file's JSON, as read. */
  readonly raw: Record<string, unknown>;
  readonly file: string;
  readonly settings: RunSettings;
}

export interface SeedResult {
  readonly seed: number;
  /** 'error': a dmadbg bug met on this seed (an internal error, with its message). */
  readonly outcome: Outcome | 'error';
  readonly choices: readonly string[];
  readonly kind?: string;
  readonly seq?: number;
  readonly event?: number;
  readonly line?: string;
  readonly message?: string;
}

/** The scenario document seed `seed` runs: the family member, or the file with the seed set. */
export function seedDoc(raw: Record<string, unknown>, seed: number): { doc: Record<string, unknown>; choices: readonly string[] } {
  if (raw.swarm !== undefined) return swarmVariant(raw, seed);
  return { doc: { ...raw, seed }, choices: [] };
}

/** One member of the family, checked once for every seed that picks it. */
interface Member {
  readonly choices: readonly string[];
  readonly checked: Checked;
}

/** Members kept per runner: a family with more distinct members checks the rest per seed. */
const MEMBERS = 1024;

/**
 * Run seeds of one job. Seeds that pick the same member (the same devices, values and
 * behaviours; see SwarmPicks) differ only in `seed`, which the checks do not read, so the
 * member is parsed and checked once and each seed builds its own machine from it with its
 * own seed. The checked scenario is frozen: a build that wrote to it would throw rather
 * than leak into the next seed. Results equal runSeed's, seed for seed, in any order.
 */
export function seedRunner(job: SwarmJob): (seed: number) => SeedResult {
  const section: SwarmSectionOut | undefined = job.raw.swarm !== undefined ? SwarmSection.parse(job.raw.swarm) : undefined;
  const members = new Map<string, Member>();
  return (seed) => {
    // Within the schema's bound on `seed`, the checks pass or fail alike for every seed.
    if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffff_ffff)) return runSeed(job, seed);
    const picks = section ? swarmPicks(job.raw, section, seed) : undefined;
    const key = picks ? picksKey(picks) : '';
    let choices: readonly string[] = [];
    try {
      let m = members.get(key);
      if (!m) {
        const v = section ? applyPicks(job.raw, section, picks!, seed) : seedDoc(job.raw, seed);
        choices = v.choices;
        const c = checkDoc(v.doc, job.file, job.settings);
        m = { choices, checked: c.ok ? { ok: true, scenario: deepFreeze(c.scenario) } : c };
        if (members.size < MEMBERS) members.set(key, m);
      }
      choices = m.choices;
      return result(seed, choices, m.checked.ok ? runScenario(m.checked.scenario, job.file, seed, job.settings) : invalid(m.checked.message));
    } catch (e) {
      return failed(seed, choices, e);
    }
  };
}

/** One seed on its own, nothing cached: what a runner's result must equal. */
export function runSeed(job: SwarmJob, seed: number): SeedResult {
  const { doc, choices } = seedDoc(job.raw, seed);
  try {
    const c = checkDoc(doc, job.file, job.settings);
    return result(seed, choices, c.ok ? runScenario(c.scenario, job.file, undefined, job.settings) : invalid(c.message));
  } catch (e) {
    return failed(seed, choices, e);
  }
}

const invalid = (message: string): RunResult => ({ outcome: 'invalid', message, events: 0, records: 0 });

function result(seed: number, choices: readonly string[], r: RunResult): SeedResult {
  return {
    seed,
    outcome: r.outcome,
    choices,
    ...(r.kind !== undefined ? { kind: r.kind, seq: r.seq, event: r.event, line: r.line } : {}),
    ...(r.message !== undefined ? { message: r.message } : {}),
  };
}

function failed(seed: number, choices: readonly string[], e: unknown): SeedResult {
  return { seed, outcome: 'error', choices, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}
