/**
 * `npm run bench`: every bench/*.bench.ts exports `benches`. Each bench runs its body
 * repeatedly for a time budget and reports a rate (or a measured figure) as min/median/max
 * over several samples, so noisy machines show their noise instead of hiding it.
 */
import type { Machine } from '../src/sim/machine.ts';
import { DRAIN_BYTES, DRAIN_RECORDS } from '../src/sim/core/trace.ts';

export interface BenchResult {
  readonly name: string;
  readonly unit: string;
  readonly samples: number[];
  readonly target?: string;
}

export interface Bench {
  readonly name: string;
  /** Returns one sample (e.g. operations per second); called `samples` times. */
  readonly sample: () => number | Promise<number>;
  readonly unit: string;
  readonly samples?: number;
  /** What the issue aims for, printed beside the figure (e.g. ">= 5e6"). */
  readonly target?: string;
  /** More words after the target, from the median (e.g. the ratio to a baseline). */
  readonly note?: (median: number) => string;
}

/**
 * The clock rates are measured with, in ns: wall time, or with BENCH_CLOCK=cpu this process's
 * CPU time (user + system), which a machine shared with other work disturbs much less (a
 * process waiting for a core uses none): for comparing two versions on a busy machine.
 */
export const clockNs: () => number =
  process.env.BENCH_CLOCK === 'cpu'
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) * 1000;
      }
    : () => Number(process.hrtime.bigint());

/** Operations per second of `body`, which performs `ops` operations per call. */
export function rate(body: () => void, ops: number, budgetMs = 300): number {
  let calls = 0;
  const start = clockNs();
  let elapsed = 0;
  const budget = budgetMs * 1e6;
  while (elapsed < budget) {
    body();
    calls++;
    elapsed = clockNs() - start;
  }
  return (calls * ops) / (elapsed / 1e9);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(n < 10 ? 2 : 1);
}

/**
 * Step `m` until it is done (or has handled `maxEvents`), handing its JSON lines to `sink` in
 * the batches `run --json` writes (DRAIN_RECORDS / DRAIN_BYTES), so an events/s figure is
 * what a headless run gets. Returns the bytes written.
 */
export function runDrained(m: Machine, maxEvents = Infinity, sink?: (b: Uint8Array) => void): number {
  let bytes = 0;
  const out = (b: Uint8Array) => {
    bytes += b.length;
    sink?.(b);
  };
  let drained = 0;
  while (m.state.events < maxEvents && m.step()) {
    if (m.state.traceCount - drained >= DRAIN_RECORDS || m.trace.heldBytes >= DRAIN_BYTES) {
      m.trace.drain(out);
      drained = m.state.traceCount;
    }
  }
  m.trace.drain(out);
  return bytes;
}
