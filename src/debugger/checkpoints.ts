/**
 * Checkpoints: machine snapshots every `interval` events. Memory stays bounded: when
 * there are more than `max` of them, every other one is dropped (event 0 stays) and the
 * interval doubles, so a run of any length keeps between max/2 and max snapshots spread
 * evenly, and reverse motion replays at most `interval` events. `max` follows the
 * measured snapshot size, so a big machine keeps fewer.
 */
import { serialize } from 'node:v8';
import type { Machine, Snapshot } from '../sim/machine.ts';

export interface CheckpointOptions {
  /** Initial interval in events. */
  interval?: number;
  /** Most snapshots kept (before the memory budget lowers it). */
  max?: number;
  /** Bytes all snapshots together may take (estimated from one serialised snapshot). */
  budgetBytes?: number;
}

export class Checkpoints {
  private readonly list: Snapshot[] = [];
  interval: number;
  max: number;
  private readonly maxCount: number;
  private readonly budget: number;
  snapshotBytes = 0;

  constructor(m: Machine, opts: CheckpointOptions = {}) {
    this.interval = opts.interval ?? 256;
    this.maxCount = opts.max ?? 1024;
    this.max = this.maxCount;
    this.budget = opts.budgetBytes ?? 100 * 1024 * 1024;
    this.take(m);
  }

  get count(): number {
    return this.list.length;
  }

  /** Called after every event; takes a snapshot on the interval grid if none is there. */
  after(m: Machine): void {
    const e = m.state.events;
    if (e % this.interval !== 0) return;
    const last = this.list[this.list.length - 1];
    if (last.events >= e) {
      if (this.find(e)) return;
    }
    this.take(m);
  }

  private find(events: number): Snapshot | undefined {
    const s = this.nearest(events);
    return s.events === events ? s : undefined;
  }

  private take(m: Machine): void {
    const s = m.snapshot();
    if (this.list.length % 32 === 0) this.measure(s);
    const i = this.list.findIndex((x) => x.events > s.events);
    if (i < 0) this.list.push(s);
    else this.list.splice(i, 0, s);
    while (this.list.length > this.max) this.thin();
  }

  private measure(s: Snapshot): void {
    this.snapshotBytes = serialize(s.state).length;
    this.max = Math.max(16, Math.min(this.maxCount, Math.floor(this.budget / Math.max(1, this.snapshotBytes))));
  }

  /** Drop every other snapshot off the doubled grid (event 0 always stays). */
  private thin(): void {
    this.interval *= 2;
    const keep = this.list.filter((s, i) => i === 0 || s.events % this.interval === 0);
    // If the grid was irregular and nothing went, drop every other one anyway.
    const next = keep.length < this.list.length ? keep : this.list.filter((_, i) => i === 0 || i % 2 === 0);
    this.list.length = 0;
    this.list.push(...next);
  }

  /** The latest snapshot at or before `events`. */
  nearest(events: number): Snapshot {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.list[mid].events <= events) lo = mid;
      else hi = mid - 1;
    }
    return this.list[lo];
  }

  events(): number[] {
    return this.list.map((s) => s.events);
  }
}
