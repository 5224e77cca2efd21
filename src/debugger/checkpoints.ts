/**
 * Checkpoints: machine snapshots spaced by replay cost. A snapshot is taken at the frontier
 * once `interval` events or `records` records have gone by since the last one (replaying
 * builds and checks every record, so records are what a replay costs; events bound scenarios
 * that emit few), so reverse motion replays at most that much (four times that in a stretch
 * that was fast-forwarded). Their number follows a byte
 * budget: when the snapshots would take more than it, both spacings double and every other
 * snapshot goes (event 0 stays), so a run of any length keeps them spread evenly. A machine
 * with small snapshots keeps many of them, so the spacing stays short to millions of events
 * (the count is not capped, the bytes are).
 *
 * A snapshot is the machine state serialised (v8, the structured-clone format) and
 * deflated: mostly-empty typed arrays (the event queue's free slots) and sparse memory
 * shrink ~10x, and an opaque Buffer costs the garbage collector nothing to trace. Kept in
 * memory (budget 64 MiB), or in the session's spill file in the workspace (a vault: budget
 * 512 MiB of disk, a few dozen bytes of memory each).
 * packSnapshot/unpackSnapshot are the only way a machine is snapshotted: reverse motion
 * and the tests' snapshot/restore checks go through the same bytes.
 */
import { deserialize, serialize } from 'node:v8';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ChunkVault } from '../sim/core/trace.ts';
import type { Machine, MachineState, Snapshot } from '../sim/machine.ts';

export interface CheckpointOptions {
  /** Events between snapshots at most, initially (default 256). */
  interval?: number;
  /** Records between snapshots at most, initially (default 8192). */
  records?: number;
  /** Most snapshots kept, whatever the budget (tests use it to force thinning). */
  max?: number;
  /** Bytes all snapshots together may take (in memory, or in the vault). */
  budgetBytes?: number;
  /** Keep snapshots here (the session's spill file) instead of in memory. */
  vault?: ChunkVault;
}

export interface PackedSnapshot {
  readonly events: number;
  readonly traceCount: number;
  readonly blob: Buffer;
}

/** The machine's state now, serialised and deflated. */
export function packSnapshot(m: Machine): PackedSnapshot {
  const blob = deflateRawSync(serialize(m.state), { level: constants.Z_BEST_SPEED });
  return { events: m.state.events, traceCount: m.state.traceCount, blob };
}

/** A fresh copy of the packed state, for Machine.restore (which takes ownership of it). */
export function unpackSnapshot(p: PackedSnapshot): Snapshot {
  return { state: deserialize(inflateRawSync(p.blob)) as MachineState, events: p.events, traceCount: p.traceCount };
}

/** One checkpoint: its position, and its snapshot in memory (blob) or in the vault (handle). */
interface Kept {
  readonly events: number;
  readonly traceCount: number;
  readonly blob: Buffer | undefined;
  readonly handle: number;
  /** Bytes it takes (deflated). */
  readonly size: number;
}

const MEMORY_BUDGET = 64 * 1024 * 1024;
/** Spacing factor while fast-forwarding (see after()). */
export const FF_SPACING = 4;
const VAULT_BUDGET = 512 * 1024 * 1024;

export class Checkpoints {
  private list: Kept[] = [];
  /** Events between snapshots at most. */
  interval: number;
  /** Records between snapshots at most. */
  records: number;
  /** Most snapshots the budget allows at their mean size. */
  max: number;
  private readonly maxCount: number;
  private readonly budget: number;
  private readonly vault: ChunkVault | undefined;
  private bytes = 0;

  constructor(m: Machine, opts: CheckpointOptions = {}) {
    this.interval = opts.interval ?? 256;
    this.records = opts.records ?? 8192;
    this.maxCount = opts.max ?? Infinity;
    this.max = this.maxCount;
    this.vault = opts.vault;
    this.budget = opts.budgetBytes ?? (opts.vault ? VAULT_BUDGET : MEMORY_BUDGET);
    this.take(m);
  }

  get count(): number {
    return this.list.length;
  }

