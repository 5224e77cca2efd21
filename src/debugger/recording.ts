/**
 * The recording: every record the run has produced up to its furthest point (kept in the
 * machine's trace store, the same store tests and `run` use), plus where each event's
 * records end. Reverse motion restores a checkpoint and replays; the store checks each
 * replayed record against the recorded bytes (rr's lesson: divergence is a bug, and it
 * must be loud), and each replayed event must end at the recorded seq.
 *
 * Storage: the store's 1 MiB chunks of JSON lines, deflated here once full (level 1, ~8x on
 * trace JSON), with a few inflated chunks cached for reads. A million events of the demo
 * (5.7M records, 860 MB of JSON) fit in ~130 MB this way.
 */
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import { SimAssertionError } from '../sim/core/assert.ts';
import type { ChunkCodec, TraceRecord, TraceStore } from '../sim/core/trace.ts';

/** Full chunks of the trace, deflated. */
export const DEFLATE_CHUNKS: ChunkCodec = {
  seal: (bytes) => deflateRawSync(bytes, { level: constants.Z_BEST_SPEED }),
  unseal: (sealed) => inflateRawSync(sealed),
};

/** The kind of a record line, with its quotes (`"dma"`), without parsing the JSON. */
export function kindOfLine(line: string): string {
  const i = line.indexOf('"kind":') + 7;
  return line.slice(i, line.indexOf(',', i));
}

export class Recording {
  private readonly lines: TraceStore;
  /** evEnd[e] = records emitted once event e has been handled (evEnd[0] = 0). */
  private evEnd = new Uint32Array(1 << 16);
  /** Furthest event recorded. */
  frontier = 0;
  /** Event count at which the scenario ran out of events, once seen. */
  endEvents: number | undefined;

  /** Keeps the machine's trace store, deflating its full chunks. */
  constructor(store: TraceStore) {
    this.lines = store;
    store.setCodec(DEFLATE_CHUNKS);
  }

  /** Records verified against the recording during replays (for tests and `info recording`). */
  get verified(): number {
    return this.lines.verified;
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

  /**
   * The event that emitted record `seq` (1-based event count): first e with evEnd[e] > seq;
   * a record past the last whole event recorded belongs to the next one (a halt left that
   * event partly recorded).
   */
  eventOf(seq: number): number {
    if (seq >= this.evEnd[this.frontier]) return this.frontier + 1;
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
    return this.lines.record(seq);
  }

  line(seq: number): string {
    return this.lines.line(seq);
  }

  get count(): number {
    return this.lines.count;
  }

  bytes(): number {
    return this.lines.bytes() + this.evEnd.byteLength;
  }
}
