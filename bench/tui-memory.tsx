/**
 * TUI memory over many steps (issue 19: "TUI memory over 10,000 steps ... flat"): the real
 * app renders into the real frame writer (output discarded) on a long scenario; each step
 * is the `s` key through stdin, as a user presses it. Prints JSON: RSS and heap (after a
 * forced gc) after 100 warm-up steps and after the last. Run by bench/tui.bench.ts as
 * `node --expose-gc --import tsx bench/tui-memory.tsx STEPS`.
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
const STEPS = Number(process.argv[2] ?? 10_000);
const WARM = 100;

const r = loadScenarioFile(join(ROOT, 'test', 'e2e', 'fixtures', 'long-run.json'));
if (!r.ok) throw new Error('long-run fixture invalid');
const session = new Session(buildMachine(r.scenario));
const port = portFor(session);
const frames = new FrameStdout(() => {}, 120, 40);
const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
const app = render(<DmadbgApp port={port} cols={120} rows={40} color onQuit={() => {}} />, {
  stdout: frames as unknown as NodeJS.WriteStream,
  stdin: stdin as unknown as NodeJS.ReadStream,
  debug: true,
  exitOnCtrlC: false,
  patchConsole: false,
});

const turn = () => new Promise<void>((res) => setImmediate(res));
async function step(n: number): Promise<void> {
  const b0 = frames.bytes;
  stdin.write('s');
  while (port.view().events < n || frames.bytes === b0) await turn();
}

const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
function sample(): { rss: number; heap: number } {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: mb(m.rss), heap: mb(m.heapUsed) };
}

await turn();
for (let i = 1; i <= WARM; i++) await step(i);
const start = sample();
for (let i = WARM + 1; i <= STEPS; i++) await step(i);
const end = sample();
app.unmount();
port.dispose();
process.stdout.write(JSON.stringify({ steps: STEPS, rssStartMb: start.rss, rssEndMb: end.rss, heapStartMb: start.heap, heapEndMb: end.heap }) + '\n');
process.exit(0);
