import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';

export interface ShrinkArgs {
  scenario: string;
  seed?: string;
  failOn?: string;
  kernel?: KernelVersion;
  override?: string[];
  output?: string;
  maxEvents?: string;
}

export const shrinkCommand = {
  command: 'shrink <scenario>',
  describe: "Minimise a failing seed: fewer devices, ops, sizes and events while it still fails; writes the scenario and a command file that breaks at the failure",
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file or built-in name (a swarm family: the seed picks its member)' })
      .option('seed', { type: 'string', demandOption: true, describe: 'the failing seed (from `dmadbg swarm`)' })
      .option('fail-on', { type: 'string', demandOption: true, describe: 'record kinds that make the run fail, KIND[,KIND...]' })
      .option('kernel', { type: 'string', choices: [...KERNEL_VERSIONS], describe: "override the scenario's kernel" })
      .option('override', { type: 'string', array: true, describe: 'kernel behaviour ROW=CHOICE (repeatable)' })
      .option('output', { alias: 'o', type: 'string', describe: 'directory for NAME-seedN.min.json and .min.cmds (default: the current one)' })
      .option('max-events', { type: 'string', describe: 'stop each trial run after this many events' })
      .example('$0 shrink mtk-swarm-flush --seed 4 --fail-on stale-tlb', 'writes mtk-swarm-flush-seed4.min.json and .min.cmds')
      .example('$0 tui mtk-swarm-flush-seed4.min.json --commands mtk-swarm-flush-seed4.min.cmds', 'open the result stopped at the failure'),
  handler: async (argv: ArgumentsCamelCase<ShrinkArgs>) => (await import('./shrink-impl.ts')).shrinkHandler(argv),
};
