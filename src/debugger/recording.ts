/**
 * The recording: every record the run has produced up to its furthest point (kept in the
 * machine's trace store, the same store tests and `run` use), plus where each event's
 * records end. Reverse motion restores a checkpoint and replays; the store checks each
 * replayed record against the recorded bytes (rr's lesson: divergence is a bug, and it
 * must be loud), and each replayed event must end at the recorded seq.
 *
 * Storage: the store's 1 MiB chunks of JSON lines, deflated once full (level 1, ~8x on
 * trace JSON) into a vault: in memory, or in a file of the workspace when the session has
 * one (src/store/spill.ts), so memory stays flat however long the run. Where each event's
 * records end is kept per block of 64 Ki events, full blocks sealed into the same vault.
 *
 * Gaps: motion that fast-forwards (engine.ts) builds no records, so the store has gaps.
 * Reading a record in a gap asks the session to fill it (`filler`: restore the checkpoint
 * before it, replay with records on, put the machine back); readers never see a gap.
 */
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import { SimAssertionError } from '../sim/core/assert.ts';
import { type ChunkVault, type TraceRecord, type TraceStore, memoryVault } from '../sim/core/trace.ts';

/** Chunks deflated and kept in memory: a session without a workspace. */
export function deflateVault(): ChunkVault {
  return memoryVault(
    (bytes) => deflateRawSync(bytes, { level: constants.Z_BEST_SPEED }),
    (sealed) => inflateRawSync(sealed),
  );
}

/** The kind of a record line, with its quotes (`"dma"`), without parsing the JSON. */
export function kindOfLine(line: string): string {
  const i = line.indexOf('"kind":') + 7;
  return line.slice(i, line.indexOf(',', i));
}

const BLOCK_SHIFT = 16;
const BLOCK = 1 << BLOCK_SHIFT;
const BLOCK_CACHE = 4;

/**
 * ends(e) = records emitted once event e has been handled (ends(0) = 0), for every event up
 * to the frontier. Block b holds events [b*BLOCK, (b+1)*BLOCK); full blocks are sealed into
 * the vault as deltas (a few records per event: they deflate to almost nothing); the first
 * value of each stays in memory for the binary search of eventOf.
 */
class EventEnds {
  private open = new Uint32Array(BLOCK);
  /** Sealed blocks: vault handle and ends(b*BLOCK). */
  private readonly handles: number[] = [];
  private readonly firsts: number[] = [];
  private readonly cache = new Map<number, Uint32Array>();

  constructor(private readonly vault: ChunkVault) {}

  /** Set ends(e) for e = the frontier + 1 (or 0). */
  push(e: number, v: number): void {
    const b = e >>> BLOCK_SHIFT;
    if (b > this.handles.length) {
      // The open block is full: seal it as deltas.
      const d = new Uint32Array(BLOCK);
      d[0] = this.open[0];
      for (let i = 1; i < BLOCK; i++) d[i] = this.open[i] - this.open[i - 1];
      this.handles.push(this.vault.put(new Uint8Array(d.buffer)));
      this.firsts.push(this.open[0]);
      this.open = new Uint32Array(BLOCK);
    }
    this.open[e & (BLOCK - 1)] = v;
  }

  get(e: number): number {
    const b = e >>> BLOCK_SHIFT;
    return (b === this.handles.length ? this.open : this.block(b))[e & (BLOCK - 1)];
  }

