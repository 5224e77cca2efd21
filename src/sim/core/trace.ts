/**
 * The trace store: every record a machine emitted, as its JSON line (each followed by a
 * newline), written by the kind's encoder straight into 1 MiB chunks. Per record it keeps
 * only its offset in its chunk and its kernel stack id; a chunk is found from a small
 * first-seq table. Tests, `run` and the debugger all use this one store:
 *
 * - a record emitted past the end is appended;
 * - a record emitted below the end (a replay after a restore) is encoded aside and must
 *   equal the stored bytes, or the run has diverged: that is a bug, and it is loud;
 * - full chunks can be sealed by a codec (the debugger deflates them, ~8x on trace JSON;
 *   sim/ itself does no I/O and no compression), and `discard()` drops everything held so
 *   far, so a headless run streams in constant memory.
 */
import { SimAssertionError } from './assert.ts';
import type { TraceRecord } from '../trace-kinds.ts';
import { type Encoder, decodeLine, encoderOf } from '../trace/codec.ts';
import { ByteWriter } from '../trace/writer.ts';

export type { TraceRecord } from '../trace-kinds.ts';

const CHUNK_BYTES = 1 << 20;
const CACHE_CHUNKS = 4;
const NL = 10;

/** Seals a full chunk (e.g. deflate) and gives its bytes back when a line is read. */
export interface ChunkCodec {
  seal(bytes: Uint8Array): Uint8Array;
  unseal(sealed: Uint8Array): Uint8Array;
}

const utf8 = new TextDecoder();

export class TraceStore {
  /** Seq of the next record appended: records [base, count) are held. */
  count = 0;
  /** Seq of the first record held (raised by discard()). */
  private base = 0;
  /** Sealed chunks (raw copies without a codec); the open one is the writer's buffer. */
  private readonly sealed: Uint8Array[] = [];
  private readonly sealedUsed: number[] = [];
  /** First seq of each chunk: sealed ones, then the open one. */
  private firstSeq: number[] = [0];
  /** Offset of each held record in its chunk, by seq - base. */
  private offsets = new Uint32Array(1 << 12);
  /**
   * Interned kernel call chain of each held record (src/sim/core/kstack.ts); allocated at the
   * first record emitted inside a kernel function (none in a scenario without them).
   */
  private stacks: Uint32Array | undefined;
  private readonly cache = new Map<number, Uint8Array>();
  private codec: ChunkCodec | undefined;
  /** The open chunk, written by the encoders. */
  private readonly w = new ByteWriter(CHUNK_BYTES, (w, n) => this.nextChunk(w, n));
  /** Replayed records are encoded here and compared with the stored ones. */
  private readonly check = new ByteWriter(4096);
  /** Replayed records found equal to the recorded ones. */
  verified = 0;

  /** Seal full chunks with `codec` from now on (the debugger's deflate). */
  setCodec(codec: ChunkCodec | undefined): void {
    this.codec = codec;
  }

  /**
   * Keep record r (just emitted, seq/t/kind set), or check it against the recorded one. A
   * store that holds nothing picks up at any seq (the machine ran with keepTrace off); a gap
   * after held records is a bug.
   */
  put(r: TraceRecord, encode: Encoder = encoderOf(r.kind)): void {
    const seq = r.seq;
    if (seq === this.count) this.append(r, encode);
    else if (seq < this.count && seq >= this.base) this.verify(r, encode);
    else if (seq > this.count && this.base === this.count) {
      this.discard(seq);
      this.append(r, encode);
    } else if (seq > this.count) throw new SimAssertionError(`trace skipped records: got seq ${seq}, expected ${this.count}`);
  }

  private append(r: TraceRecord, encode: Encoder): void {
    const w = this.w;
    w.start = w.pos;
    encode(w, r as never);
    w.buf[w.pos++] = NL; // the encoder left room for it
    const i = this.count - this.base;
    if (i >= this.offsets.length) this.growIndex();
    this.offsets[i] = w.start;
    if (this.stacks) this.stacks[i] = r.stack ?? 0;
    else if (r.stack !== undefined) (this.stacks = new Uint32Array(this.offsets.length))[i] = r.stack;
    this.count++;
  }

  private growIndex(): void {
    const o = new Uint32Array(this.offsets.length * 2);
    o.set(this.offsets);
    this.offsets = o;
    if (this.stacks) {
      const s = new Uint32Array(o.length);
      s.set(this.stacks);
      this.stacks = s;
    }
  }

  private verify(r: TraceRecord, encode: Encoder): void {
    const c = this.check;
    c.pos = 0;
    encode(c, r as never);
    const { buf, start, end } = this.span(r.seq);
    let same = end - start === c.pos;
    for (let i = 0; same && i < c.pos; i++) same = buf[start + i] === c.buf[i];
    if (!same) {
      const replayed = utf8.decode(c.buf.subarray(0, c.pos));
      throw new SimAssertionError(`replay diverged at seq ${r.seq}:\n  recorded ${this.line(r.seq)}\n  replayed ${replayed}`);
    }
    this.verified++;
  }

