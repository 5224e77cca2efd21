/**
 * The trace store: every record a machine emitted, as its JSON line (each followed by a
 * newline), written by the kind's encoder straight into an open chunk of 1 MiB. Tests, `run`
 * and the debugger all use this one store:
 *
 * - a record emitted past the end is appended;
 * - a record emitted again (a replay after a restore) is encoded aside and must equal the
 *   stored bytes, or the run has diverged: that is a bug, and it is loud;
 * - full chunks are sealed into a vault (kept as they are by default; the debugger's deflates
 *   them and may spill them to a file: sim/ itself does no I/O and no compression);
 * - `drain()` / `discard()` drop everything held, so a headless run streams in constant memory.
 *
 * Gaps: a store with `allowGaps` (the debugger's recording) accepts a record at any seq. The
 * debugger fast-forwards without building records (Machine.fastForward) and fills the gap
 * later by replaying from a checkpoint: the replayed records land in the gap, in a chunk of
 * their own. Chunks are kept in seq order; each holds a run of consecutive records.
 *
 * Memory per chunk, not per record: a sealed chunk's line offsets are found again by scanning
 * for newlines when it is read (a few inflated chunks are cached), and the kernel call chain
 * of each record (`stackOf`) is sealed with its chunk.
 */
import { SimAssertionError } from './assert.ts';
import type { TraceRecord } from '../trace-kinds.ts';
import { type Encoder, decodeLine, encoderOf } from '../trace/codec.ts';
import { ByteWriter } from '../trace/writer.ts';

export type { TraceRecord } from '../trace-kinds.ts';

const CHUNK_BYTES = 1 << 20;
const CACHE_CHUNKS = 4;
const NL = 10;

/**
 * A streaming run (`run --json`, the benches that time it) drains the store once this many
 * records or bytes are held: per event, the drain's own cost was a fifth of a demo run.
 */
export const DRAIN_RECORDS = 512;
export const DRAIN_BYTES = 64 * 1024;

/**
 * Where sealed chunks go. `put` keeps the bytes (copying them: the caller reuses its buffer)
 * and returns a handle; `get` gives them back. The default keeps raw copies in memory; the
 * debugger's deflates them, in memory or in a file of the workspace (src/store/spill.ts).
 */
export interface ChunkVault {
  put(bytes: Uint8Array): number;
  get(handle: number): Uint8Array;
  /** Bytes the chunk takes where it is kept (deflated, on disk or in memory). */
  sizeOf(handle: number): number;
  /** Forget one chunk (truncate); a file vault may leave its bytes where they are. */
  drop(handle: number): void;
  /** Forget every chunk. */
  clear(): void;
  /** Bytes of process memory the vault holds (a file vault: its index and buffers only). */
  memoryBytes(): number;
}

/** Raw copies in memory: what a test or a plain run needs. */
export function memoryVault(seal?: (b: Uint8Array) => Uint8Array, unseal?: (b: Uint8Array) => Uint8Array): ChunkVault {
  const kept = new Map<number, Uint8Array>();
  let next = 0;
  let held = 0;
  return {
    put: (bytes) => {
      const b = seal ? seal(bytes) : bytes.slice();
      kept.set(next, b);
      held += b.byteLength;
      return next++;
    },
    get: (h) => {
      const b = kept.get(h);
      if (!b) throw new SimAssertionError(`trace chunk ${h} is not in the vault`);
      return unseal ? unseal(b) : b;
    },
    sizeOf: (h) => kept.get(h)?.byteLength ?? 0,
    drop: (h) => {
      held -= kept.get(h)?.byteLength ?? 0;
      kept.delete(h);
    },
    clear: () => {
      kept.clear();
      held = 0;
    },
    memoryBytes: () => held,
  };
}

const utf8 = new TextDecoder();

/** A sealed chunk read back: its bytes, where each line starts, and the records' call chains. */
interface Opened {
  readonly bytes: Uint8Array;
  /** starts[i] = offset of record first+i; starts[n] = bytes.length. */
  readonly starts: Uint32Array;
  readonly stacks: Uint32Array | undefined;
}

