/**
 * The motion engine: how a Session moves its machine. There are two kinds of position:
 *
 * - between events: event N has been handled whole (`goto @N`, `step`);
 * - at a record: the machine halted right after record SEQ was emitted, inside its event
 *   (`stepi`, `goto SEQ`, `until SEQ`, breakpoints, watchpoints). The event's handler was
 *   abandoned there (Machine.haltTest), so every panel shows the state at that record. A
 *   halted machine is read-only: any motion from it first restores to before its event and
 *   replays (the recording checks every replayed record), then runs on.
 *
 * Forward motion runs each fresh record past the breakpoints as it is emitted and halts at
 * the first that stops; `gotoEvent` restores the nearest checkpoint when it must go back;
 * `gotoRecord` replays to just before a record's event and runs that event up to the
 * record; `scanBack` searches the recording backwards. Each returns a Motion, so the session
 * can run it whole (`exec`) or in slices (`execAsync`).
 */
import { deserialize, serialize } from 'node:v8';
import { queuePeekTime } from '../sim/core/queue.ts';
import { SimAssertionError } from '../sim/core/assert.ts';
import type { TraceRecord } from '../sim/core/trace.ts';
import type { KindName } from '../sim/trace-kinds.ts';
import type { MachineState } from '../sim/machine.ts';
import { decodeLine } from '../sim/trace/codec.ts';
import type { Motion } from './command.ts';
import type { Point } from './points.ts';
import { kindOfLine } from './recording.ts';
import type { Session } from './session.ts';

export interface ForwardOptions {
  /** The command that moves (the stop names it: the status bar shows it). */
  readonly motion: string;
  /** Stop once this many events have been handled whole (reason 'step'). */
  readonly targetEvents?: number;
  /** Stop right after record `haltSeq` is emitted. */
  readonly haltSeq?: number;
  /** Stop before the first event at or after this time (ns). */
  readonly untilTime?: number;
  /** Breakpoints, watchpoints and log points apply (to records after the start position). */
  readonly check: boolean;
  /** Log point output goes here. */
  readonly logs?: string[];
}

/**
 * Record kinds the enabled points can match (breakpoints, watchpoints, log points), so a
 * fast-forward still builds and tests them; undefined when one can match any kind (then
 * nothing is fast-forwarded).
 */
function pointKinds(s: Session): ReadonlySet<string> | undefined {
  const out = new Set<string>();
  for (const p of s.points.all()) {
    if (!p.enabled) continue;
    if (!p.kinds) return undefined;
    for (const k of p.kinds) out.add(k);
  }
  return out;
}

/** Handle one event; false at the end of the scenario. A halt leaves the event unrecorded. */
function stepOne(s: Session): boolean {
  const m = s.machine;
  if (!m.step()) {
    s.recording.endEvents = m.state.events;
    return false;
  }
  if (m.halted) return true;
  s.recording.onEvent(m.state.events, m.state.traceCount);
  s.checkpoints.after(m, m.fastForwarding);
  return true;
}

/** Run `first`, then the motion `next()` makes once `first` ends at a plain step stop. */
export function chain(first: Motion, next: () => Motion): Motion {
  let cur = first;
  let last = false;
  return {
    run: (budget) => {
      const stop = cur.run(budget);
      if (!stop || last || stop.reason !== 'step') return stop;
      last = true;
      cur = next();
      return undefined;
    },
  };
}

/**
 * Forward motion from the current position: stops at `targetEvents`, right after record
 * `haltSeq`, before `untilTime`, at the first record a breakpoint or watchpoint stops at
 * (when `check`), at the end, or at the event limit. Only records after the start position
 * are checked, so a continue from a stop does not stop at the same record again, and hit
 * counts count the records passed, one per stop.
 */
