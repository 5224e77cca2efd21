/**
 * `dmadbg validate` in one pass: the file's JSON, its schema, every cross-reference check
 * and the build (what only allocation can tell: a buffer that does not fit), then the
 * warnings of what will certainly go wrong at run time (lint.ts). Parts zod refuses are
 * taken out so the rest is still checked and built (prune.ts); every problem and warning
 * names the file's own JSON path.
 */
import { type LoadResult, loadScenarioFile } from './load.ts';
import { ScenarioError, type ScenarioProblem } from './problems.ts';
import { type Built, buildMachine } from './build/index.ts';
import { lintScenario } from './lint.ts';
import type { ScenarioOut } from './schema/index.ts';

export interface Validation {
  /** Errors: the scenario cannot run as written. */
  readonly problems: readonly ScenarioProblem[];
  /** It runs, but this will certainly go wrong. */
  readonly warnings: readonly ScenarioProblem[];
}

export function validateScenarioFile(file: string): Validation {
  return validateLoaded(loadScenarioFile(file), file);
}

/** The build and the warnings after a load (a file's, or a text's: parseScenarioText). */
export function validateLoaded(res: LoadResult, file: string): Validation {
  const problems: ScenarioProblem[] = res.ok ? [] : [...res.problems];
  let scenario: ScenarioOut | undefined;
  let relocate = (ps: readonly ScenarioProblem[]): ScenarioProblem[] => [...ps];
  if (res.ok) scenario = res.scenario;
  else if (res.partial) {
    scenario = res.partial.value;
    relocate = (ps) => res.partial!.relocate(ps);
  }
  if (!scenario) return { problems, warnings: [] };
  let built: Built;
  try {
    built = buildMachine(scenario, { file });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return { problems: [...problems, ...relocate(e.problems)], warnings: [] };
  }
  return { problems, warnings: relocate(lintScenario({ s: scenario, built, file })) };
}
