/**
 * Open a scenario file: load, check and build it in one step, for every front end (the
 * CLI, the SSH server's sessions). Any problem, from the JSON to the build, throws one
 * ScenarioError listing `file:json.path: message (hint)` lines.
 */
import { loadScenarioFile } from './load.ts';
import { ScenarioError } from './problems.ts';
import { type BuildOptions, type Built, buildMachine } from './build/index.ts';

export interface Opened extends Built {
  readonly file: string;
  /** Hash of the file's text: a recorded run or saved breakpoints notice an edit. */
  readonly hash: string;
}

export function openScenario(file: string, opts: Omit<BuildOptions, 'file'> = {}): Opened {
  const res = loadScenarioFile(file);
  if (!res.ok) throw new ScenarioError(res.problems);
  return { ...buildMachine(res.scenario, { ...opts, file }), file, hash: res.hash };
}
