/**
 * The motion engine: how a Session moves its machine. Forward motion handles events and
 * runs fresh records past the breakpoints; `gotoEvent` restores the nearest checkpoint
 * when it must go back and replays (the recording checks every replayed record);
 * `scanBack` searches the recording backwards. Each returns a Motion, so the session can
 * run it whole (`exec`) or in slices (`execAsync`).
 */
import { queuePeekTime } from '../sim/core/queue.ts';
import { LIMITS } from '../sim/limits.ts';
import type { TraceRecord } from '../sim/core/trace.ts';
import { decodeLine } from '../sim/trace/codec.ts';
import type { Motion } from './command.ts';
import type { Point } from './points.ts';
import { kindOfLine } from './recording.ts';
import type { Session } from './session.ts';

export interface ForwardOptions {
  /** Stop once this many events have been handled (reason 'step'). */
  readonly targetEvents?: number;
  /** Stop after the event that emits record `untilSeq`. */
  readonly untilSeq?: number;
  /** Stop before the first event at or after this time (ns). */
  readonly untilTime?: number;
  /** Breakpoints, watchpoints and log points apply. */
  readonly check: boolean;
  /** Log point output goes here. */
  readonly logs?: string[];
}

/** Handle one event; false at the end of the scenario. */
function stepOne(s: Session): boolean {
  const m = s.machine;
  if (!m.step()) {
    s.recording.endEvents = m.state.events;
    return false;
  }
  s.recording.onEvent(m.state.events, m.state.traceCount);
  s.checkpoints.after(m);
  return true;
}

/**
 * Forward motion: stops at `targetEvents`, after record `untilSeq`, before `untilTime`, at
 * a breakpoint (when `check`), at the end, or at the event limit.
 */
export function forward(s: Session, o: ForwardOptions): Motion {
  const m = s.machine;
  const logs = o.logs ?? [];
  return {
    run: (budget) => {
      for (let n = 0; n < budget; n++) {
        if (o.targetEvents !== undefined && m.state.events >= o.targetEvents) return s.stopHere('step');
        if (o.untilTime !== undefined && m.pending && queuePeekTime(m.state.queue) >= o.untilTime) return s.stopHere('step');
        if (m.state.events >= s.maxEvents) return s.stopHere('limit', { message: `event limit ${s.maxEvents} reached` });
        if (s.halt && m.state.events + 1 >= s.halt.events) return s.stopHere('limit', { message: `event ${s.halt.events} cannot run: ${s.halt.message}` });
        if (m.state.traceCount >= LIMITS.sessionRecords && m.state.events >= s.recording.frontier) {
          return s.stopHere('limit', { message: `record limit reached: a debugger session keeps at most ${LIMITS.sessionRecords} records (\`dmadbg run\` without --commands streams any number)` });
        }
        if (!stepOne(s)) return s.stopHere('end');
        if (o.check && s.points.activeCount) {
          // Every record of the event is checked (hits and log points count even after
          // an earlier record stopped); the first stopping record is the one reported.
          let hit: { p: Point; r: TraceRecord } | undefined;
          for (const r of m.stepRecords) {
            const p = s.points.check(r, logs);
            if (p && !hit) hit = { p, r };
          }
          if (hit) return s.stopHere(hit.p.type === 'watchpoint' ? 'watchpoint' : 'breakpoint', { id: hit.p.id, record: hit.r });
        }
        if (o.untilSeq !== undefined && m.state.traceCount > o.untilSeq) return s.stopHere('step', { record: s.recording.get(o.untilSeq) });
      }
      return undefined;
    },
  };
}

/** Go to just after event `target`: restore when behind (or a checkpoint is closer), replay. */
export function gotoEvent(s: Session, target: number): Motion {
  const m = s.machine;
  const at = s.checkpoints.nearestEvents(target);
  if (target < m.state.events || at > m.state.events) m.restore(s.checkpoints.nearest(target));
  return forward(s, { targetEvents: target, check: false });
}

/**
 * Scan the recording backwards from just before the current event for a record an
 * enabled breakpoint or watchpoint stops at. Its Stop carries the point and the record,
 * or reason 'start' when there is none. Kinds no point can match are skipped unparsed.
 */
export function scanBack(s: Session): Motion {
  const e = s.machine.state.events;
  let seq = e === 0 ? -1 : s.recording.recordsAt(e - 1) - 1;
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
