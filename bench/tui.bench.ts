/**
 * TUI responsiveness, measured from outside like a user: the real CLI in a 120x40 pty
 * (@lydell/node-pty), its output parsed by @xterm/headless. Each step sends one key
 * (`s`, then `r` to come back, alternating, since the demo is short) and waits until
 * the status bar's event number changes. Latency = arrival of the output chunk that made
 * the screen show the new number minus the time the key was written; bytes = everything
 * written for that key. Aim (issue): p95 < 30 ms, median < 8 KiB per step.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import x from '@xterm/headless';
import { type Bench, median, percentile } from './harness.ts';

const require = createRequire(import.meta.url);
const pty = require('@lydell/node-pty') as typeof import('@lydell/node-pty');
const { Terminal } = x;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = Number(process.env.TUI_BENCH_STEPS ?? 60);

interface Figures {
  latency: number[];
  bytes: number[];
}

async function measure(cols = 120, rows = 40): Promise<Figures> {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(CI|CONTINUOUS_INTEGRATION|CI_.*|NODE_ENV)$/.test(k)) env[k] = v;
  Object.assign(env, { CI: '0', TERM: 'xterm-256color', DMADBG_WORKSPACE: mkdtempSync(join(tmpdir(), 'dmadbg-bench-')) });
  const p = pty.spawn(process.execPath, ['bin/dmadbg.js', 'tui', 'demo-dma-engine'], { name: 'xterm-256color', cols, rows, cwd: ROOT, env });
  let bytes = 0;
  let waiting: { event: number; resolve: (t: number) => void } | undefined;
  const eventNow = () => Number(/event (\d+)/.exec(term.buffer.active.getLine(term.buffer.active.baseY)?.translateToString(true) ?? '')?.[1] ?? -1);
  p.onData((d) => {
    const at = performance.now();
    bytes += Buffer.byteLength(d);
    term.write(d, () => {
      if (waiting && eventNow() === waiting.event) {
        const w = waiting;
        waiting = undefined;
        w.resolve(at);
      }
    });
  });
  const until = (event: number, timeoutMs = 20_000) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event ${event} on screen`)), timeoutMs);
      waiting = { event, resolve: (t) => (clearTimeout(timer), resolve(t)) };
      if (eventNow() === event) waiting.resolve(performance.now());
    });
  const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await until(0, 60_000);
    await quiet(300);
    const f: Figures = { latency: [], bytes: [] };
    for (let i = 0; i < STEPS; i++) {
      const forward = i % 2 === 0;
      const b0 = bytes;
      const t0 = performance.now();
      p.write(forward ? 's' : 'r');
      const t1 = await until(forward ? 1 : 0);
      await quiet(40); // let trailing writes for this key arrive before counting bytes
      f.latency.push(t1 - t0);
      f.bytes.push(bytes - b0);
    }
    p.write('q');
    return f;
  } finally {
    setTimeout(() => p.kill(), 500);
  }
}

let run: Promise<Figures> | undefined;
const figures = () => (run ??= measure());

export const benches: Bench[] = [
  { name: `tui step 120x40 pty: key -> screen, median (${STEPS} steps)`, unit: 'ms', samples: 1, sample: async () => median((await figures()).latency) },
  { name: 'tui step 120x40 pty: key -> screen, p95', unit: 'ms', samples: 1, target: '< 30', sample: async () => percentile((await figures()).latency, 95) },
  { name: 'tui step 120x40 pty: bytes written per step, median', unit: 'bytes', samples: 1, target: '< 8192', sample: async () => median((await figures()).bytes) },
  { name: 'tui step 120x40 pty: bytes written per step, max', unit: 'bytes', samples: 1, sample: async () => Math.max(...(await figures()).bytes) },
];
