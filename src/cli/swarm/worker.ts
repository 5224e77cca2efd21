/**
 * A swarm worker thread: gets the job once (workerData), then batches of seeds, and answers
 * each batch with its results. Bundled as dist/swarm-worker.js; run from src/ through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type SeedResult, type SwarmJob, seedRunner } from '../../debugger/swarm/seed.ts';
import { noOutcomes } from './outcomes.ts';
import type { BatchResult } from './pool.ts';

const run = seedRunner(workerData as SwarmJob);
parentPort!.on('message', (seeds: number[]) => {
  const counts = noOutcomes();
  const others: SeedResult[] = [];
  for (const s of seeds) {
    const r = run(s);
    counts[r.outcome]++;
    if (r.outcome !== 'pass') others.push(r);
  }
  parentPort!.postMessage({ counts, others: others.length ? JSON.stringify(others) : '' } satisfies BatchResult);
});