export class TraceStore {
  /** One past the highest seq appended (records may be missing below it in a store with gaps). */
  count = 0;
  /** Seq of the first record held (raised by discard()). */
  private base = 0;
  /** Accept records at any seq (the debugger's recording fills gaps later). */
  allowGaps = false;
  /** Sealed chunks in seq order: records [first, end) of each, and the vault handles. */
  private cFirst: number[] = [];
  private cEnd: number[] = [];
  private cBytes: number[] = [];
  private cStacks: number[] = [];
  /** The open chunk: records [oFirst, oFirst + oCount), up to (not including) seq oLimit. */
  private oFirst = 0;
  private oCount = 0;
  private oLimit = Infinity;
  /** Offset of each open record in the writer's buffer (allocated at the first record, like the chunk). */
  private offsets = new Uint32Array(0);
  /**
   * Interned kernel call chain of each open record (src/sim/core/kstack.ts); allocated at the
   * first record emitted inside a kernel function (none in a scenario without them).
   */
  private stacks: Uint32Array | undefined;
  private readonly cache = new Map<number, Opened>();
  private vault: ChunkVault = memoryVault();
  /**
   * The open chunk, written by the encoders. Empty until the first record: full() then gives
   * it CHUNK_BYTES, so a machine that keeps no trace (swarm seeds) never allocates the MiB.
   */
  private readonly w = new ByteWriter(0, (w, n) => this.full(w, n));
  /** Replayed records are encoded here and compared with the stored ones. */
  private readonly check = new ByteWriter(0);
  /** Replayed records found equal to the recorded ones. */
  verified = 0;

  /** Seal full chunks into `vault` from now on (the debugger's deflate, or its spill file). */
  setVault(vault: ChunkVault): void {
    this.vault = vault;
  }

  /**
   * Keep record r (just emitted, seq/t/kind set), or check it against the recorded one. A
   * store that holds nothing picks up at any seq (the machine ran with keepTrace off); a gap
   * after held records is a bug unless `allowGaps`.
   */
  /** `stack`: the kernel call chain the record was emitted under (Machine.emit passes it). */
  put(r: TraceRecord, encode: Encoder = encoderOf(r.kind), stack: number = r.stack ?? 0): void {
    const seq = r.seq;
    const open = seq - this.oFirst;
    if (open === this.oCount && seq < this.oLimit && (open > 0 || this.count === seq)) {
      this.append(r, encode, stack);
      return;
    }
    if (open >= 0 && open < this.oCount) {
      this.verify(r, encode);
      return;
    }
    if (seq < this.base) return; // before what this store keeps (discarded)
    const k = this.chunkOf(seq);
    if (k >= 0 && seq < this.cEnd[k]) {
      this.verify(r, encode);
      return;
    }
    if (seq > this.count && !this.allowGaps && this.count > this.base) {
      throw new SimAssertionError(`trace skipped records: got seq ${seq}, expected ${this.count}`);
    }
    if (!this.allowGaps && this.count === this.base && seq > this.count) this.discard(seq);
    this.openAt(seq);
    this.append(r, encode, stack);
  }

  private append(r: TraceRecord, encode: Encoder, stack: number): void {
    const w = this.w;
    w.start = w.pos;
    encode(w, r as never);
    w.buf[w.pos++] = NL; // the encoder left room for it
    const i = this.oCount;
    if (i >= this.offsets.length) this.growIndex();
    this.offsets[i] = w.start;
    if (this.stacks) this.stacks[i] = stack;
    else if (stack !== 0) (this.stacks = new Uint32Array(this.offsets.length))[i] = stack;
    this.oCount++;
    if (r.seq >= this.count) this.count = r.seq + 1;
  }

