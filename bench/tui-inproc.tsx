/**
 * The TUI in-process, as bench/tui.bench.ts runs it in a child process: the real app
 * renders into the real frame writer (output counted, not shown), keys go in through a
 * TTY-like stdin as a user presses them.
 *
 *   node --import tsx bench/tui-inproc.tsx latency        mt8183-bus-sel at 120x40: 50 s
 *                                                        then 50 r, four times
 *   node --expose-gc --import tsx bench/tui-inproc.tsx memory 10000
 *                                                        the long-run fixture, `s` N times
 *   ... memory-bare 10000                                the same steps, session only
 *
 * Prints one JSON line.
 */
import { PassThrough } from 'node:stream';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import React from 'react';
import { render } from 'ink';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { Session } from '../src/debugger/session.ts';
import { portFor } from '../src/tui/session-app.tsx';
import { DmadbgApp } from '../src/tui/app.tsx';
import { FrameStdout } from '../src/tui/term/frame-stdout.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2] ?? 'latency';
const file = mode.startsWith('memory') ? join(ROOT, 'test', 'e2e', 'fixtures', 'long-run.json') : join(ROOT, 'scenarios', 'mt8183-bus-sel.json');
const t0 = performance.now();
const r = loadScenarioFile(file);
if (!r.ok) throw new Error(`${file} invalid`);
const session = new Session(buildMachine(r.scenario));
const port = portFor(session);
const frames = new FrameStdout(() => {}, 120, 40);
const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
function sample(): { rss: number; heap: number } {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: mb(m.rss), heap: mb(m.heapUsed) };
}

if (mode === 'memory-bare') {
  // The same steps on the session alone, no TUI: what the debugger's recording takes.
  const steps = Number(process.argv[3] ?? 10_000);
  for (let i = 1; i <= 100; i++) session.exec('step');
  const a = sample();
  for (let i = 101; i <= steps; i++) session.exec('step');
  const b = sample();
  process.stdout.write(JSON.stringify({ steps, rssStartMb: a.rss, rssEndMb: b.rss, heapStartMb: a.heap, heapEndMb: b.heap }) + '\n');
  process.exit(0);
}

const app = render(<DmadbgApp port={port} cols={120} rows={40} color onQuit={() => {}} />, {
  stdout: frames as unknown as NodeJS.WriteStream,
  stdin: stdin as unknown as NodeJS.ReadStream,
  debug: true,
  exitOnCtrlC: false,
  patchConsole: false,
});

const turn = () => new Promise<void>((res) => setImmediate(res));
/** Press `key` and wait until the session is at `events` and a frame has been written. */
async function press(key: string, events: number): Promise<number> {
  const f0 = frames.frames;
  const t0 = performance.now();
  stdin.write(key);
  while (port.view().events !== events || frames.frames === f0) await turn();
  return performance.now() - t0;
}


while (frames.frames === 0) await turn();
// Modules already loaded: scenario load, build, session, first frame.
const firstFrameMs = performance.now() - t0;
let result: Record<string, number>;
if (mode === 'memory') {
  const steps = Number(process.argv[3] ?? 10_000);
  const WARM = 100;
  for (let i = 1; i <= WARM; i++) await press('s', i);
  const start = sample();
  for (let i = WARM + 1; i <= steps; i++) await press('s', i);
  const end = sample();
  app.unmount();
  result = { steps, rssStartMb: start.rss, rssEndMb: end.rss, heapStartMb: start.heap, heapEndMb: end.heap };
} else {
  const lat: number[] = [];
  const b0 = frames.bytes;
  for (let rep = 0; rep < 4; rep++) {
    for (let i = 1; i <= 50; i++) lat.push(await press('s', i));
    for (let i = 49; i >= 0; i--) lat.push(await press('S', i));
  }
  const sorted = [...lat].sort((a, b) => a - b);
  result = { firstFrameMs, keys: lat.length, p50: sorted[sorted.length >> 1], p95: sorted[Math.ceil(0.95 * sorted.length) - 1], bytesPerStep: (frames.bytes - b0) / lat.length };
}
if (mode !== 'memory') app.unmount();
port.dispose();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
