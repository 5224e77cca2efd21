/** Load + build for the CLI: user mistakes become UsageError-style exits, never stacks. */
import { resolveScenario } from '../store/catalog.ts';
import { type Opened, openScenario } from '../scenario/open.ts';
import { ScenarioError } from '../scenario/problems.ts';
import type { KernelVersion } from '../sim/kernel.ts';
import { SCENARIOS_DIR } from './paths.ts';
import { EXIT, UsageError } from './output.ts';

export type Loaded = Opened;

export function loadAndBuild(arg: string, opts: { seed?: number; kernel?: KernelVersion } = {}): Loaded {
  try {
    return openScenario(resolveScenario(arg, SCENARIOS_DIR), opts);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message, EXIT.error);
    throw e;
  }
}