  /** The open chunk is full: seal it and carry the record being written into a new one. */
  private nextChunk(w: ByteWriter, need: number): void {
    const partial = w.buf.subarray(w.start, w.pos);
    if (w.start > 0) {
      const done = w.buf.subarray(0, w.start);
      this.sealed.push(this.codec ? this.codec.seal(done) : done.slice());
      this.sealedUsed.push(w.start);
      this.firstSeq.push(this.count);
    }
    const next = new Uint8Array(Math.max(CHUNK_BYTES, 2 * (partial.length + need)));
    next.set(partial);
    w.setBuf(next);
    w.pos = partial.length;
    w.start = 0;
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

  private chunkBytes(k: number): { buf: Uint8Array; used: number } {
    if (k === this.sealed.length) return { buf: this.w.buf, used: this.w.pos };
    if (!this.codec) return { buf: this.sealed[k], used: this.sealedUsed[k] };
    let b = this.cache.get(k);
    if (b) this.cache.delete(k); // LRU: re-inserted as the newest
    else {
      b = this.codec.unseal(this.sealed[k]);
      if (this.cache.size >= CACHE_CHUNKS) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(k, b);
    return { buf: b, used: this.sealedUsed[k] };
  }

  /** Where record seq's line lies (without its newline). */
  private span(seq: number): { buf: Uint8Array; start: number; end: number } {
    if (seq < this.base || seq >= this.count) throw new SimAssertionError(`trace record ${seq} is not held (${this.base}..${this.count - 1})`);
    const k = this.chunkOf(seq);
    const { buf, used } = this.chunkBytes(k);
    const start = this.offsets[seq - this.base];
    const next = seq + 1 < this.count && seq + 1 < (this.firstSeq[k + 1] ?? Infinity) ? this.offsets[seq + 1 - this.base] : used;
    return { buf, start, end: next - 1 };
  }

  /** Record seq's JSON line. */
  line(seq: number): string {
    const { buf, start, end } = this.span(seq);
    return utf8.decode(buf.subarray(start, end));
  }

  /** Record seq, typed (numbers for addresses, as the model emitted it). */
  record(seq: number): TraceRecord {
    return decodeLine(this.line(seq));
  }

  /** The interned kernel call chain record seq was emitted under (0: none). */
  stackOf(seq: number): number {
    if (seq < this.base || seq >= this.count || !this.stacks) return 0;
    return this.stacks[seq - this.base];
  }

  /** The first seq still held. */
  get first(): number {
    return this.base;
  }

  /**
   * Hand the held lines [first, upTo) to `sink` as newline-terminated bytes (views into the
   * store: copy them before the next emit), then drop every held record.
   */
  drain(sink: (bytes: Uint8Array) => void, upTo = this.count): void {
    const end = Math.min(upTo, this.count);
    if (end > this.base) {
      const last = this.span(end - 1);
      const kLast = this.chunkOf(end - 1);
      for (let k = this.chunkOf(this.base); k <= kLast; k++) {
        const { buf, used } = this.chunkBytes(k);
        const from = k === this.chunkOf(this.base) ? this.offsets[0] : 0;
        const to = k === kLast ? last.end + 1 : used;
        if (to > from) sink(buf.subarray(from, to));
      }
    }
    this.discard();
  }

  /**
   * Drop every record held; numbering goes on: the next record kept is seq `next` (by default
   * the one that comes next anyway; a caller that kept nothing for a while passes the seq the
   * machine is at).
   */
  discard(next = this.count): void {
    this.count = next;
    this.base = next;
    this.sealed.length = 0;
    this.sealedUsed.length = 0;
    this.firstSeq = [this.count];
    this.cache.clear();
    this.stacks = undefined;
    this.w.pos = 0;
    this.w.start = 0;
  }

  /** Drop records from `count` on (a test that wants a run to take another path). */
  truncate(count: number): void {
    if (count >= this.count) return;
    if (count <= this.base) {
      this.count = count;
      this.discard();
      return;
    }
    const k = this.chunkOf(count);
    const cut = this.offsets[count - this.base];
    if (k < this.sealed.length) {
      // Reopen chunk k: the records before `count` in it stay, the rest go.
      const { buf } = this.chunkBytes(k);
      const open = new Uint8Array(Math.max(CHUNK_BYTES, buf.length));
      open.set(buf.subarray(0, cut));
      this.sealed.length = k;
      this.sealedUsed.length = k;
      this.firstSeq.length = k + 1;
      this.cache.clear();
      this.w.setBuf(open);
    }
    this.w.pos = cut;
    this.w.start = cut;
    this.count = count;
  }

  /** Bytes held: sealed chunks, the open one, the per-record index and the read cache. */
  bytes(): number {
    let n = this.w.buf.byteLength + this.offsets.byteLength + (this.stacks?.byteLength ?? 0);
    for (const c of this.sealed) n += c.byteLength;
    for (const c of this.cache.values()) n += c.byteLength;
    return n;
  }
}
