/**
 * The recording: every record the run has produced up to its furthest point, plus where
 * each event's records end. Reverse motion restores a checkpoint and replays; each
 * replayed record must equal the recorded one byte for byte (rr's lesson: divergence is a
 * bug, and it must be loud), and each replayed event must end at the recorded seq.
 *
 * Storage: JSON lines packed into 1 MiB chunks; a full chunk is deflated (level 1, ~8x on
 * trace JSON), and a few inflated chunks are cached for reads. Per record only its offset
 * in its chunk is kept (4 bytes); the chunk comes from a per-chunk first-seq table. A
 * million events of the demo (5.7M records, 860 MB of JSON) fit in ~130 MB this way.
 */
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import { SimAssertionError } from '../sim/core/assert.ts';
import type { TraceRecord } from '../sim/core/trace.ts';

const CHUNK_BYTES = 1 << 20;
const CACHE_CHUNKS = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class LineStore {
  /** Sealed chunks, deflated; the open one is `cur`. */
  private readonly sealed: Uint8Array[] = [];
  /** Bytes used in each sealed chunk. */
  private readonly sealedUsed: number[] = [];
  /** First seq of each chunk (sealed ones, then the open one). */
  private firstSeq: number[] = [0];
  private cur = new Uint8Array(CHUNK_BYTES);
  private used = 0;
  /** Offset of each record in its chunk. */
  private offsets = new Uint32Array(1 << 16);
  count = 0;
  private readonly cache = new Map<number, Uint8Array>();

  append(line: string): void {
    if (this.used + line.length * 3 > this.cur.length) this.seal(line.length * 3);
    const { written } = encoder.encodeInto(line, this.cur.subarray(this.used));
    if (this.count >= this.offsets.length) {
      const n = new Uint32Array(this.offsets.length * 2);
      n.set(this.offsets);
      this.offsets = n;
    }
    this.offsets[this.count++] = this.used;
    this.used += written;
  }

  private seal(need: number): void {
    if (this.used > 0) {
      this.sealed.push(deflateRawSync(this.cur.subarray(0, this.used), { level: constants.Z_BEST_SPEED }));
      this.sealedUsed.push(this.used);
      this.firstSeq.push(this.count);
    }
    this.cur = new Uint8Array(Math.max(CHUNK_BYTES, need));
    this.used = 0;
  }

  private chunkOf(seq: number): number {
    const f = this.firstSeq;
    let lo = 0;
    let hi = f.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (f[mid] <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private bytesOf(k: number): { buf: Uint8Array; used: number } {
    if (k === this.sealed.length) return { buf: this.cur, used: this.used };
    let b = this.cache.get(k);
    if (b) {
      this.cache.delete(k); // LRU: re-insert as newest
    } else {
      b = inflateRawSync(this.sealed[k]);
      if (this.cache.size >= CACHE_CHUNKS) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(k, b);
    return { buf: b, used: this.sealedUsed[k] };
  }

  line(seq: number): string {
    const k = this.chunkOf(seq);
    const { buf, used } = this.bytesOf(k);
    const start = this.offsets[seq];
    const end = seq + 1 < this.count && seq + 1 < (this.firstSeq[k + 1] ?? Infinity) ? this.offsets[seq + 1] : used;
    return decoder.decode(buf.subarray(start, end));
  }

  bytes(): number {
    let n = this.cur.byteLength + this.offsets.byteLength;
    for (const c of this.sealed) n += c.byteLength;
    for (const c of this.cache.values()) n += c.byteLength;
    return n;
  }
}

/** The kind of a record line, with its quotes (`"dma"`), without parsing the JSON. */
export function kindOfLine(line: string): string {
  const i = line.indexOf('"kind":') + 7;
  return line.slice(i, line.indexOf(',', i));
}

export class Recording {
  private readonly lines = new LineStore();
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
    const n = this.lines.count;
    if (seq === n) {
      this.lines.append(json);
      return;
    }
    if (seq > n) throw new SimAssertionError(`recording skipped records: got seq ${seq}, expected ${n}`);
    const old = this.lines.line(seq);
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
    return JSON.parse(this.lines.line(seq)) as TraceRecord;
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
