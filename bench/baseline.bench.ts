/** The yardsticks (bench/baseline.ts), printed first so the model rows' ratios can be read. */
import type { Bench } from './harness.ts';
import { bareHitRate, bareWalkRate } from './baseline.ts';

export const benches: Bench[] = [
  { name: 'baseline: bare-JS two-level page walk', unit: 'walks/s', samples: 1, sample: bareWalkRate },
  { name: 'baseline: bare TLB hit (64 entries, linear)', unit: 'hits/s', samples: 1, sample: bareHitRate },
];
