/**
 * Checkpoints: machine snapshots every `interval` events. Memory stays bounded: when
 * there are more than `max` of them, every other one is dropped (event 0 stays) and the
 * interval doubles, so a run of any length keeps between max/2 and max snapshots spread
 * evenly, and reverse motion replays at most `interval` events.
 *
 * A snapshot is the machine state serialised (v8, the structured-clone format) and
 * deflated: mostly-empty typed arrays (the event queue's free slots) and sparse memory
 * shrink ~10x, and an opaque Buffer costs the garbage collector nothing to trace. `max`
 * follows the measured size, so a machine with more memory keeps fewer snapshots.
 * packSnapshot/unpackSnapshot are the only way a machine is snapshotted: reverse motion
 * and the tests' snapshot/restore checks go through the same bytes.
 */
import { deserialize, serialize } from 'node:v8';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Machine, MachineState, Snapshot } from '../sim/machine.ts';

export interface CheckpointOptions {
  /** Initial interval in events. */
  interval?: number;
  /** Most snapshots kept (before the memory budget lowers it). */
  max?: number;
  /** Bytes all snapshots together may take. */
  budgetBytes?: number;
}

export interface PackedSnapshot {
  readonly events: number;
  readonly traceCount: number;
  readonly blob: Buffer;
}
type Packed = PackedSnapshot;

/** The machine's state now, serialised and deflated. */
export function packSnapshot(m: Machine): PackedSnapshot {
  const blob = deflateRawSync(serialize(m.state), { level: constants.Z_BEST_SPEED });
  return { events: m.state.events, traceCount: m.state.traceCount, blob };
}

/** A fresh copy of the packed state, for Machine.restore (which takes ownership of it). */
export function unpackSnapshot(p: PackedSnapshot): Snapshot {
  return { state: deserialize(inflateRawSync(p.blob)) as MachineState, events: p.events, traceCount: p.traceCount };
}

export class Checkpoints {
  private readonly list: Packed[] = [];
  interval: number;
  max: number;
  private readonly maxCount: number;
  private readonly budget: number;
  private bytes = 0;

  constructor(m: Machine, opts: CheckpointOptions = {}) {
    this.interval = opts.interval ?? 256;
    this.maxCount = opts.max ?? 4096;
    this.max = this.maxCount;
    this.budget = opts.budgetBytes ?? 64 * 1024 * 1024;
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

  /** Called after every event; takes a snapshot on the interval grid if none is there. */
  after(m: Machine): void {
    const e = m.state.events;
    if (e % this.interval !== 0) return;
    const last = this.list[this.list.length - 1];
    if (last.events >= e && this.nearestPacked(e).events === e) return;
    this.take(m);
  }

  private take(m: Machine): void {
    const p = packSnapshot(m);
    const i = this.list.findIndex((x) => x.events > p.events);
    if (i < 0) this.list.push(p);
    else this.list.splice(i, 0, p);
    this.bytes += p.blob.byteLength;
    this.max = Math.max(16, Math.min(this.maxCount, Math.floor(this.budget / Math.max(1, this.snapshotBytes))));
    while (this.list.length > this.max) this.thin();
  }

  /** Drop every other snapshot off the doubled grid (event 0 always stays). */
  private thin(): void {
    this.interval *= 2;
    const keep = this.list.filter((s, i) => i === 0 || s.events % this.interval === 0);
    // If the grid was irregular and nothing went, drop every other one anyway.
    const next = keep.length < this.list.length ? keep : this.list.filter((_, i) => i % 2 === 0);
    this.list.length = 0;
    this.list.push(...next);
    this.bytes = next.reduce((n, s) => n + s.blob.byteLength, 0);
  }

  private nearestPacked(events: number): Packed {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.list[mid].events <= events) lo = mid;
      else hi = mid - 1;
    }
    return this.list[lo];
  }

  /** The latest snapshot at or before `events`, unpacked afresh for Machine.restore. */
  nearest(events: number): Snapshot {
    return unpackSnapshot(this.nearestPacked(events));
  }

  /** Event number of the latest snapshot at or before `events` (no unpacking). */
  nearestEvents(events: number): number {
    return this.nearestPacked(events).events;
  }

  events(): number[] {
    return this.list.map((s) => s.events);
  }
}
