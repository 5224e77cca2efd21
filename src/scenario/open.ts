/**
 * Open a scenario file: load, check and build it in one step, for every front end (the
 * CLI, the SSH server's sessions). Any problem, from the JSON to the build, throws one
 * ScenarioError listing `file:json.path: message (hint)` lines.
 */
import { loadScenarioFile } from './load.ts';
import { ScenarioError } from './problems.ts';
import { checkScenario } from './check.ts';
import { type BuildOptions, type Built, buildMachine } from './build/index.ts';

export interface Opened extends Built {
  readonly file: string;
  /** Hash of the file's text: a recorded run or saved breakpoints notice an edit. */
  readonly hash: string;
}

export interface OpenOptions extends Omit<BuildOptions, 'file'> {
  /** Behaviour rows chosen over the scenario's own "overrides" (`--override NAME=CHOICE`). */
  readonly overrides?: Readonly<Record<string, string>>;
}

export function openScenario(file: string, opts: OpenOptions = {}): Opened {
  const res = loadScenarioFile(file);
  if (!res.ok) throw new ScenarioError(res.problems);
  const { overrides, ...build } = opts;
  let s = res.scenario;
  if (overrides || (opts.kernel && opts.kernel !== s.kernel)) {
    // Run as if the file said so: the checks that read the kernel and its rows run again.
    s = { ...s, kernel: opts.kernel ?? s.kernel, overrides: { ...s.overrides, ...overrides } };
    const problems = checkScenario(s, file).map((p) => ({ ...p, hint: `${p.hint ? `${p.hint}; ` : ''}with --kernel ${s.kernel}${overrides ? ` and --override ${Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}` }));
    if (problems.length) throw new ScenarioError(problems);
  }
  return { ...buildMachine(s, { ...build, file }), file, hash: res.hash };
}
