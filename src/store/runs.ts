/**
 * Recorded runs: runs/<id>.ndjson next to the workspace file (indexed from it, not kept
 * inside it). Line 1 is the header (scenario, hash, seed, kernel); then one line per
 * command with the stop it produced; the last line the exit code. Written once, at the
 * end of the run, atomically.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RunIndex } from './schema.ts';
import type { Workspace } from './workspace.ts';

export interface RunHeader {
  readonly type: 'run';
  readonly id: string;
  readonly scenario: string;
  readonly file: string;
  readonly hash: string;
  readonly seed: number;
  readonly kernel: string;
  /** Behaviour rows chosen on the command line (`--override`), over the scenario's. */
  readonly overrides?: Readonly<Record<string, string>>;
  readonly startedAt: string;
}

export interface RunStep {
  readonly type: 'command';
  readonly line: string;
  readonly stop?: Record<string, unknown>;
  readonly error?: string;
}

export interface RecordedRun {
  readonly header: RunHeader;
  readonly steps: RunStep[];
  readonly exit: number;
}

export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/** Write the run file, then index it; undefined when the workspace cannot be written (it has warned). */
export function saveRun(ws: Workspace, run: RecordedRun): RunIndex | undefined {
  const path = join(ws.runsDir, `${run.header.id}.ndjson`);
  const lines = [run.header, ...run.steps, { type: 'end', exit: run.exit }].map((x) => JSON.stringify(x));
  if (!ws.writeRunFile(path, lines.join('\n') + '\n')) return undefined;
  const h = run.header;
  const idx: RunIndex = {
    id: h.id,
    scenario: h.scenario,
    file: h.file,
    hash: h.hash,
    seed: h.seed,
    kernel: h.kernel,
    startedAt: h.startedAt,
    path,
    commands: run.steps.length,
    stops: run.steps.filter((s) => s.stop).length,
    exit: run.exit,
  };
  ws.addRun(idx);
  return idx;
}

export function readRun(path: string): RecordedRun {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const objs = lines.map((l, i) => {
    try {
      return JSON.parse(l) as { type: string };
    } catch {
      throw new Error(`${path}:${i + 1}: not JSON (the run file is damaged)`);
    }
  });
  const header = objs[0] as RunHeader;
  if (header?.type !== 'run') throw new Error(`${path}: not a dmadbg run (no header line)`);
  const end = objs.find((o) => o.type === 'end') as { exit: number } | undefined;
  return { header, steps: objs.filter((o) => o.type === 'command') as RunStep[], exit: end?.exit ?? -1 };
}
