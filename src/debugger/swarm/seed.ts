/**
 * A swarm's unit of work: one seed of a scenario family. The job is plain data (it crosses
 * to worker threads by structured clone); the result depends on nothing but the job and
 * the seed, so any split of the seeds over workers or shards gives the same results.
 */
import { swarmVariant } from '../../scenario/swarm.ts';
import { type Outcome, type RunSettings, runDoc } from './run.ts';

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

export function runSeed(job: SwarmJob, seed: number): SeedResult {
  const { doc, choices } = seedDoc(job.raw, seed);
  try {
    const r = runDoc(doc, job.file, job.settings);
    return {
      seed,
      outcome: r.outcome,
      choices,
      ...(r.kind !== undefined ? { kind: r.kind, seq: r.seq, event: r.event, line: r.line } : {}),
      ...(r.message !== undefined ? { message: r.message } : {}),
    };
  } catch (e) {
    return { seed, outcome: 'error', choices, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
