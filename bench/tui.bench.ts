/**
 * The TUI rows of issue 19, measured from outside like a user: the real CLI in a 120x40
 * pty (@lydell/node-pty) on mt8183-bus-sel, its output parsed by @xterm/headless.
 *
 * - first paint: spawn -> the first frame showing `event 0`, a fresh process per sample;
 * - key -> screen: `s` steps forward through the scenario, then `r` back, one key at a
 *   time; latency = arrival of the output chunk that made the status bar show the new
 *   event number minus the time the key was written; bytes = everything written for
 *   that key;
 * - the same keys in-process (bench/tui-inproc.tsx, a child process): the TUI's own
 *   key -> frame time without the pty, the child's startup or the terminal emulator;
 * - memory over 10,000 steps: bench/tui-inproc.tsx memory (--expose-gc), the real app
 *   rendering into the real frame writer on a long scenario.
 *
 *   npm run bench -- tui      TUI_BENCH_STEPS=… TUI_MEM_STEPS=… change the counts
 */
import { execFileSync } from 'node:child_process';
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
/** mt8183-bus-sel has 60 events: step forward this many, then back as many. */
const STEPS = Math.min(58, Number(process.env.TUI_BENCH_STEPS ?? 50));
const MEM_STEPS = Number(process.env.TUI_MEM_STEPS ?? 10_000);
const SCENARIO = 'mt8183-bus-sel';

interface Figures {
  latency: number[];
  bytes: number[];
}

function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(CI|CONTINUOUS_INTEGRATION|CI_.*|NODE_ENV)$/.test(k)) env[k] = v;
  return Object.assign(env, { CI: '0', TERM: 'xterm-256color', DMADBG_WORKSPACE: mkdtempSync(join(tmpdir(), 'dmadbg-bench-')) });
}

async function measure(cols = 120, rows = 40): Promise<Figures> {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  const p = pty.spawn(process.execPath, ['bin/dmadbg.js', 'tui', SCENARIO], { name: 'xterm-256color', cols, rows, cwd: ROOT, env: childEnv() });
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
    const key = async (k: string, event: number) => {
      const b0 = bytes;
      const k0 = performance.now();
      p.write(k);
      const k1 = await until(event);
      await quiet(40); // trailing writes for this key arrive before the bytes are counted
      f.latency.push(k1 - k0);
      f.bytes.push(bytes - b0);
    };
    for (let i = 1; i <= STEPS; i++) await key('s', i);
    for (let i = STEPS - 1; i >= 0; i--) await key('S', i);
    p.write('q');
    return f;
  } finally {
    setTimeout(() => p.kill(), 500);
  }
}

/** One start: spawn -> the first frame showing `event 0` (ms), then `q`. */
async function firstPaint(cols = 120, rows = 40): Promise<number> {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  const t0 = performance.now();
  const p = pty.spawn(process.execPath, ['bin/dmadbg.js', 'tui', SCENARIO], { name: 'xterm-256color', cols, rows, cwd: ROOT, env: childEnv() });
  const exited = new Promise<void>((resolve) => p.onExit(() => resolve()));
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no event 0 on screen')), 60_000);
      p.onData((d) => {
        const at = performance.now();
        term.write(d, () => {
          if (/event 0\b/.test(term.buffer.active.getLine(term.buffer.active.baseY)?.translateToString(true) ?? '')) {
            clearTimeout(timer);
            resolve(at - t0);
          }
        });
      });
    });
  } finally {
    p.write('q');
    const killer = setTimeout(() => p.kill(), 2000);
    await exited;
    clearTimeout(killer);
  }
}

let run: Promise<Figures> | undefined;
const figures = () => (run ??= measure());

function child(args: string[], gc = false): Record<string, number> {
  return JSON.parse(
    execFileSync(process.execPath, [...(gc ? ['--expose-gc'] : []), '--import', 'tsx', join(ROOT, 'bench', 'tui-inproc.tsx'), ...args], {
      cwd: ROOT,
      env: { ...childEnv(), NODE_ENV: 'production' },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    }),
  ) as Record<string, number>;
}
let mem: Record<string, number> | undefined;
const memory = () => (mem ??= child(['memory', String(MEM_STEPS)], true));
let bare: Record<string, number> | undefined;
const bareMemory = () => (bare ??= child(['memory-bare', String(MEM_STEPS)], true));
let inproc: Record<string, number> | undefined;
const inProcess = () => (inproc ??= child(['latency']));

const steps = `${SCENARIO} 120x40, ${STEPS} s + ${STEPS} r`;
export const benches: Bench[] = [
  { name: `tui first paint (${SCENARIO} 120x40, spawn -> frame)`, unit: 'ms', samples: 5, target: '<= 400', sample: () => firstPaint() },
  { name: `tui key -> screen p50 (${steps})`, unit: 'ms', samples: 1, sample: async () => median((await figures()).latency) },
  { name: 'tui key -> screen p95', unit: 'ms', samples: 1, target: '<= 16.7', sample: async () => percentile((await figures()).latency, 95) },
  { name: 'tui bytes written per step, median', unit: 'bytes', samples: 1, target: '<= 1024', sample: async () => median((await figures()).bytes) },
  { name: 'tui bytes written per step, mean', unit: 'bytes', samples: 1, target: '<= 1024', sample: async () => (await figures()).bytes.reduce((a, b) => a + b, 0) / (await figures()).bytes.length },
  { name: `tui in-process first frame (modules loaded: load, build, draw)`, unit: 'ms', samples: 1, sample: () => inProcess().firstFrameMs },
  { name: `tui in-process key -> frame p50 (${SCENARIO} 120x40, 400 keys)`, unit: 'ms', samples: 1, sample: () => inProcess().p50 },
  { name: 'tui in-process key -> frame p95', unit: 'ms', samples: 1, target: '<= 16.7', sample: () => inProcess().p95 },
  { name: 'tui in-process bytes per step, mean', unit: 'bytes', samples: 1, target: '<= 1024', sample: () => inProcess().bytesPerStep },
  { name: `tui RSS after 100 steps (long run, in-process)`, unit: 'MB', samples: 1, sample: () => memory().rssStartMb },
  { name: `tui RSS after ${MEM_STEPS} steps`, unit: 'MB', samples: 1, target: 'flat', sample: () => memory().rssEndMb },
  { name: `tui heap growth over ${MEM_STEPS} steps (after gc)`, unit: 'MB', samples: 1, sample: () => memory().heapEndMb - memory().heapStartMb },
  { name: `  the session alone, same steps: RSS growth`, unit: 'MB', samples: 1, sample: () => bareMemory().rssEndMb - bareMemory().rssStartMb },
  { name: `  the session alone, same steps: heap growth`, unit: 'MB', samples: 1, target: '~ the TUI\'s', sample: () => bareMemory().heapEndMb - bareMemory().heapStartMb },
];