  private block(b: number): Uint32Array {
    let v = this.cache.get(b);
    if (v) return v;
    const bytes = this.vault.get(this.handles[b]);
    const d = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    for (let i = 1; i < BLOCK; i++) d[i] += d[i - 1];
    v = d;
    if (this.cache.size >= BLOCK_CACHE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(b, v);
    return v;
  }

  /** First e in [lo, hi] with ends(e) > seq (hi when none). */
  search(seq: number, lo: number, hi: number): number {
    // Narrow to a block by the first values kept in memory, then search inside it.
    let bl = lo >>> BLOCK_SHIFT;
    let bh = hi >>> BLOCK_SHIFT;
    while (bl < bh) {
      const mid = (bl + bh + 1) >>> 1;
      if (this.firstOf(mid) <= seq) bl = mid;
      else bh = mid - 1;
    }
    // The answer is in block bl, or is the first event of the next block.
    lo = Math.max(lo, bl << BLOCK_SHIFT);
    hi = Math.min(hi, (bl + 1) << BLOCK_SHIFT);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.get(mid) > seq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private firstOf(b: number): number {
    return b < this.firsts.length ? this.firsts[b] : this.open[0];
  }

  bytes(): number {
    return this.open.byteLength + BLOCK * 4 * this.cache.size + 16 * this.handles.length;
  }
}

export class Recording {
  private readonly lines: TraceStore;
  private readonly ends: EventEnds;
  /** Furthest event recorded. */
  frontier = 0;
  /** Event count at which the scenario ran out of events, once seen. */
  endEvents: number | undefined;
  /** Makes a record in a gap held, by replaying (set by the Session; see engine.ts fillRecords). */
  filler: ((seq: number) => void) | undefined;
  /** Gaps filled by replaying (for tests and `info recording`). */
  fills = 0;

  /** Keeps the machine's trace store, its full chunks deflated into `vault` (in memory by default). */
  constructor(store: TraceStore, vault: ChunkVault = deflateVault()) {
    this.lines = store;
    store.allowGaps = true;
    store.setVault(vault);
    this.ends = new EventEnds(vault);
    this.ends.push(0, 0);
  }

  /** Records verified against the recording during replays (for tests and `info recording`). */
  get verified(): number {
    return this.lines.verified;
  }

  /** After each event: remember where its records end, or check it against the recording. */
  onEvent(events: number, traceCount: number): void {
    if (events <= this.frontier) {
      const want = this.ends.get(events);
      if (want !== traceCount) throw new SimAssertionError(`replay diverged after event ${events}: ${traceCount} records, recorded ${want}`);
      return;
    }
    if (events !== this.frontier + 1) throw new SimAssertionError(`recording skipped events: ${events} after ${this.frontier}`);
    this.ends.push(events, traceCount);
    this.frontier = events;
  }

  /** Records emitted once `events` events have been handled. */
  recordsAt(events: number): number {
    return this.ends.get(Math.min(events, this.frontier));
  }

  /**
   * The event that emitted record `seq` (1-based event count): first e with ends(e) > seq;
   * a record past the last whole event recorded belongs to the next one (a halt left that
   * event partly recorded).
   */
  eventOf(seq: number): number {
    if (seq >= this.ends.get(this.frontier)) return this.frontier + 1;
    return this.ends.search(seq, 1, this.frontier);
  }

  /** Is record seq in the store now (not in a gap left by a fast-forward)? */
  holds(seq: number): boolean {
    return this.lines.holds(seq);
  }

  private ensure(seq: number): void {
    if (this.lines.holds(seq)) return;
    if (seq < 0 || seq >= this.count) throw new SimAssertionError(`record ${seq} is not recorded (${this.count} records)`);
    if (!this.filler) throw new SimAssertionError(`record ${seq} was fast-forwarded over and nothing can replay it`);
    this.filler(seq);
    if (!this.lines.holds(seq)) throw new SimAssertionError(`replaying to fill record ${seq} did not reach it`);
    this.fills++;
  }

  get(seq: number): TraceRecord {
    this.ensure(seq);
    return this.lines.record(seq);
  }

  line(seq: number): string {
    this.ensure(seq);
    return this.lines.line(seq);
  }

  /** The kernel call chain record seq was emitted under (0: none). */
  stackOf(seq: number): number {
    this.ensure(seq);
    return this.lines.stackOf(seq);
  }

  /** Records recorded: those of every event up to the frontier, and any of a halted event beyond it. */
  get count(): number {
    return Math.max(this.lines.count, this.ends.get(this.frontier));
  }

  /** Sealed trace chunks (in the vault). */
  get chunks(): number {
    return this.lines.chunks;
  }

  /** Bytes of memory the recording holds (chunks spilled to a file count only their index). */
  bytes(): number {
    return this.lines.bytes() + this.ends.bytes();
  }
}
