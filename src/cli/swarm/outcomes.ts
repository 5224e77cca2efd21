/** A swarm's outcomes and their counts: shared by the report, the pool and its workers. */
import type { SeedResult } from '../../debugger/swarm/seed.ts';

export const OUTCOMES: readonly SeedResult['outcome'][] = ['fail', 'invalid', 'limit', 'error', 'pass'];

export type OutcomeCounts = Record<SeedResult['outcome'], number>;

/** A count of zero for every outcome (a batch's, the pool's and a merge's starting point). */
export function noOutcomes(): OutcomeCounts {
  return { fail: 0, invalid: 0, limit: 0, error: 0, pass: 0 };
}
