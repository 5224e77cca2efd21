/**
 * The swarm's worker pool: Node's worker_threads, one thread per worker (default: the
 * machine's available parallelism), each fed batches of seeds as it finishes the last, so
 * a slow seed does not hold the others up. Results come back in seed order whatever the
 * threads did.
 */
import { availableParallelism } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { createRequire } from 'node:module';
import type { SwarmJob } from '../../debugger/swarm/seed.ts';
import { ResultSpool } from './spool.ts';
import type { SeedRange } from './report.ts';
import { PACKAGE_ROOT } from '../../store/package-root.ts';
import { OUTCOMES, type OutcomeCounts, noOutcomes } from './outcomes.ts';

export const defaultWorkers = (): number => Math.max(1, availableParallelism());

/**
 * The worker's entry: dist/swarm-worker.js in the bundle; from src/ (tests, tsx) the .ts
 * file, started through a one-line module that registers tsx in the new thread first.
 */
function workerUrl(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.includes(`${sep}dist${sep}`)) return pathToFileURL(join(PACKAGE_ROOT, 'dist', 'swarm-worker.js'));
  const target = pathToFileURL(join(dirname(here), 'worker.ts')).href;
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  const boot = `const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(target)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

/**
 * The workers' young generation, 16 MiB from the start. V8's flags are per process, and
 * bin/dmadbg.js keeps the CLI's nursery at 2 MiB and not growing (a long run's RSS stays
 * flat); a worker builds a machine per seed, ~130 KB of objects that die with it, so that
 * nursery meant a scavenge every ~15 seeds and a third more CPU per seed. A worker's isolate
 * reads the flags as it starts, so they are set before the first one; the main thread's
 * heap is already sized and keeps its 2 MiB. NODE_OPTIONS naming a semi-space flag wins.
 */
function sizeWorkerNursery(): void {
  if (`${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('semi-space')) return;
  setFlagsFromString('--max-semi-space-size=16');
  setFlagsFromString('--min-semi-space-size=16');
}

export interface PoolProgress {
  readonly done: number;
  readonly total: number;
  readonly failing: number;
}

/**
 * What a worker sends back for a batch: how many seeds had each outcome, and the seeds that
 * did not pass as the JSON text of their SeedResult array ('' for none). Text crosses to the
 * main thread as one string, where objects are cloned one by one, and stays text: while the
 * workers run, the main thread's small nursery is not scavenging tens of thousands of kept
 * results on the cores they need, and `--json` prints it as it came.
 */
export interface BatchResult {
  readonly counts: OutcomeCounts;
  readonly others: string;
}

/**
 * The pool's answer: outcomes counted over every seed, and the seeds that did not pass as
 * the workers sent them, one JSON array text per batch that had any, in seed order, on disk
 * (spool.ts). Left as text: `--json` writes them out as they are (report.ts), so a
 * million-seed swarm does not parse and re-encode ~180 MB of results after its last seed;
 * the text report parses one batch at a time. The caller closes the spool.
 */
export interface PoolResult {
  readonly counts: OutcomeCounts;
  readonly others: ResultSpool;
}

/** Run seeds `range.from`..`range.to` (none when undefined) on `workers` threads. */
export async function runPool(job: SwarmJob, range: SeedRange | undefined, workers: number, onProgress?: (p: PoolProgress) => void): Promise<PoolResult> {
  // Seeds are numbered from the range, not listed: a swarm may run a hundred million.
  const total = range ? range.to - range.from + 1 : 0;
  const n = Math.max(1, Math.min(workers, total));
  // Batches small enough to balance the threads, large enough that messages cost little.
  const batch = Math.max(1, Math.min(128, Math.ceil(total / (n * 8))));
  const counts = noOutcomes();
  // Passing seeds (most of a swarm) cross as a count and the rest as text: with both cores
  // running workers, the main thread's share of a core is taken from them. By batch number:
  // batches are slices in seed order, and a batch lists its seeds in order.
  const spool = new ResultSpool();
  let done = 0;
  let next = 0;
  const url = workerUrl();
  sizeWorkerNursery();
  const threads: Worker[] = [];
  let failed = false;
  const lane = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = new Worker(url, { workerData: job });
      threads.push(w);
      // The first failure ends the swarm: every worker stops, and the pool rejects with it.
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        for (const t of threads) void t.terminate();
        reject(e);
      };
      // Two batches in flight: a worker never waits for the main thread to hand it the next.
      // A worker answers its batches in the order it got them.
      const inFlight: number[] = [];
      let finished = false;
      const feed = () => {
        if (next >= total) {
          if (inFlight.length === 0 && !finished) {
            finished = true;
            void w.terminate().then(() => resolve());
          }
          return;
        }
        const from = next;
        next = Math.min(total, next + batch);
        inFlight.push(from / batch);
        w.postMessage(Array.from({ length: next - from }, (_, i) => range!.from + from + i));
      };
      w.on('message', (b: BatchResult) => {
        if (failed) return;
        try {
          spool.put(inFlight.shift()!, b.others);
        } catch (e) {
          fail(e);
          return;
        }
        for (const o of OUTCOMES) {
          counts[o] += b.counts[o];
          done += b.counts[o];
        }
        onProgress?.({ done, total, failing: counts.fail });
        feed();
      });
      w.on('error', fail);
      w.on('exit', (code) => {
        if (!finished) fail(new Error(`swarm worker exited with code ${code} before its seeds were done`));
      });
      feed();
      feed();
    });
  try {
    await Promise.all(Array.from({ length: n }, lane));
  } catch (e) {
    spool.close();
    throw e;
  }
  return { counts, others: spool };
}

