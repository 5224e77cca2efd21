/**
 * Run fuzz cases across worker processes, with a time limit per case and a heap limit per
 * worker: a case that does not answer in time is a hang, a worker that dies is an
 * out-of-memory (or another fatal crash). A worker is replaced after either.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Case, Outcome } from './worker.ts';

export interface PoolResult extends Omit<Outcome, 'outcome'> {
  readonly outcome: Outcome['outcome'] | 'hang' | 'oom';
  readonly ms: number;
}

export interface PoolOptions {
  readonly workers?: number;
  readonly caseTimeoutMs?: number;
  readonly heapMiB?: number;
}

const WORKER = join(import.meta.dirname, 'worker.ts');

export async function runPool(cases: readonly Case[], opts: PoolOptions = {}): Promise<PoolResult[]> {
  const results: PoolResult[] = new Array(cases.length);
  let next = 0;
  const lane = async () => {
    let child: ChildProcess | undefined;
    let lines: AsyncIterator<string> | undefined;
    let stderr = '';
    const start = () => {
      stderr = '';
      child = spawn(process.execPath, [`--max-old-space-size=${opts.heapMiB ?? 768}`, '--import', 'tsx', WORKER], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    };
    const stop = () => {
      child?.kill('SIGKILL');
      child = undefined;
    };
    try {
      for (;;) {
        const i = next++;
        if (i >= cases.length) return;
        if (!child) start();
        const c = cases[i];
        const t0 = Date.now();
        child!.stdin!.write(JSON.stringify(c) + '\n');
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), opts.caseTimeoutMs ?? 30_000)));
        const got = await Promise.race([lines!.next(), timeout]);
        clearTimeout(timer);
        const ms = Date.now() - t0;
        if (got === 'timeout') {
          stop();
          results[i] = { id: c.id, outcome: 'hang', detail: `no answer in ${opts.caseTimeoutMs ?? 30_000} ms`, ms };
        } else if (got.done) {
          const oom = /heap out of memory|Allocation failed/.test(stderr);
          results[i] = { id: c.id, outcome: oom ? 'oom' : 'crash', detail: stderr.split('\n').filter(Boolean).slice(-4).join(' | '), ms };
          stop();
        } else {
          results[i] = { ...(JSON.parse(got.value) as Outcome), ms };
        }
      }
    } finally {
      stop();
    }
  };
  await Promise.all(Array.from({ length: opts.workers ?? 2 }, lane));
  return results;
}
