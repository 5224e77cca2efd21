/**
 * Motion: step, stepi, continue, run, until, reverse-step, reverse-stepi, reverse-continue,
 * goto, when. `step` moves by scheduler event, `stepi` by trace record; breakpoints,
 * watchpoints, `stepi`, `goto SEQ` and `until SEQ` stop AT a record (the machine halted
 * right after it was emitted). Reverse motion restores the nearest checkpoint and replays,
 * checked against the recording.
 */
import { type Command, type CommandCall, type CommandGen, type Motion, defineCommand, ok } from '../command.ts';
import { chain } from '../engine.ts';
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

/** Run a motion, then describe where it stopped (with `before` and log point output first). */
export function* move(s: Session, motion: Motion, logs: string[] = [], message?: string, before: readonly string[] = []): CommandGen {
  let stop: Stop = yield motion;
  if (message && stop.reason === 'step') stop = { ...stop, message };
  return { lines: [...before, ...logs, ...s.describe(stop)], stop };
}

const step = defineCommand({
  name: 'step',
  aliases: ['s', 'next', 'n'],
  usage: 'step [N]',
  summary: 'Handle the next N events whole (default 1); breakpoints still stop',
  help:
    'step [N]\n  Handle the next N scheduler events whole (default 1), then show the records the last\n' +
    '  one emitted. Stopped inside an event (at a breakpoint, after stepi or goto SEQ), the\n' +
    '  first step finishes that event. A breakpoint or watchpoint on the way stops at its record.',
  examples: ['step', 'step 100'],
  run: ({ session: s, args }) => {
    const n = count(args[0]);
    noMore(args, 1);
    const logs: string[] = [];
    return move(s, s.forward({ targetEvents: s.eventsDone + n, check: true, logs, motion: 'step' }), logs);
  },
});

const stepi = defineCommand({
  name: 'stepi',
  aliases: ['si', 'nexti', 'ni'],
  usage: 'stepi [N]',
  summary: 'Go to the next trace record (the Nth), halting right after it is emitted',
  help:
    'stepi [N]\n  Run until the next trace record (the Nth next with N) has been emitted and stop right\n' +
    '  there, inside its event: every panel, info, x/ and print show the machine as it was at\n' +
    '  that record. A breakpoint or watchpoint on the way stops first.',
  examples: ['stepi', 'stepi 5', 'si'],
  run: ({ session: s, args }) => {
    const n = count(args[0]);
    noMore(args, 1);
    const logs: string[] = [];
    return move(s, s.forward({ haltSeq: s.machine.state.traceCount - 1 + n, check: true, logs, motion: 'stepi' }), logs);
  },
});

/** The breakpoint the session is stopped at, if the last stop was one and is still the position. */
function stoppedAtPoint(s: Session) {
  const st = s.lastStop;
  if ((st.reason !== 'breakpoint' && st.reason !== 'watchpoint') || st.id === undefined) return undefined;
  if (st.events !== s.events || st.at !== s.at) return undefined;
  return s.points.get(st.id);
}

const cont = defineCommand({
  name: 'continue',
  aliases: ['c', 'cont', 'fg'],
  usage: 'continue [N]',
  summary: 'Run until a breakpoint, a watchpoint, the end or an interrupt',
  help:
    'continue [N]\n  Run forward until a breakpoint or watchpoint stops, the scenario ends, the event limit\n' +
    '  is reached, or you interrupt (Esc / Ctrl-C). Log points print on the way. With N, the\n' +
    '  breakpoint stopped at lets its next N-1 hits pass (gdb\'s continue N).',
  examples: ['continue', 'continue 3'],
  run: ({ session: s, args }) => {
    const n = args[0] ? count(args[0]) : undefined;
    noMore(args, 1);
    const before: string[] = [];
    if (n !== undefined) {
      const p = stoppedAtPoint(s);
      if (!p) before.push('Not stopped at any breakpoint; argument ignored.');
      else {
        p.ignore = n - 1;
        s.persist();
        before.push(`Will ignore next ${n - 1} crossings of breakpoint ${p.id}.  Continuing.`);
      }
    }
    const logs: string[] = [];
    return move(s, s.forward({ check: true, logs, motion: 'continue' }), logs, undefined, before);
  },
});