  /** Mean size of one snapshot, in bytes. */
  get snapshotBytes(): number {
    return this.list.length ? Math.round(this.bytes / this.list.length) : 0;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Bytes of process memory the checkpoints take (snapshots in a vault count only their index). */
  get memoryBytes(): number {
    return this.vault ? 48 * this.list.length : this.bytes;
  }

  /**
   * Called after every event: a snapshot at the frontier once the spacing has gone by. While
   * fast-forwarding the spacing is FF_SPACING times wider: a snapshot costs as much as
   * hundreds of fast-forwarded events, and the stretch is replayed (records built) only when
   * someone looks there.
   */
  after(m: Machine, fastForwarding = false): void {
    const last = this.list[this.list.length - 1];
    const e = m.state.events;
    if (e <= last.events) return; // a replay: this stretch has its snapshots
    const wide = fastForwarding ? FF_SPACING : 1;
    if (e - last.events >= wide * this.interval || m.state.traceCount - last.traceCount >= wide * this.records) this.take(m);
  }

  private take(m: Machine): void {
    const state = serialize(m.state);
    let k: Kept;
    if (this.vault) {
      const handle = this.vault.put(state);
      k = { events: m.state.events, traceCount: m.state.traceCount, blob: undefined, handle, size: this.vault.sizeOf(handle) };
    } else {
      const blob = deflateRawSync(state, { level: constants.Z_BEST_SPEED });
      k = { events: m.state.events, traceCount: m.state.traceCount, blob, handle: -1, size: blob.byteLength };
    }
    const i = this.list.findIndex((x) => x.events > k.events);
    if (i < 0) this.list.push(k);
    else this.list.splice(i, 0, k);
    this.bytes += k.size;
    this.max = Math.max(16, Math.min(this.maxCount, Math.floor(this.budget / Math.max(1, this.snapshotBytes))));
    while (this.list.length > this.max) this.thin();
  }

  /** Double the spacing and keep the snapshots it leaves: about every other one (event 0 stays). */
  private thin(): void {
    this.interval *= 2;
    this.records *= 2;
    // Keep a snapshot when skipping it would stretch past the new spacing: no stretch gets
    // longer than the spacing (or than one old stretch, which was shorter).
    const keep = [this.list[0]];
    const far = (a: Kept, b: Kept) => b.events - a.events > this.interval || b.traceCount - a.traceCount > this.records;
    for (let i = 1; i < this.list.length; i++) {
      const k = this.list[i];
      const next = this.list[i + 1];
      if (!next || far(keep[keep.length - 1], next)) keep.push(k);
      else if (this.vault) this.vault.drop(k.handle);
    }
    if (keep.length < this.list.length) this.list = keep;
    else {
      // Irregular spacing where nothing went: drop every other one anyway.
      const next = this.list.filter((_, i) => i % 2 === 0);
      if (this.vault) for (let i = 1; i < this.list.length; i += 2) this.vault.drop(this.list[i].handle);
      this.list = next;
    }
    this.bytes = this.list.reduce((n, s) => n + s.size, 0);
  }

  private nearestKept(events: number): Kept {
    return this.list[this.nearestIndex(events)];
  }

  private nearestIndex(events: number): number {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.list[mid].events <= events) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The latest snapshot at or before `events`, unpacked afresh for Machine.restore. */
  nearest(events: number): Snapshot {
    const k = this.nearestKept(events);
    const bytes = k.blob ? inflateRawSync(k.blob) : this.vault!.get(k.handle);
    return { state: deserialize(bytes) as MachineState, events: k.events, traceCount: k.traceCount };
  }

  /** Event number of the latest snapshot at or before `events` (no unpacking). */
  nearestEvents(events: number): number {
    return this.nearestKept(events).events;
  }

  /** Event number of the first snapshot after `events`, or undefined. */
  nextEvents(events: number): number | undefined {
    return this.list[this.nearestIndex(events) + 1]?.events;
  }

  events(): number[] {
    return this.list.map((s) => s.events);
  }
}