  private growIndex(): void {
    const o = new Uint32Array(Math.max(1 << 12, this.offsets.length * 2));
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

  /** Seal the open chunk and open an empty one at `seq`, running up to the next chunk held. */
  private openAt(seq: number): void {
    this.seal();
    const k = this.chunkOf(seq);
    this.oFirst = seq;
    this.oLimit = k + 1 < this.cFirst.length ? this.cFirst[k + 1] : Infinity;
    this.w.pos = 0;
    this.w.start = 0;
  }

  /** Move the open chunk's records into the vault (nothing when it is empty). */
  private seal(upTo = this.w.pos): void {
    const n = this.oCount;
    if (n === 0) return;
    const bytes = this.vault.put(this.w.buf.subarray(0, upTo));
    let stacks = -1;
    if (this.stacks) {
      const s = this.stacks.subarray(0, n);
      if (s.some((x) => x !== 0)) stacks = this.vault.put(new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
    }
    const at = this.chunkOf(this.oFirst) + 1;
    this.cFirst.splice(at, 0, this.oFirst);
    this.cEnd.splice(at, 0, this.oFirst + n);
    this.cBytes.splice(at, 0, bytes);
    this.cStacks.splice(at, 0, stacks);
    this.oFirst += n;
    this.oCount = 0;
    // Kept for the next chunk, not reallocated: a streaming run seals a chunk per event.
    this.stacks?.fill(0, 0, n);
  }

  /** The open chunk is full: seal its records and carry the one being written to the start. */
  private full(w: ByteWriter, need: number): void {
    const partial = w.buf.slice(w.start, w.pos);
    this.seal(w.start);
    if (partial.length + need > w.buf.length) w.setBuf(new Uint8Array(Math.max(CHUNK_BYTES, 2 * (partial.length + need))));
    w.buf.set(partial);
    w.pos = partial.length;
    w.start = 0;
  }

  /** The last sealed chunk whose first seq is at or before `seq`, or -1. */
  private chunkOf(seq: number): number {
    const f = this.cFirst;
    let lo = 0;
    let hi = f.length - 1;
    if (hi < 0 || f[0] > seq) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (f[mid] <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private opened(k: number): Opened {
    const h = this.cBytes[k];
    let o = this.cache.get(h);
    if (o) this.cache.delete(h); // LRU: re-inserted as the newest
    else {
      const bytes = this.vault.get(h);
      const n = this.cEnd[k] - this.cFirst[k];
      const starts = new Uint32Array(n + 1);
      for (let i = 1, p = 0; i <= n; i++) starts[i] = p = bytes.indexOf(NL, p) + 1;
      const sh = this.cStacks[k];
      const sb = sh >= 0 ? this.vault.get(sh) : undefined;
      const stacks = sb ? new Uint32Array(sb.buffer.slice(sb.byteOffset, sb.byteOffset + sb.byteLength)) : undefined;
      o = { bytes, starts, stacks };
      if (this.cache.size >= CACHE_CHUNKS) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(h, o);
    return o;
  }

  /** Is record seq in the store? */
  holds(seq: number): boolean {
    if (seq >= this.oFirst && seq < this.oFirst + this.oCount) return true;
    const k = this.chunkOf(seq);
    return k >= 0 && seq < this.cEnd[k];
  }

  /**
   * The first seq at or after `seq` that the store holds (Infinity: none), so a reader can
   * tell how far a gap reaches.
   */
  nextHeld(seq: number): number {
    if (this.holds(seq)) return seq;
    const k = this.chunkOf(seq);
    let next = k + 1 < this.cFirst.length ? this.cFirst[k + 1] : Infinity;
    if (this.oCount > 0 && this.oFirst > seq) next = Math.min(next, this.oFirst);
    return next;
  }

  /** Where record seq's line lies (without its newline). */
  private span(seq: number): { buf: Uint8Array; start: number; end: number } {
    const i = seq - this.oFirst;
    if (i >= 0 && i < this.oCount) {
      const end = i + 1 < this.oCount ? this.offsets[i + 1] : this.w.pos;
      return { buf: this.w.buf, start: this.offsets[i], end: end - 1 };
    }
    const k = this.chunkOf(seq);
    if (k < 0 || seq >= this.cEnd[k]) throw new SimAssertionError(`trace record ${seq} is not held (${this.heldText()})`);
    const o = this.opened(k);
    const j = seq - this.cFirst[k];
    return { buf: o.bytes, start: o.starts[j], end: o.starts[j + 1] - 1 };
  }

  private heldText(): string {
    const runs: string[] = [];
    for (let k = 0; k < this.cFirst.length && runs.length < 4; k++) runs.push(`${this.cFirst[k]}..${this.cEnd[k] - 1}`);
    if (this.oCount) runs.push(`${this.oFirst}..${this.oFirst + this.oCount - 1}`);
    return runs.length ? runs.join(', ') : 'none';
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

  /** The interned kernel call chain record seq was emitted under (0: none or not held). */
  stackOf(seq: number): number {
    const i = seq - this.oFirst;
    if (i >= 0 && i < this.oCount) return this.stacks ? this.stacks[i] : 0;
    const k = this.chunkOf(seq);
    if (k < 0 || seq >= this.cEnd[k] || this.cStacks[k] < 0) return 0;
    return this.opened(k).stacks![seq - this.cFirst[k]];
  }

  /**
   * Bytes of lines held that drain() would hand out (the open chunk's, plus what was sealed):
   * a streaming caller drains when this reaches its batch size, not after every event.
   */
  get heldBytes(): number {
    let n = this.w.pos;
    for (let k = 0; k < this.cBytes.length; k++) n += this.vault.sizeOf(this.cBytes[k]);
    return n;
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
    for (let k = 0; k < this.cFirst.length && this.cFirst[k] < upTo; k++) {
      const o = this.opened(k);
      const n = Math.min(this.cEnd[k], upTo) - this.cFirst[k];
      sink(o.bytes.subarray(0, o.starts[n]));
    }
    if (this.oCount && this.oFirst < upTo) {
      const n = Math.min(this.oCount, upTo - this.oFirst);
      sink(this.w.buf.subarray(0, n < this.oCount ? this.offsets[n] : this.w.pos));
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
    // A streaming run discards after every event, with nothing sealed since the last time:
    // the chunk table and the vault are emptied only when they hold something (setting an
    // array's length, even to what it is, is a runtime call).
    if (this.cFirst.length) this.dropSealed();
    if (this.cache.size) this.cache.clear();
    this.oFirst = next;
    // Zeroed and kept: a streaming run discards after every event (a fresh 16 KiB array each
    // time was garbage enough to double the run's peak RSS).
    if (this.stacks) this.stacks.fill(0, 0, this.oCount);
    this.oCount = 0;
    this.oLimit = Infinity;
    this.w.pos = 0;
    this.w.start = 0;
  }

  /** Forget every sealed chunk (emptied in place). */
  private dropSealed(): void {
    this.cFirst.length = this.cEnd.length = this.cBytes.length = this.cStacks.length = 0;
    this.vault.clear();
  }

  /** Drop records from `count` on (a test that wants a run to take another path). */
  truncate(count: number): void {
    if (count >= this.count) return;
    if (count <= this.base) {
      this.count = count;
      this.discard();
      return;
    }
    this.seal();
    let k = this.cFirst.length;
    while (k > 0 && this.cFirst[k - 1] >= count) k--;
    for (let j = k; j < this.cFirst.length; j++) this.forget(j);
    this.cFirst.length = this.cEnd.length = this.cBytes.length = this.cStacks.length = k;
    this.cache.clear();
    this.count = count;
    if (k > 0 && this.cEnd[k - 1] > count) {
      // Reopen the chunk that holds `count`: the records before it stay, the rest go.
      const last = k - 1;
      const o = this.opened(last);
      const keep = count - this.cFirst[last];
      this.oFirst = this.cFirst[last];
      this.forget(last);
      this.cFirst.length = this.cEnd.length = this.cBytes.length = this.cStacks.length = last;
      this.cache.clear();
      if (o.starts[keep] > this.w.buf.length) this.w.setBuf(new Uint8Array(o.starts[keep]));
      this.w.buf.set(o.bytes.subarray(0, o.starts[keep]));
      while (this.offsets.length < keep) this.growIndex();
      this.offsets.set(o.starts.subarray(0, keep));
      if (o.stacks) (this.stacks = new Uint32Array(this.offsets.length)).set(o.stacks.subarray(0, keep));
      this.oCount = keep;
      this.w.pos = this.w.start = o.starts[keep];
    } else {
      this.oFirst = count;
      this.w.pos = this.w.start = 0;
    }
    this.oLimit = Infinity;
  }

  private forget(k: number): void {
    this.vault.drop(this.cBytes[k]);
    if (this.cStacks[k] >= 0) this.vault.drop(this.cStacks[k]);
  }

  /** Sealed chunks (for tests and `info recording`). */
  get chunks(): number {
    return this.cFirst.length;
  }

  /** Bytes of memory held: the open chunk, its index, the vault's share, the read cache, the chunk table. */
  bytes(): number {
    let n = this.w.buf.byteLength + this.offsets.byteLength + (this.stacks?.byteLength ?? 0) + this.vault.memoryBytes() + 32 * this.cFirst.length;
    for (const o of this.cache.values()) n += o.bytes.byteLength + o.starts.byteLength + (o.stacks?.byteLength ?? 0);
    return n;
  }
}
