/** `dmadbg run`'s work, loaded only when the command runs (startup of list and --help stays small). */
import type { ArgumentsCamelCase } from 'yargs';
import { TRACE_KIND_NAMES, isKindName } from '../../sim/trace-kinds.ts';
import { LIMITS, SimLimitError } from '../../sim/limits.ts';
import { closest } from '../../scenario/suggest.ts';
import { parseOverrides, runLabel } from '../overrides.ts';
import { intOption } from '../args.ts';
import { loadAndBuild } from '../load.ts';
import { EXIT, Out, UsageError } from '../output.ts';
import { TABLE_HEADER, formatRecordRow, formatTime } from '../format.ts';
import type { RunArgs } from './run.ts';
import { DRAIN_BYTES, DRAIN_RECORDS } from '../../sim/core/trace.ts';
import { compileFilter } from '../../debugger/filter.ts';
import { dmesgLine } from '../../debugger/dmesg.ts';
import type { KFrame } from '../../sim/core/kstack.ts';
import { scenarioNames } from '../../debugger/names.ts';
import { ParseError } from '../../debugger/parser.ts';
import { recordLine } from '../../sim/trace/codec.ts';
import type { Machine } from '../../sim/machine.ts';

/** A JSON line with `"stack":[names]` added last (innermost first). */
function withStack(line: string, frames: readonly KFrame[]): string {
  return `${line.slice(0, -1)},"stack":${JSON.stringify(frames.map((f) => f.func.name))}}`;
}

/** `--filter`: the debugger's filter grammar, checked against the scenario; a mistake is one line. */
function runFilter(text: string, m: Machine) {
  try {
    return compileFilter(text, scenarioNames(m));
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    throw new UsageError(`--filter: ${e.message} (at column ${e.column + 1} of "${text}")${e.hint ? `; ${e.hint}` : ''}`);
  }
}

