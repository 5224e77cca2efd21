/**
 * A swarm worker thread: gets the job once (workerData), then batches of seeds, and answers
 * each batch with its results. Bundled as dist/swarm-worker.js; run from src/ through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type SwarmJob, seedRunner } from '../../debugger/swarm/seed.ts';

const run = seedRunner(workerData as SwarmJob);
parentPort!.on('message', (seeds: number[]) => {
  parentPort!.postMessage(seeds.map(run));
});