export function forward(s: Session, o: ForwardOptions): Motion {
  const m = s.machine;
  const logs = o.logs ?? [];
  let began = false;
  let prep: Motion | undefined;
  let fromSeq = -1;
  let hit: { p?: Point; r: TraceRecord } | undefined;
  const test = (r: TraceRecord): boolean => {
    if (r.seq <= fromSeq) return false; // replaying the part of the event already seen
    if (o.check) {
      const p = s.points.check(r, logs);
      if (p) {
        hit = { p, r };
        return true;
      }
    }
    if (r.seq === o.haltSeq) {
      hit = { r };
      return true;
    }
    return false;
  };
  /** A stop at a record met while fast-forwarding: replayed with records on, then reported. */
  let late: { reason: 'breakpoint' | 'watchpoint' | 'step'; id?: number; record: TraceRecord } | undefined;
  return {
    run: (budget) => {
      if (!began) {
        began = true;
        fromSeq = m.state.traceCount - 1;
        // Halted inside an event: back to before it, then that event runs again whole.
        if (m.halted) prep = gotoEvent(s, m.state.events - 1, o.motion);
      }
      if (prep) {
        const st = prep.run(budget);
        if (!st) return undefined;
        prep = undefined;
        if (st.reason !== 'step') return st;
        if (late) return s.stopHere(late.reason, { motion: o.motion, id: late.id, record: s.recording.get(late.record.seq) });
      }
      const hook = o.haltSeq !== undefined || (o.check && s.points.activeCount > 0);
      m.haltTest = hook ? test : undefined;
      // Fast-forward past the recording's frontier when no record-level target is set: the
      // records nothing needs are not built (the recording fills them in when read).
      const needs = o.check ? pointKinds(s) : new Set<string>();
      const ffOk = s.fastForward && o.haltSeq === undefined && needs !== undefined;
      const needed = (k: KindName) => needs!.has(k);
      try {
        for (let n = 0; n < budget; n++) {
          if (o.targetEvents !== undefined && m.state.events >= o.targetEvents) return s.stopHere('step', { motion: o.motion });
          if (o.untilTime !== undefined && m.pending && queuePeekTime(m.state.queue) >= o.untilTime) return s.stopHere('step', { motion: o.motion });
          if (m.state.events >= s.maxEvents) return s.stopHere('limit', { motion: o.motion, message: `event limit ${s.maxEvents} reached` });
          // An event that met a limit (SimLimitError): stop before it, every time.
          if (s.halt && m.state.events + 1 >= s.halt.events) return s.stopHere('limit', { motion: o.motion, message: `event ${s.halt.events} cannot run: ${s.halt.message}` });
          if (m.state.traceCount >= s.recordLimit && m.state.events >= s.recording.frontier) {
            return s.stopHere('limit', { motion: o.motion, message: `record limit reached: a debugger session keeps at most ${s.recordLimit} records (\`dmadbg run\` without --commands streams any number)` });
          }
          const ff = ffOk && m.state.events >= s.recording.frontier;
          if (ff !== m.fastForwarding) m.fastForward(ff, needed);
          if (!stepOne(s)) return s.stopHere('end', { motion: o.motion });
          if (m.halted) {
            const h = hit!;
            const reason = !h.p ? 'step' : h.p.type === 'watchpoint' ? 'watchpoint' : 'breakpoint';
            if (m.fastForwarding) {
              // The stop's record and those before it were not kept: replay the event with
              // records on (from the checkpoint before it) up to that record, then stop.
              late = { reason, id: h.p?.id, record: h.r };
              m.fastForward(false);
              prep = chain(gotoEvent(s, m.state.events - 1, o.motion), () => forward(s, { haltSeq: h.r.seq, check: false, motion: o.motion }));
              return undefined;
            }
            if (!h.p) return s.stopHere('step', { motion: o.motion, record: h.r });
            return s.stopHere(reason, { motion: o.motion, id: h.p.id, record: h.r });
          }
        }
        return undefined;
      } finally {
        m.haltTest = undefined;
        if (m.fastForwarding) m.fastForward(false);
      }
    },
  };
}