export const runHandler = async (argv: ArgumentsCamelCase<RunArgs>) => {
    const seed = intOption('seed', argv.seed, { max: 0xffff_ffff });
    const until = intOption('until', argv.until);
    const maxEventsArg = intOption('max-events', argv.maxEvents, { min: 1, max: LIMITS.events });
    const overrides = parseOverrides(argv.override);
    if (argv.replay !== undefined || argv.commands !== undefined) {
      if (argv.replay !== undefined && argv.commands !== undefined) throw new UsageError('--replay and --commands do not mix: a replay runs the recorded commands');
      const a = { ...argv, seed, maxEvents: maxEventsArg, overrides };
      // The debugger (sessions, commands, checkpoints, export) loads only for these two.
      const { replayRun, runCommandsFile } = await import('./run-debug.ts');
      return argv.replay !== undefined ? replayRun(a) : runCommandsFile(a);
    }
    if (argv.scenario === undefined) throw new UsageError('run: name a scenario (`dmadbg list` shows the built-in ones)');
    if (argv.untilKind !== undefined && !isKindName(argv.untilKind)) {
      const near = closest(argv.untilKind, TRACE_KIND_NAMES);
      throw new UsageError(`--until-kind: unknown record kind "${argv.untilKind}"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
    if (argv.dmesg && argv.json) throw new UsageError('--dmesg and --json do not mix: --dmesg prints the log as text; --json --filter klog gives the records');
    if (argv.stacks && !argv.json) throw new UsageError('--stacks adds a field to --json records: use it with --json (the debugger\'s `bt` shows a chain in the table view)');
    const built = loadAndBuild(argv.scenario, { seed, kernel: argv.kernel, overrides });
    const m = built.machine;
    const filter = argv.filter !== undefined ? runFilter(argv.filter, m) : undefined;
    // Records go one by one (not as the store's bytes) when each needs looking at.
    const perRecord = !!filter || !!argv.stacks || !!argv.dmesg;
    const maxEvents = maxEventsArg ?? built.scenario.limits.maxEvents;
    process.stderr.write(`dmadbg: ${runLabel(built.scenario.name, m.config.seed, m.config.kernel, overrides)}\n`);

    const out = new Out();
    if (!argv.json && !argv.dmesg) out.line(TABLE_HEADER);
    let stopped: string | undefined;
    // JSON: the encoded lines go from the trace store to stdout after each event, and the
    // store lets them go (constant memory). The table is formatted from the records.
    m.keepTrace = !!argv.json && !perRecord;
    // --stacks: records carry their chain (and frame arguments) as `bt` replays do.
    if (argv.stacks) m.kstack.keepArgs = true;
    // The JSON stream needs no record objects unless --until-kind looks at kinds: --until
    // compares seqs (records emitted from reused objects stay bytes, see Machine.reuses).
    const readRecords = !argv.json || perRecord || argv.untilKind !== undefined;
    let ended = false;
    let held = 0;
    let drained = 0;
    /** Records of the events completed so far end below this seq. */
    let complete = 0;
    let limit: string | undefined;
    try {
      while (!stopped && !out.closed) {
        if (m.state.events >= maxEvents) break;
        const first = m.state.traceCount; // the event's first record
        if (!m.step()) {
          ended = true;
          break;
        }
        let last = m.state.traceCount; // print records below this seq
        if (!readRecords) {
          const at = until === undefined ? last : Math.max(first, until);
          if (at < last) {
            stopped = `record ${at}`;
            last = at + 1;
          }
        } else for (const r of m.stepRecords) {
          if (until !== undefined && r.seq >= until) stopped = `record ${r.seq}`;
          else if (argv.untilKind !== undefined && r.kind === argv.untilKind) stopped = `first ${r.kind} record (seq ${r.seq})`;
          if (filter && !filter.test(r)) {
            /* not selected */
          } else if (argv.dmesg) {
            if (r.kind === 'klog') out.line(dmesgLine(r));
          } else if (!argv.json) out.line(formatRecordRow(r));
          else if (argv.stacks && r.stack) out.line(withStack(recordLine(r), m.kstack.frames(r.stack)));
          else if (perRecord) out.line(recordLine(r));
          if (stopped) {
            last = r.seq + 1;
            break;
          }
        }
        // Written synchronously: a slow reader slows the run, memory stays flat. The store
        // holds the lines of a few events and hands them over in one write (a write per
        // event cost a third of a long run's time).
        if (argv.json && !perRecord) {
          held = Math.max(held, last - drained);
          complete = last;
          if (stopped || last - drained >= DRAIN_RECORDS || m.trace.heldBytes >= DRAIN_BYTES) {
            m.trace.drain((bytes) => out.raw(bytes), last);
            drained = last;
          }
        }
      }
    } catch (e) {
      // A limit reached inside an event (virtual time, backed memory, DRAM for user pages).
      if (!(e instanceof SimLimitError)) throw e;
      limit = e.message;
    }
    // The events completed since the last batch (not the records of an event a limit cut short).
    if (argv.json && !perRecord && complete > drained) m.trace.drain((bytes) => out.raw(bytes), complete);
    await out.end();
    const s = m.state;
    if (limit !== undefined) {
      process.stderr.write(`dmadbg: stopped: event ${s.events} cannot run: ${limit} (after ${s.traceCount} records, t=${formatTime(s.now)})\n`);
      return EXIT.error;
    }
    const why = stopped ? `stopped at ${stopped}` : ended ? 'ended' : out.closed ? 'output closed' : `stopped at --max-events ${maxEvents}`;
    process.stderr.write(`dmadbg: ${why} after ${s.events} events, ${s.traceCount} records, t=${formatTime(s.now)}\n`);
    // For the streaming test: how many lines the output buffer ever held at once.
    if (process.env.DMADBG_OUTPUT_STATS) process.stderr.write(`dmadbg: output buffer peak ${Math.max(out.peakLines, held)} lines\n`);
    return EXIT.ok;
};
