/**
 * The recording: every record the run has produced up to its furthest point, plus where
 * each event's records end. Reverse motion restores a checkpoint and replays; each
 * replayed record must equal the recorded one byte for byte (rr's lesson: divergence is a
 * bug, and it must be loud), and each replayed event must end at the recorded seq.
 */
import { SimAssertionError } from '../sim/core/assert.ts';
import { type TraceRecord, type TraceStore, traceAppendLine, traceCreate, traceGet, traceLine } from '../sim/core/trace.ts';

export class Recording {
  readonly trace: TraceStore = traceCreate();
  /** evEnd[e] = records emitted once event e has been handled (evEnd[0] = 0). */
  private evEnd = new Uint32Array(1 << 16);
  /** Furthest event recorded. */
  frontier = 0;
  /** Event count at which the scenario ran out of events, once seen. */
  endEvents: number | undefined;
  /** Records verified against the recording during replays (for tests and `info recording`). */
  verified = 0;

  /** A record as the machine emits it: appended past the frontier, compared below it. */
  onRecord(seq: number, json: string): void {
    const n = this.trace.count;
    if (seq === n) {
      traceAppendLine(this.trace, json);
      return;
    }
    if (seq > n) throw new SimAssertionError(`recording skipped records: got seq ${seq}, expected ${n}`);
    const old = traceLine(this.trace, seq);
    if (old !== json) throw new SimAssertionError(`replay diverged at seq ${seq}:\n  recorded ${old}\n  replayed ${json}`);
    this.verified++;
  }

  /** After each event: remember where its records end, or check it against the recording. */
  onEvent(events: number, traceCount: number): void {
    if (events <= this.frontier) {
      const want = this.evEnd[events];
      if (want !== traceCount) throw new SimAssertionError(`replay diverged after event ${events}: ${traceCount} records, recorded ${want}`);
      return;
    }
    if (events !== this.frontier + 1) throw new SimAssertionError(`recording skipped events: ${events} after ${this.frontier}`);
    if (events >= this.evEnd.length) {
      const n = new Uint32Array(this.evEnd.length * 2);
      n.set(this.evEnd);
      this.evEnd = n;
    }
    this.evEnd[events] = traceCount;
    this.frontier = events;
  }

  /** Records emitted once `events` events have been handled. */
  recordsAt(events: number): number {
    return this.evEnd[Math.min(events, this.frontier)];
  }

  /** The event that emitted record `seq` (1-based event count): first e with evEnd[e] > seq. */
  eventOf(seq: number): number {
    let lo = 1;
    let hi = this.frontier;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.evEnd[mid] > seq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  get(seq: number): TraceRecord {
    return traceGet(this.trace, seq);
  }

  line(seq: number): string {
    return traceLine(this.trace, seq);
  }

  get count(): number {
    return this.trace.count;
  }

  bytes(): number {
    return this.trace.chunks.length * (1 << 20) + this.trace.index.byteLength + this.evEnd.byteLength;
  }
}
