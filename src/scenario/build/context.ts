import type { Machine } from '../../sim/machine.ts';
import type { ScenarioOut } from '../schema/index.ts';

/** What build steps share: the machine being built, the scenario, and where buffers landed. */
export interface BuildContext {
  readonly m: Machine;
  readonly s: ScenarioOut;
  readonly file: string;
  readonly buffers: Map<string, { pa: number; size: number }>;
}

/** One section of the scenario turned into machine state; steps run in BUILD_STEPS order. */
export type BuildStep = (ctx: BuildContext) => void;
