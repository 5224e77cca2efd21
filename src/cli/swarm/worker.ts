/**
 * A swarm worker thread: gets the job once (workerData), then batches of seeds, and answers
 * each batch with its results. Bundled as dist/swarm-worker.js; run from src/ through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type SeedResult, type SwarmJob, seedRunner } from '../../debugger/swarm/seed.ts';
import type { BatchResult } from './pool.ts';

const run = seedRunner(workerData as SwarmJob);
parentPort!.on('message', (seeds: number[]) => {
  let pass = 0;
  const others: SeedResult[] = [];
  for (const s of seeds) {
    const r = run(s);
    if (r.outcome === 'pass') pass++;
    else others.push(r);
  }
  parentPort!.postMessage({ pass, others } satisfies BatchResult);
});
