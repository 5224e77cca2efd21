/** Load + build for the CLI: user mistakes become UsageError-style exits, never stacks. */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { listScenarios, resolveScenario } from '../store/catalog.ts';
import { type Opened, openScenario } from '../scenario/open.ts';
import { closest } from '../scenario/suggest.ts';
import { ScenarioError } from '../scenario/problems.ts';
import type { KernelVersion } from '../sim/kernel.ts';
import { SCENARIOS_DIR } from './paths.ts';
import { EXIT, UsageError } from './output.ts';

export type Loaded = Opened;

export function loadAndBuild(arg: string, opts: { seed?: number; kernel?: KernelVersion; overrides?: Record<string, string> } = {}): Loaded {
  const file = resolveScenario(arg, SCENARIOS_DIR);
  if (!existsSync(file)) {
    // A mistyped name is a usage mistake (exit 2), with the did-you-mean `dmadbg NAME` gives.
    const near = closest(basename(arg).replace(/\.json$/, ''), listScenarios(SCENARIOS_DIR).map((e) => e.name));
    throw new UsageError(`no scenario "${arg}": no such file, and no built-in scenario of that name${near ? ` (did you mean ${near}?)` : ''}; \`dmadbg list\` shows the built-in ones`, EXIT.usage);
  }
  try {
    return openScenario(file, opts);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message, EXIT.error);
    throw e;
  }
}
