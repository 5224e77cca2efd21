import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';
import { OVERRIDE_OPTION } from '../overrides.ts';

export interface RunArgs {
  scenario?: string;
  commands?: string;
  replay?: string;
  workspace?: string;
  record?: boolean;
  restore?: boolean;
  json?: boolean;
  until?: string;
  untilKind?: string;
  filter?: string;
  dmesg?: boolean;
  stacks?: boolean;
  seed?: string;
  kernel?: KernelVersion;
  maxEvents?: string;
  override?: string | string[];
}

export const runCommand = {
  command: 'run [scenario]',
  describe: 'Run a scenario headless and print its trace',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario file, or the name of a built-in scenario' })
      .option('json', { type: 'boolean', describe: 'print JSON Lines instead of a table (one record per line; with --commands one object per command, with its stop)' })
      .option('dmesg', { type: 'boolean', describe: 'print only the kernel log, as dmesg does: "[seconds.micros] text" from virtual time (--filter narrows it: --filter \'klog text~fault\')' })
      .option('stacks', { type: 'boolean', describe: 'with --json: each record emitted inside modelled kernel functions gains "stack": their names, innermost first (off by default)' })
      .option('until', { type: 'string', describe: 'stop after the record with this seq' })
      .option('until-kind', { type: 'string', describe: 'stop after the first record of this kind' })
      .option('filter', { type: 'string', describe: 'print only the records this filter selects, the grammar of break and trace: KIND [FIELD OP VALUE ...] [where ...] (docs/debugger.md)' })
      .option('seed', { type: 'string', describe: "override the scenario's seed (u32)" })
      .option('kernel', { type: 'string', choices: [...KERNEL_VERSIONS], describe: "override the scenario's kernel" })
      .option('max-events', { type: 'string', describe: 'stop after this many events' })
      .option('override', { ...OVERRIDE_OPTION })
      .option('commands', { type: 'string', describe: 'run a debugger command file (one command per line, # comments; - reads standard input); exit 3 if it ends at a breakpoint', group: 'Debugger:' })
      .option('replay', { type: 'string', describe: 'reproduce a recorded run by id ("last" for the newest) and check its stops', group: 'Debugger:' })
      .option('workspace', { type: 'string', describe: 'workspace directory (default $DMADBG_WORKSPACE, $XDG_DATA_HOME/dmadbg, ~/.local/share/dmadbg)', group: 'Debugger:' })
      .option('record', { type: 'boolean', default: true, describe: 'record a --commands run in the workspace (--no-record to skip)', group: 'Debugger:' })
      .option('restore', { type: 'boolean', describe: "start with the scenario's saved breakpoints and bookmarks, and save changes", group: 'Debugger:' })
      .example('$0 run demo-dma-engine --commands cmds.txt', 'run a debugger script headless')
      .example('$0 run mt8183-bus-sel --commands - < fault.cmds', 'the command file on standard input (as over ssh)')
      .example('$0 run --replay last', 'reproduce the last recorded run')
      .example('$0 run demo-dma-engine --json', 'the demo trace as JSON Lines')
      .example('$0 run mt8183-bus-sel --dmesg', "the kernel's log of the run")
      .example('$0 run dma-mask-bounce --json --stacks', 'records with the kernel call chain they were emitted under')
      .example('$0 run scenarios/mt8183-bus-sel.json --until-kind fault', 'run to the first fault')
      .example("$0 run mt8183-bus-sel --filter 'dma dev=vdec0'", "only vdec0's accesses")
      .example('$0 run v7s-split-blk --override v7s-split-blk=corrected', 'what if the kernel kept the section PA (a what-if run)'),
  handler: async (argv: ArgumentsCamelCase<RunArgs>) => (await import('./run-impl.ts')).runHandler(argv),
};