const run = defineCommand({
  name: 'run',
  aliases: ['r'],
  usage: 'run',
  summary: 'Restart from event 0 and run to the first breakpoint (gdb and rr\'s run)',
  help:
    'run\n  Go back to event 0 (the scenario as loaded) and run forward until a breakpoint or\n' +
    '  watchpoint stops, the scenario ends or you interrupt, as gdb\'s and rr\'s run do. It\n' +
    '  prints the goto that returns to where you were.',
  examples: ['run'],
  run: ({ session: s, args }) => {
    noMore(args, 0);
    const back = s.at !== undefined ? `goto ${s.at}` : `goto @${s.events}`;
    const logs: string[] = [];
    const motion = chain(s.gotoEvent(0, 'run'), () => s.forward({ check: true, logs, motion: 'run' }));
    return move(s, motion, logs, undefined, [`Restarting from event 0 (\`${back}\` returns to where you were).`]);
  },
});

const until = defineCommand({
  name: 'until',
  aliases: ['u', 'advance'],
  usage: 'until SEQ|TIME',
  summary: 'Run until record SEQ is emitted (stopping at it), or virtual time reaches TIME',
  help:
    'until SEQ|TIME\n  until SEQ    run until record SEQ has been emitted and stop right after it\n' +
    '  until TIME   run until the next event is at or after TIME (10us; units ns, us, ms, s)\n' +
    '  Breakpoints still stop on the way.',
  examples: ['until 300', 'until 2us'],
  run: ({ session: s, args, word }) => {
    const a = args[0];
    if (!a) throw new ParseError('until what?', word.col + word.text.length + 1, 'until SEQ (a record number) or until TIME (10us)');
    noMore(args, 1);
    const logs: string[] = [];
    const seq = /^\d+$/.test(a.text) ? Number(a.text) : undefined;
    if (seq !== undefined) {
      const n = s.machine.state.traceCount;
      if (seq < n) return ok(`record ${seq} is already behind (the last one emitted is ${n - 1}); use goto ${seq}`);
      return move(s, s.gotoRecord(seq, 'until', true), logs);
    }
    const t = parseTime(a.text);
    if (t === undefined) throw new ParseError(`"${a.text}" is neither a record number nor a time`, a.col, 'e.g. until 1200, until 10us');
    if (t <= s.machine.state.now) return ok(`t=${formatTime(t)} is already behind (now ${formatTime(s.machine.state.now)})`);
    return move(s, s.forward({ untilTime: t, check: true, logs, motion: 'until' }), logs);
  },
});

const reverseStep = defineCommand({
  name: 'reverse-step',
  aliases: ['rs', 'rstep', 'reverse-next', 'rn'],
  usage: 'reverse-step [N]',
  summary: 'Go back N events (default 1)',
  help:
    'reverse-step [N]\n  Go back N events (restore the nearest checkpoint and replay, checked against the\n' +
    '  recording). Stopped inside an event, the first reverse-step goes to its start (just\n' +
    '  after the event before). Going forward again gives the same records.',
  examples: ['reverse-step', 'reverse-step 3'],
  run: ({ session: s, args }) => {
    const n = count(args[0]);
    noMore(args, 1);
    if (s.events === 0) return ok('Already at the start (event 0).');
    const target = Math.max(0, s.eventsDone - n + (s.at !== undefined ? 1 : 0));
    return move(s, s.gotoEvent(target, 'reverse-step'));
  },
});

const reverseStepi = defineCommand({
  name: 'reverse-stepi',
  aliases: ['rsi', 'reverse-nexti', 'rni'],
  usage: 'reverse-stepi [N]',
  summary: 'Go back to the previous trace record (the Nth), halting right after it',
  help:
    'reverse-stepi [N]\n  Go back to the record before the current one (the Nth before with N) and stop right\n' +
    '  after it was emitted, as stepi does going forward: stepi N then reverse-stepi N comes\n' +
    '  back to the same machine state. Between events, the previous record is the last one\n' +
    '  emitted. Before record 0 lies the start (event 0).',
  examples: ['reverse-stepi', 'reverse-stepi 4', 'rsi'],
  run: ({ session: s, args }) => {
    const n = count(args[0]);
    noMore(args, 1);
    const target = s.position - n;
    if (s.events === 0) return ok('Already at the start (event 0).');
    if (target < 0) return move(s, s.gotoEvent(0, 'reverse-stepi'));
    return move(s, s.gotoRecord(target, 'reverse-stepi'));
  },
});

