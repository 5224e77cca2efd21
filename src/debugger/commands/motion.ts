/**
 * Motion: step, continue, until, reverse-step, reverse-continue, goto, when. Forward
 * motion stops at breakpoints (except goto, which jumps like Simics' skip-to); reverse
 * motion restores the nearest checkpoint and replays, checked against the recording.
 */
import { type Command, type CommandCall, type CommandGen, type Motion, defineCommand, ok } from '../command.ts';
import { formatTime, parseNum, parseTime } from '../format.ts';
import { ParseError, type Token } from '../parser.ts';
import type { Session } from '../session.ts';
import type { Stop } from '../types.ts';
import { where } from '../stops.ts';

function count(t: Token | undefined, what = 'count'): number {
  if (!t) return 1;
  const n = parseNum(t.text);
  if (n === undefined || n < 1) throw new ParseError(`bad ${what} "${t.text}"`, t.col, 'a positive number, e.g. 10');
  return n;
}

function noMore(args: readonly Token[], from: number): void {
  const t = args[from];
  if (t) throw new ParseError(`unexpected "${t.text}"`, t.col);
}

/** Run a motion, then describe where it stopped (with log point output first). */
export function* move(s: Session, motion: Motion, logs: string[] = [], message?: string): CommandGen {
  let stop: Stop = yield motion;
  if (message && stop.reason === 'step') stop = { ...stop, message };
  return { lines: [...logs, ...s.describe(stop)], stop };
}

const step = defineCommand({
  name: 'step',
  aliases: ['s', 'stepi', 'next', 'n'],
  usage: 'step [N]',
  summary: 'Handle the next N events (default 1); breakpoints still stop',
  help: 'step [N]\n  Handle the next N scheduler events (default 1), then show the records the last one\n  emitted. A breakpoint or watchpoint hit on the way stops early.\n  e.g. step, step 100',
  run: ({ session: s, args }) => {
    const n = count(args[0]);
    noMore(args, 1);
    const logs: string[] = [];
    return move(s, s.forward({ targetEvents: s.events + n, check: true, logs }), logs);
  },
});

const cont = defineCommand({
  name: 'continue',
  aliases: ['c', 'cont', 'run', 'r'],
  usage: 'continue',
  summary: 'Run until a breakpoint, a watchpoint, the end or an interrupt',
  help: 'continue\n  Run forward until a breakpoint or watchpoint stops, the scenario ends, the event limit\n  is reached, or you interrupt (Esc / Ctrl-C). Log points print on the way.',
  run: ({ session: s, args }) => {
    noMore(args, 0);
    const logs: string[] = [];
    return move(s, s.forward({ check: true, logs }), logs);
  },
});

const until = defineCommand({
  name: 'until',
  aliases: ['u', 'advance'],
  usage: 'until SEQ|TIME',
  summary: 'Run until record SEQ is emitted, or virtual time reaches TIME (10us, 2ms)',
  help: 'until SEQ|TIME\n  until 1200   run until the event that emits record 1200 has been handled\n  until 10us   run until the next event is at or after t=10us (units ns, us, ms, s)\n  Breakpoints still stop on the way.',
  run: ({ session: s, args, word }) => {
    const a = args[0];
    if (!a) throw new ParseError('until what?', word.col + word.text.length + 1, 'until SEQ (a record number) or until TIME (10us)');
    noMore(args, 1);
    const logs: string[] = [];
    const seq = /^\d+$/.test(a.text) ? Number(a.text) : undefined;
    if (seq !== undefined) {
      if (seq < s.machine.state.traceCount) return ok(`record ${seq} is already behind (at ${s.machine.state.traceCount}); use goto ${seq}`);
      return move(s, s.forward({ untilSeq: seq, check: true, logs }), logs);
    }
    const t = parseTime(a.text);
    if (t === undefined) throw new ParseError(`"${a.text}" is neither a record number nor a time`, a.col, 'e.g. until 1200, until 10us');
    if (t <= s.machine.state.now) return ok(`t=${formatTime(t)} is already behind (now ${formatTime(s.machine.state.now)})`);
    return move(s, s.forward({ untilTime: t, check: true, logs }), logs);
  },
});

const reverseStep = defineCommand({
  name: 'reverse-step',
  aliases: ['rs', 'rstep', 'reverse-next', 'rn'],
  usage: 'reverse-step [N]',
  summary: 'Go back N events (default 1)',
  help: 'reverse-step [N]\n  Go back N events (restore the nearest checkpoint and replay, checked against the\n  recording). Going forward again gives the same records.',
  run: ({ session: s, args }) => {
    const n = count(args[0]);
    noMore(args, 1);
    if (s.events === 0) return ok('Already at the start (event 0).');
    return move(s, s.gotoEvent(Math.max(0, s.events - n)));
  },
});

