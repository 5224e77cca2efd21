/** Load + build for the CLI: user mistakes become UsageError-style exits, never stacks. */
import { loadScenarioFile } from '../scenario/load.ts';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { listScenarios, resolveScenario } from '../scenario/catalog.ts';
import { closest } from '../scenario/suggest.ts';
import { type Built, buildMachine } from '../scenario/build/index.ts';
import { ScenarioError, formatProblem } from '../scenario/problems.ts';
import type { KernelVersion } from '../sim/kernel.ts';
import { SCENARIOS_DIR } from './paths.ts';
import { EXIT, UsageError } from './output.ts';

export interface Loaded extends Built {
  file: string;
  hash: string;
}

export function loadAndBuild(arg: string, opts: { seed?: number; kernel?: KernelVersion } = {}): Loaded {
  const file = resolveScenario(arg, SCENARIOS_DIR);
  if (!existsSync(file)) {
    // A mistyped name is a usage mistake (exit 2), with the did-you-mean `dmadbg NAME` gives.
    const near = closest(basename(arg).replace(/\.json$/, ''), listScenarios(SCENARIOS_DIR).map((e) => e.name));
    throw new UsageError(`no scenario "${arg}": no such file, and no built-in scenario of that name${near ? ` (did you mean ${near}?)` : ''}; \`dmadbg list\` shows the built-in ones`, EXIT.usage);
  }
  const res = loadScenarioFile(file);
  if (!res.ok) throw new UsageError(res.problems.map(formatProblem).join('\n'), EXIT.error);
  try {
    const built = buildMachine(res.scenario, { file, seed: opts.seed, kernel: opts.kernel });
    return { ...built, file, hash: res.hash };
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message, EXIT.error);
    throw e;
  }
}