function* reverseContinueGen(s: Session): CommandGen {
  const found: Stop = yield s.scanBack();
  if (found.reason === 'interrupt' || found.reason === 'error') return { lines: ['Search interrupted; still at ' + where(found) + '.'], stop: found };
  if (found.reason === 'start' || !found.record) {
    const stop: Stop = yield s.gotoEvent(0, 'reverse-continue');
    return { lines: ['No earlier breakpoint or watchpoint hit; at the start.', ...s.describe(stop)], stop: { ...stop, reason: 'start' } };
  }
  const moved: Stop = yield s.gotoRecord(found.record.seq, 'reverse-continue');
  const stop: Stop = { ...moved, reason: found.reason, id: found.id, record: found.record, message: 'reverse' };
  return { lines: s.describe(stop), stop };
}

const reverseContinue = defineCommand({
  name: 'reverse-continue',
  aliases: ['rc', 'rcontinue'],
  usage: 'reverse-continue',
  summary: 'Go back to the previous breakpoint or watchpoint hit',
  help:
    'reverse-continue\n  Search the recording backwards from the current position for the previous record an\n' +
    '  enabled breakpoint or watchpoint matches, and stop right after it. Hit counts and\n' +
    '  ignore counts are not changed by reverse motion.',
  examples: ['reverse-continue'],
  run: ({ session: s, args }) => {
    noMore(args, 0);
    return reverseContinueGen(s);
  },
});

/** Where `goto ARG` goes: a record seq, @event, or a bookmark name (an event). */
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
  summary: 'Go to a record (SEQ), an event boundary (@N) or a bookmark; breakpoints ignored',
  help:
    'goto SEQ        stop right after record SEQ was emitted (the trace\'s seq column), inside\n' +
    '                its event: the machine as it was at that record\n' +
    'goto @EVENT     go to just after event number EVENT (`when` shows the current one)\n' +
    'goto NAME       go to a bookmark\n' +
    '  Backwards: restore the nearest checkpoint and replay. Breakpoints do not stop a goto.',
  examples: ['goto 40', 'goto @3'],
  run: ({ session: s, args, word }) => {
    const a = args[0];
    if (!a) throw new ParseError('goto where?', word.col + word.text.length + 1, 'goto SEQ, goto @EVENT or goto BOOKMARK');
    noMore(args, 1);
    const t = gotoTarget(s, a);
    if (t.events !== undefined) return move(s, s.gotoEvent(t.events), [], t.what.startsWith('event') ? undefined : `at ${t.what}`);
    return move(s, s.gotoRecord(t.seq!, 'goto'));
  },
  complete: (s) => [...s.bookmarks.keys()],
});

const when = defineCommand({
  name: 'when',
  aliases: ['where'],
  usage: 'when',
  summary: 'Show the current position: event, record, time, recorded extent',
  help:
    'when\n  The current position: the event number (goto @N target) and, when stopped inside an\n' +
    '  event, the record the machine stands right after (goto SEQ target); virtual time,\n' +
    '  records emitted so far, and how far the recording reaches (reverse motion lands\n' +
    '  anywhere below it).',
  examples: ['when'],
  run: ({ session: s }) => {
    const st = s.machine.state;
    const at = s.at;
    const pos =
      at !== undefined
        ? `record ${at}, inside event ${st.events} (${st.traceCount} records emitted so far)`
        : `event ${st.events}, ${st.traceCount} records (next seq ${st.traceCount})`;
    return ok(
      `${pos}, t=${formatTime(st.now)}, ${s.machine.pending} pending events`,
      `recorded: ${s.recording.frontier} events, ${s.recording.count} records${s.recording.endEvents !== undefined ? ' (to the end)' : ''}; ` +
        `${s.checkpoints.count} checkpoints every ${s.checkpoints.interval} events`,
    );
  },
});

export const MOTION_COMMANDS: Command[] = [step, stepi, cont, run, until, reverseStep, reverseStepi, reverseContinue, gotoCmd, when];
export type { CommandCall };
