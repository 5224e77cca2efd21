/**
 * The kernel call chain at a stop: `bt` (backtrace, where) and `frame N`. A record keeps
 * its interned chain; `bt` replays up to the record with frame arguments kept to print
 * them. `break FUNCTION` (commands/points.ts) stops on records emitted under a function.
 */
import type { KFrame } from '../../sim/core/kstack.ts';
import { type CommandGen, defineCommand, ok } from '../command.ts';
import { chain, forward, gotoEvent } from '../engine.ts';
import { backtraceLines, frameLine } from '../backtrace.ts';
import { parseNum } from '../format.ts';
import { ParseError } from '../parser.ts';
import type { Session } from '../session.ts';
import type { Stop } from '../types.ts';

interface Selected {
  readonly seq: number;
  readonly frames: readonly KFrame[];
  frame: number;
}

/** The last backtrace per session, so `frame N` selects among its frames. */
const SELECTED = new WeakMap<Session, Selected>();

const NOT_AT_RECORD = 'No stack: the machine is between events, not at a record';
const NOT_AT_RECORD_HINT = 'stop at one first: break ..., stepi, or goto SEQ';

/** The frames of the record the machine is halted at, with their arguments (a replay up to it). */
function* framesAt(s: Session, seq: number): Generator<ReturnType<typeof gotoEvent>, KFrame[], Stop> {
  const m = s.machine;
  const chainId = m.trace.stackOf(seq);
  if (!chainId) return [];
  const e = s.recording.eventOf(seq);
  m.kstack.keepArgs = true;
  let stop: Stop;
  try {
    stop = yield chain(gotoEvent(s, e - 1, 'bt'), () => forward(s, { haltSeq: seq, check: false, motion: 'bt' }));
  } finally {
    m.kstack.keepArgs = false;
  }
  const r = stop.record;
  return m.kstack.frames(chainId, r && r.seq === seq ? r.frameArgs : undefined);
}

function* btGen(s: Session, full: boolean, limit: number | undefined): CommandGen {
  const seq = s.at;
  if (seq === undefined) return { lines: [], error: { message: NOT_AT_RECORD, hint: NOT_AT_RECORD_HINT } };
  const frames = yield* framesAt(s, seq);
  const r = s.recording.get(seq);
  if (!frames.length) {
    SELECTED.delete(s);
    return ok(`No kernel frames: record ${seq} (${r.kind}) was emitted by the hardware or scenario model, outside any kernel function.`);
  }
  SELECTED.set(s, { seq, frames, frame: 0 });
  const lines = backtraceLines(frames);
  const shown = limit !== undefined ? lines.slice(0, limit) : lines;
  if (shown.length < lines.length) shown.push(`(More stack frames follow...)`);
  if (full) shown.unshift(`record ${seq} (${r.kind}) in event ${s.recording.eventOf(seq)}:`);
  return ok(...shown);
}

const bt = defineCommand({
  name: 'bt',
  aliases: ['backtrace'],
  usage: 'bt [N]',
  summary: 'The kernel call chain the record at the stop was emitted under, innermost first',
  help:
    'bt [N]\n' +
    '  At a record (a breakpoint, stepi, goto SEQ): the kernel functions the models were in\n' +
    '  when they emitted it, innermost first, with their arguments and source files, as gdb\n' +
    '  prints a backtrace. N shows the innermost N frames. A record the hardware emitted (a\n' +
    '  device access, a fault as the IOMMU raises it) has no kernel frames; the driver\'s\n' +
    '  report of it (break fault-irq) does.',
  examples: ['bt', 'bt 2', 'backtrace'],
  run: ({ session: s, args }) => {
    const n = args[0] ? parseNum(args[0].text) : undefined;
    if (args[0] && (n === undefined || n < 1)) throw new ParseError(`bad frame count "${args[0].text}"`, args[0].col, 'a positive number: bt 3');
    return btGen(s, false, n);
  },
});

function* frameGen(s: Session, n: number | undefined, col: number): CommandGen {
  const seq = s.at;
  if (seq === undefined) return { lines: [], error: { message: NOT_AT_RECORD, hint: NOT_AT_RECORD_HINT } };
  let sel = SELECTED.get(s);
  if (!sel || sel.seq !== seq) {
    const frames = yield* framesAt(s, seq);
    if (!frames.length && n === undefined) return ok(`No kernel frames at record ${seq}: it was emitted outside any kernel function.`);
    if (!frames.length) return { lines: [], error: { message: `No stack: record ${seq} was emitted outside any kernel function`, hint: '`bt` explains' } };
    SELECTED.set(s, (sel = { seq, frames, frame: 0 }));
  }
  if (n !== undefined) {
    if (n >= sel.frames.length) throw new ParseError(`no frame ${n}: the stack has ${sel.frames.length} (#0..#${sel.frames.length - 1})`, col, '`bt` lists them');
    sel.frame = n;
  }
  return ok(frameLine(sel.frame, sel.frames[sel.frame]));
}

const frame = defineCommand({
  name: 'frame',
  aliases: ['f'],
  usage: 'frame [N]',
  summary: 'Select kernel frame N of the backtrace (or show the selected one)',
  help: 'frame [N]\n  Select frame N of `bt` (0 is the innermost) and print it; without N, print the\n  selected frame. The selection resets at every new stop.',
  examples: ['frame'],
  run: ({ session: s, args, word }) => {
    const t = args[0];
    const n = t ? parseNum(t.text) : undefined;
    if (t && (n === undefined || n < 0 || !Number.isInteger(n))) throw new ParseError(`bad frame number "${t.text}"`, t.col, 'a frame number from `bt`: frame 1');
    return frameGen(s, n, t?.col ?? word.col);
  },
});

export const STACK_COMMANDS = [bt, frame];
