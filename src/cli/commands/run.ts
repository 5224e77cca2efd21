import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';
import { TRACE_KIND_NAMES } from '../../sim/trace-kinds.ts';
import { closest } from '../../scenario/suggest.ts';
import { intOption } from '../args.ts';
import { loadAndBuild } from '../load.ts';
import { EXIT, Out, UsageError } from '../output.ts';
import { TABLE_HEADER, formatRecordRow, formatTime } from '../format.ts';
import { replayRun, runCommandsFile } from './run-debug.ts';

interface RunArgs {
  scenario?: string;
  commands?: string;
  replay?: string;
  workspace?: string;
  record?: boolean;
  restore?: boolean;
  json?: boolean;
  until?: string;
  untilKind?: string;
  seed?: string;
  kernel?: KernelVersion;
  maxEvents?: string;
}

export const runCommand = {
  command: 'run [scenario]',
  describe: 'Run a scenario headless and print its trace',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario file, or the name of a built-in scenario' })
      .option('json', { type: 'boolean', describe: 'print JSON Lines instead of a table (one record per line; with --commands one object per command, with its stop)' })
      .option('until', { type: 'string', describe: 'stop after the record with this seq' })
      .option('until-kind', { type: 'string', describe: 'stop after the first record of this kind' })
      .option('seed', { type: 'string', describe: "override the scenario's seed (u32)" })
      .option('kernel', { type: 'string', choices: KERNEL_VERSIONS as string[], describe: "override the scenario's kernel" })
      .option('max-events', { type: 'string', describe: 'stop after this many events' })
      .option('commands', { type: 'string', describe: 'run a debugger command file (one command per line, # comments); exit 3 if it ends at a breakpoint', group: 'Debugger:' })
      .option('replay', { type: 'string', describe: 'reproduce a recorded run by id ("last" for the newest) and check its stops', group: 'Debugger:' })
      .option('workspace', { type: 'string', describe: 'workspace directory (default $DMADBG_WORKSPACE, $XDG_DATA_HOME/dmadbg, ~/.local/share/dmadbg)', group: 'Debugger:' })
      .option('record', { type: 'boolean', default: true, describe: 'record a --commands run in the workspace (--no-record to skip)', group: 'Debugger:' })
      .option('restore', { type: 'boolean', describe: "start with the scenario's saved breakpoints and bookmarks, and save changes", group: 'Debugger:' })
      .example('$0 run demo-dma-engine --commands cmds.txt', 'run a debugger script headless')
      .example('$0 run --replay last', 'reproduce the last recorded run')
      .example('$0 run demo-dma-engine --json', 'the demo trace as JSON Lines')
      .example('$0 run scenarios/mt8183-bus-sel.json --until-kind fault', 'run to the first fault'),
  handler: async (argv: ArgumentsCamelCase<RunArgs>) => {
    const seed = intOption('seed', argv.seed, { max: 0xffff_ffff });
    const until = intOption('until', argv.until);
    const maxEventsArg = intOption('max-events', argv.maxEvents, { min: 1 });
    if (argv.replay !== undefined || argv.commands !== undefined) {
      if (argv.replay !== undefined && argv.commands !== undefined) throw new UsageError('--replay and --commands do not mix: a replay runs the recorded commands');
      const a = { ...argv, seed, maxEvents: maxEventsArg };
      return argv.replay !== undefined ? replayRun(a) : runCommandsFile(a);
    }
    if (argv.scenario === undefined) throw new UsageError('run: name a scenario (`dmadbg list` shows the built-in ones)');
    if (argv.untilKind !== undefined && !TRACE_KIND_NAMES.includes(argv.untilKind)) {
      const near = closest(argv.untilKind, TRACE_KIND_NAMES);
      throw new UsageError(`--until-kind: unknown record kind "${argv.untilKind}"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
    const built = loadAndBuild(argv.scenario, { seed, kernel: argv.kernel });
    const m = built.machine;
    const maxEvents = maxEventsArg ?? built.scenario.limits.maxEvents;
    process.stderr.write(`dmadbg: scenario=${built.scenario.name} seed=${m.config.seed} kernel=${m.config.kernel}\n`);

    const out = new Out();
    if (!argv.json) out.line(TABLE_HEADER);
    let stopped: string | undefined;
    m.keepTrace = false;
    m.onRecord = (r, json) => {
      if (stopped) return;
      out.line(argv.json ? json : formatRecordRow(r));
      if (until !== undefined && r.seq >= until) stopped = `record ${r.seq}`;
      else if (argv.untilKind !== undefined && r.kind === argv.untilKind) stopped = `first ${r.kind} record (seq ${r.seq})`;
    };
    let ended = false;
    while (!stopped && !out.closed) {
      if (m.state.events >= maxEvents) break;
      if (!m.step()) {
        ended = true;
        break;
      }
    }
    await out.end();
    const s = m.state;
    const why = stopped ? `stopped at ${stopped}` : ended ? 'ended' : out.closed ? 'output closed' : `stopped at --max-events ${maxEvents}`;
    process.stderr.write(`dmadbg: ${why} after ${s.events} events, ${s.traceCount} records, t=${formatTime(s.now)}\n`);
    return EXIT.ok;
  },
};