/** Go to just after event `target`: restore when behind (or a checkpoint is closer), replay. */
export function gotoEvent(s: Session, target: number, motion = 'goto'): Motion {
  let inner: Motion | undefined;
  return {
    run: (budget) => {
      if (!inner) {
        const m = s.machine;
        const nearest = s.checkpoints.nearestEvents(target);
        if (m.halted || target < m.state.events || nearest > m.state.events) m.restore(s.checkpoints.nearest(target));
        inner = forward(s, { targetEvents: target, check: false, motion });
      }
      return inner.run(budget);
    },
  };
}

/**
 * Go to record `seq`: the machine halted right after it was emitted. A recorded record is
 * reached by replaying to just before its event and running that event up to it
 * (breakpoints ignored); one not recorded yet by running forward until it is emitted (with
 * breakpoints when `check`: `until SEQ`).
 */
export function gotoRecord(s: Session, seq: number, motion: string, check = false): Motion {
  let inner: Motion | undefined;
  return {
    run: (budget) => {
      if (!inner) {
        if (s.at === seq) return s.stopHere('step', { motion, record: s.recording.get(seq) });
        if (!check && seq < s.recording.count) {
          const e = s.recording.eventOf(seq);
          inner = chain(gotoEvent(s, e - 1, motion), () => forward(s, { haltSeq: seq, check: false, motion }));
        } else inner = forward(s, { haltSeq: seq, check, motion });
      }
      return inner.run(budget);
    },
  };
}

/**
 * Fill the recording's gap around record `seq` (left by a fast-forward): restore the
 * checkpoint before its event and replay with records on up to the next checkpoint (at
 * least through that event, at most to the frontier), every record checked or kept as any
 * replay's, then put the machine back exactly where it was (halted inside an event too).
 * Called by Recording when a reader meets a gap; never while a motion is stepping.
 */
export function fillRecords(s: Session, seq: number): void {
  const m = s.machine;
  if (m.haltTest !== undefined || m.fastForwarding) throw new SimAssertionError(`record ${seq} read while the machine is moving`);
  const e = s.recording.eventOf(seq);
  if (e > s.recording.frontier) throw new SimAssertionError(`record ${seq} belongs to event ${e}, past the recording (${s.recording.frontier} events)`);
  const parked = { state: serialize(m.state), halted: m.halted, stack: m.kstack.cur, stepRecords: m.stepRecords.slice() };
  try {
    const from = s.checkpoints.nearestEvents(e - 1);
    const to = Math.min(s.recording.frontier, Math.max(e, s.checkpoints.nextEvents(from) ?? e));
    m.restore(s.checkpoints.nearest(e - 1));
    while (m.state.events < to) {
      if (!m.step()) throw new SimAssertionError(`the scenario ended at event ${m.state.events} while replaying to event ${to}`);
      s.recording.onEvent(m.state.events, m.state.traceCount);
    }
  } finally {
    m.restore({ state: deserialize(parked.state) as MachineState, events: 0, traceCount: 0 });
    m.halted = parked.halted;
    m.kstack.cur = parked.stack;
    m.stepRecords.length = 0;
    m.stepRecords.push(...parked.stepRecords);
  }
}

/**
 * Scan the recording backwards from just before the current position for a record an
 * enabled breakpoint or watchpoint stops at. Its Stop carries the point and the record,
 * or reason 'start' when there is none. Kinds no point can match are skipped unparsed.
 */
export function scanBack(s: Session): Motion {
  let seq = s.position - 1;
  const kinds = s.points.stopKinds();
  const quoted = kinds && new Set([...kinds].map((k) => `"${k}"`));
  return {
    run: (budget) => {
      for (let n = 0; n < budget * 8 && seq >= 0; n++, seq--) {
        const line = s.recording.line(seq);
        if (quoted && !quoted.has(kindOfLine(line))) continue;
        const r = decodeLine(line);
        const p = s.points.stopsAt(r);
        if (p) return s.stopHere(p.type === 'watchpoint' ? 'watchpoint' : 'breakpoint', { id: p.id, record: r });
      }
      return seq < 0 ? s.stopHere('start') : undefined;
    },
  };
}