function* reverseContinueGen(s: Session): CommandGen {
  const found: Stop = yield s.scanBack();
  if (found.reason === 'interrupt' || found.reason === 'error') return { lines: ['Search interrupted; still at ' + where(found) + '.'], stop: found };
  if (found.reason === 'start' || !found.record) {
    const stop: Stop = yield s.gotoEvent(0);
    return { lines: ['No earlier breakpoint or watchpoint hit; at the start.', ...s.describe(stop)], stop: { ...stop, reason: 'start' } };
  }
  const moved: Stop = yield s.gotoEvent(s.recording.eventOf(found.record.seq));
  const stop: Stop = { ...moved, reason: found.reason, id: found.id, record: found.record, message: 'reverse' };
  return { lines: s.describe(stop), stop };
}

const reverseContinue = defineCommand({
  name: 'reverse-continue',
  aliases: ['rc', 'rcontinue'],
  usage: 'reverse-continue',
  summary: 'Go back to the previous breakpoint or watchpoint hit',
  help: 'reverse-continue\n  Search the recording backwards from the current event for the previous record an\n  enabled breakpoint or watchpoint matches, and go to just after its event. Hit counts\n  and ignore counts are not changed by reverse motion.',
  run: ({ session: s, args }) => {
    noMore(args, 0);
    return reverseContinueGen(s);
  },
});

/** Where `goto ARG` goes, in events: record seq, @event, or a bookmark name. */
function gotoTarget(s: Session, t: Token): { events?: number; seq?: number; what: string } {
  if (t.text.startsWith('@')) {
    const e = parseNum(t.text.slice(1));
    if (e === undefined) throw new ParseError(`bad event number "${t.text}"`, t.col, 'goto @EVENT, e.g. goto @1000');
    return { events: e, what: `event ${e}` };
  }
  const seq = parseNum(t.text);
  if (seq !== undefined) return { seq, what: `record ${seq}` };
  const b = s.bookmarks.get(t.text);
  if (b === undefined) {
    const names = [...s.bookmarks.keys()];
    throw new ParseError(`no bookmark "${t.text}"`, t.col, names.length ? `bookmarks: ${names.join(', ')}` : 'set one with `bookmark NAME`');
  }
  return { events: b, what: `bookmark ${t.text}` };
}

const gotoCmd = defineCommand({
  name: 'goto',
  aliases: ['g', 'jump'],
  usage: 'goto SEQ | goto @EVENT | goto BOOKMARK',
  summary: 'Jump to a record (SEQ), an event number (@N) or a bookmark; breakpoints ignored',
  help:
    'goto SEQ        go to just after the event that emitted record SEQ (the trace\'s seq column)\n' +
    'goto @EVENT     go to just after event number EVENT (`when` shows the current one)\n' +
    'goto NAME       go to a bookmark\n' +
    '  Backwards: restore the nearest checkpoint and replay. Breakpoints do not stop a goto.',
  run: ({ session: s, args, word }) => {
    const a = args[0];
    if (!a) throw new ParseError('goto where?', word.col + word.text.length + 1, 'goto SEQ, goto @EVENT or goto BOOKMARK');
    noMore(args, 1);
    const t = gotoTarget(s, a);
    if (t.events !== undefined) return move(s, s.gotoEvent(t.events), [], t.what.startsWith('event') ? undefined : `at ${t.what}`);
    const seq = t.seq!;
    if (seq < s.recording.count) return move(s, s.gotoEvent(s.recording.eventOf(seq)), [], `at ${t.what}`);
    // Not recorded yet: run forward (no breakpoints) until it is emitted.
    return move(s, s.forward({ untilSeq: seq, check: false }), [], `at ${t.what}`);
  },
  complete: (s) => [...s.bookmarks.keys()],
});

const when = defineCommand({
  name: 'when',
  aliases: ['where'],
  usage: 'when',
  summary: 'Show the current position: event number, time, records, recorded extent',
  help: 'when\n  The current event number (goto @N target), virtual time, records emitted so far, and how\n  far the recording reaches (reverse motion lands anywhere below it).',
  run: ({ session: s }) => {
    const st = s.machine.state;
    return ok(
      `event ${st.events}, t=${formatTime(st.now)}, ${st.traceCount} records (next seq ${st.traceCount}), ${s.machine.pending} pending events`,
      `recorded: ${s.recording.frontier} events, ${s.recording.count} records${s.recording.endEvents !== undefined ? ' (to the end)' : ''}; ` +
        `${s.checkpoints.count} checkpoints every ${s.checkpoints.interval} events`,
    );
  },
});

export const MOTION_COMMANDS: Command[] = [step, cont, until, reverseStep, reverseContinue, gotoCmd, when];
export type { CommandCall };
