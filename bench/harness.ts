/**
 * `npm run bench`: every bench/*.bench.ts exports `benches`. Each bench runs its body
 * repeatedly for a time budget and reports a rate (or a measured figure) as min/median/max
 * over several samples, so noisy machines show their noise instead of hiding it.
 */
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
}

/** Operations per second of `body`, which performs `ops` operations per call. */
export function rate(body: () => void, ops: number, budgetMs = 300): number {
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const budget = BigInt(budgetMs) * 1_000_000n;
  while (elapsed < budget) {
    body();
    calls++;
    elapsed = process.hrtime.bigint() - start;
  }
  return (calls * ops) / (Number(elapsed) / 1e9);
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
