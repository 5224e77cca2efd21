/**
 * Key press to updated screen over SSH on loopback: `dmadbg serve --ssh` runs as a child
 * process (its own event loop, as users run it), an ssh2 Client opens a pty session on a
 * long demo scenario, sends `s`, and waits until the status bar's event counter changes
 * on a headless xterm fed with what arrived. Keys are sent 30 ms apart (a person typing),
 * one series of 60 keys per sample. Aim: p95 < 50 ms. Issue 19's row is a second session
 * on mt8183-bus-sel, 50 `s` then 50 `S` per sample (p95 <= 25 ms). The same TUI is also measured
 * in-process without SSH, interleaved, so the SSH share can be read off on a busy machine.
 * Start-up over SSH, from a new connection each sample: `ssh host run demo-dma-engine --json`
 * (connect -> the exec's exit; the server runs it as a child process) and an interactive
 * session (connect -> the first frame showing `event 0` of `ssh -t host tui demo-dma-engine`). Aim: <= 500 ms each.
 *
 *   npm run bench -- ssh           (through bench/run.ts)
 *   npx tsx bench/ssh.bench.ts     (alone: prints every figure)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2, { type ClientChannel } from 'ssh2';
import x from '@xterm/headless';
import { type Bench, median, percentile } from './harness.ts';

const { Client, utils } = ssh2;
const { Terminal } = x;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KEYS_PER_SAMPLE = 60;
const GAP_MS = 30;
const COLS = 120;
const ROWS = 40;
/** Issue 19's scenario for key -> screen: 60 events, stepped forward 50 and back 50 per sample. */
const BUS_SEL = 'mt8183-bus-sel';
const BUS_SEL_STEPS = 50;

interface Rig {
  child: ChildProcess;
  client: InstanceType<typeof Client>;
  stream: ClientChannel;
  term: InstanceType<typeof Terminal>;
  bytes: number;
  dir: string;
  port: number;
  key: string;
  onParsed?: () => void;
}

let rig: Promise<Rig> | undefined;

function setup(): Promise<Rig> {
  return (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmadbg-ssh-bench-'));
    const demo = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'demo-dma-engine.json'), 'utf8')) as { name: string; devices: { repeat?: number }[]; $schema?: string };
    // A long run of the demo, so every key has an event to step to.
    demo.name = 'bench-long';
    delete demo.$schema;
    for (const d of demo.devices) d.repeat = 100_000;
    writeFileSync(join(dir, 'bench-long.json'), JSON.stringify(demo));
    longScenario = join(dir, 'bench-long.json');
    const short = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'demo-dma-engine.json'), 'utf8')) as { $schema?: string };
    delete short.$schema;
    writeFileSync(join(dir, 'demo-dma-engine.json'), JSON.stringify(short));
    const busSel = JSON.parse(readFileSync(join(ROOT, 'scenarios', `${BUS_SEL}.json`), 'utf8')) as { $schema?: string };
    delete busSel.$schema;
    writeFileSync(join(dir, `${BUS_SEL}.json`), JSON.stringify(busSel));
    const key = utils.generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'authorized_keys'), key.public + '\n');
    const env = { ...process.env, CI: '0', DMADBG_DATA_DIR: join(dir, 'data') };
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'dmadbg.js'), 'serve', '--ssh', '--port', '0', '--scenarios-dir', dir, '--authorized-keys', join(dir, 'authorized_keys'), '--scenario', 'bench-long'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        err += d;
        const m = /serving on 127\.0\.0\.1:(\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`server exited:\n${err}`)));
    });
    const client = await connect(port, key.private);
    const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
    const stream = await new Promise<ClientChannel>((resolve, reject) =>
      client.shell({ term: 'xterm-256color', cols: COLS, rows: ROWS }, (e, s) => (e ? reject(e) : resolve(s))),
    );
    const r: Rig = { child, client, stream, term, bytes: 0, dir, port, key: key.private };
    stream.on('data', (d: Buffer) => {
      r.bytes += d.length;
      term.write(d, () => r.onParsed?.());
    });
    await waitEvent(r, (n) => n === 0, 15_000);
    return r;
  })();
}

function connect(port: number, privateKey: string, username = 'bench'): Promise<InstanceType<typeof Client>> {
  const client = new Client();
  return new Promise((resolve, reject) => {
    client.on('ready', () => resolve(client)).on('error', reject);
    client.connect({ host: '127.0.0.1', port, username, privateKey });
  });
}

/** A new connection's `ssh host run demo-dma-engine --json`: connect -> exit status (ms). */
async function execRun(r: Rig): Promise<number> {
  const t0 = performance.now();
  const client = await connect(r.port, r.key);
  try {
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve, reject) =>
      client.exec('run demo-dma-engine --json', (e, ch) => {
        if (e) return reject(e);
        let out = '';
        ch.on('data', (d: Buffer) => (out += d));
        ch.stderr.on('data', () => {});
        ch.on('exit', (code: number) => resolve({ code, out }));
      }),
    );
    if (code !== 0 || !out.includes('"kind"')) throw new Error(`ssh run exited ${code}: ${out.slice(0, 200)}`);
    return performance.now() - t0;
  } finally {
    client.end();
  }
}

/**
 * A new connection's `ssh -t host tui demo-dma-engine`: connect -> the first frame showing
 * event 0 (ms). Not the bench's own scenario: whoever connects to a scenario already open
 * joins that session (as a watcher), which is not a start.
 */
async function shellFirstPaint(r: Rig): Promise<number> {
  const t0 = performance.now();
  const client = await connect(r.port, r.key);
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  try {
    const stream = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec('tui demo-dma-engine', { pty: { term: 'xterm-256color', cols: COLS, rows: ROWS } }, (e, s) => (e ? reject(e) : resolve(s))),
    );
    const at = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`ssh session showed no event 0: ${term.buffer.active.getLine(0)?.translateToString(true)}`)), 15_000);
      stream.on('data', (d: Buffer) => {
        const arrived = performance.now();
        term.write(d, () => {
          if (/event 0\b/.test(term.buffer.active.getLine(0)?.translateToString(true) ?? '')) {
            clearTimeout(t);
            resolve(arrived);
          }
        });
      });
    });
    stream.write('q');
    return at - t0;
  } finally {
    client.end();
  }
}

function eventNumber(r: Rig): number | undefined {
  const line = r.term.buffer.active.getLine(0)?.translateToString(true) ?? '';
  const m = /event (\d+)/.exec(line);
  return m ? Number(m[1]) : undefined;
}

function waitEvent(r: Rig, ok: (n: number) => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const n = eventNumber(r);
      if (n !== undefined && ok(n)) {
        clearTimeout(t);
        r.onParsed = undefined;
        resolve();
      }
    };
    const t = setTimeout(() => {
      r.onParsed = undefined;
      reject(new Error(`screen did not update; top line: ${r.term.buffer.active.getLine(0)?.translateToString(true)}`));
    }, timeoutMs);
    r.onParsed = check;
    check();
  });
}

async function teardown(r: Rig): Promise<void> {
  r.stream.write('q');
  r.client.end();
  const exited = new Promise((res) => r.child.on('exit', res));
  r.child.kill('SIGTERM');
  await exited;
  rmSync(r.dir, { recursive: true, force: true });
}

/** A second interactive session on the same server: `ssh -t host tui mt8183-bus-sel`, kept open. */
async function openBusSel(r: Rig): Promise<Rig> {
  const client = await connect(r.port, r.key);
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  const stream = await new Promise<ClientChannel>((resolve, reject) =>
    client.exec(`tui ${BUS_SEL}`, { pty: { term: 'xterm-256color', cols: COLS, rows: ROWS } }, (e, s) => (e ? reject(e) : resolve(s))),
  );
  const b: Rig = { ...r, client, stream, term, bytes: 0, onParsed: undefined };
  stream.on('data', (d: Buffer) => {
    b.bytes += d.length;
    term.write(d, () => b.onParsed?.());
  });
  await waitEvent(b, (n) => n === 0, 15_000);
  return b;
}

/** `s` to event 1 .. BUS_SEL_STEPS, then `S` back to event 0, as bench/tui.bench.ts does locally. */
async function busSelSeries(b: Rig): Promise<number[]> {
  const ms: number[] = [];
  const key = async (k: string, want: number) => {
    await new Promise((res) => setTimeout(res, GAP_MS));
    const t0 = performance.now();
    b.stream.write(k);
    await waitEvent(b, (n) => n === want);
    ms.push(performance.now() - t0);
  };
  for (let i = 1; i <= BUS_SEL_STEPS; i++) await key('s', i);
  for (let i = BUS_SEL_STEPS - 1; i >= 0; i--) await key('S', i);
  return ms;
}
let busSel: Promise<Rig> | undefined;

/** One series of key presses: latencies (ms) and bytes per key. */
async function series(r: Rig): Promise<{ ms: number[]; bytesPerKey: number }> {
  const ms: number[] = [];
  const b0 = r.bytes;
  for (let i = 0; i < KEYS_PER_SAMPLE; i++) {
    await new Promise((res) => setTimeout(res, GAP_MS));
    const before = eventNumber(r) ?? 0;
    const t0 = performance.now();
    r.stream.write('s');
    await waitEvent(r, (n) => n !== before);
    ms.push(performance.now() - t0);
  }
  return { ms, bytesPerKey: (r.bytes - b0) / KEYS_PER_SAMPLE };
}

/**
 * The same TUI on the same scenario rendered in this process without SSH (stdin and
 * FrameStdout directly), measured in the same way and interleaved with the SSH series so
 * both see the same machine load: the difference is what SSH costs.
 */
interface LocalRig {
  press(key: string): void;
  lastEvent: number;
  onFrame?: () => void;
  unmount(): void;
}
let local: Promise<LocalRig> | undefined;

async function setupLocal(file: string): Promise<LocalRig> {
  process.env.NODE_ENV = 'production';
  const { render } = await import('ink');
  const React = (await import('react')).default;
  const { PassThrough } = await import('node:stream');
  const { loadAndBuild } = await import('../src/cli/load.ts');
  const { Session } = await import('../src/debugger/session.ts');
  const { portFor } = await import('../src/tui/session-app.tsx');
  const { DmadbgApp } = await import('../src/tui/app.tsx');
  const { FrameStdout } = await import('../src/tui/term/frame-stdout.ts');
  const built = loadAndBuild(file);
  const port = portFor(new Session(built, { file: built.file, hash: built.hash }));
  const rig: LocalRig = { press: () => {}, lastEvent: -1, unmount: () => {} };
  // The frame writer sends only the cells that changed ("event 12" -> "3"), so the text is
  // not matched: a frame written while the session stands at a new event is the update.
  const frames = new FrameStdout(() => {
    rig.lastEvent = port.view().events;
    rig.onFrame?.();
  }, COLS, ROWS);
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {} });
  const app = render(React.createElement(DmadbgApp, { port, cols: COLS, rows: ROWS, color: true }), {
    stdout: frames as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  rig.press = (k) => void stdin.write(k);
  rig.unmount = () => app.unmount();
  const t0 = performance.now();
  while (rig.lastEvent !== 0 && performance.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 10));
  return rig;
}

async function localSeries(r: LocalRig): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < KEYS_PER_SAMPLE; i++) {
    await new Promise((res) => setTimeout(res, GAP_MS));
    const before = r.lastEvent;
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('local TUI did not update')), 5000);
      r.onFrame = () => {
        if (r.lastEvent !== before) {
          clearTimeout(t);
          r.onFrame = undefined;
          resolve();
        }
      };
      r.press('s');
    });
    ms.push(performance.now() - t0);
  }
  return ms;
}

const localResults: { p50: number[]; p95: number[]; all: number[] } = { p50: [], p95: [], all: [] };
let longScenario = '';

const results: { p50: number[]; p95: number[]; bytes: number[]; all: number[]; exec: number[]; paint: number[]; busSel95: number[] } = {
  busSel95: [],
  p50: [],
  p95: [],
  bytes: [],
  all: [],
  exec: [],
  paint: [],
};
const SAMPLES = 5;

/** Runs the series once per sample index, shared by the three figures below. */
async function measure(i: number): Promise<void> {
  if (results.p50.length > i) return;
  rig ??= setup();
  const r = await rig;
  const s = await series(r);
  results.p50.push(median(s.ms));
  results.p95.push(percentile(s.ms, 95));
  results.bytes.push(s.bytesPerKey);
  results.all.push(...s.ms);
  local ??= setupLocal(longScenario);
  const l = await localSeries(await local);
  localResults.p50.push(median(l));
  localResults.p95.push(percentile(l, 95));
  localResults.all.push(...l);
  busSel ??= openBusSel(r);
  results.busSel95.push(percentile(await busSelSeries(await busSel), 95));
  results.exec.push(await execRun(r));
  results.paint.push(await shellFirstPaint(r));
  if (results.p50.length === SAMPLES) {
    (await local).unmount();
    (await busSel).stream.write('q');
    (await busSel).client.end();
    await teardown(r);
  }
}

let p50i = 0;
let p95i = 0;
let bytesi = 0;
let lp50i = 0;
let lp95i = 0;
let execi = 0;
let painti = 0;
let busi = 0;
export const benches: Bench[] = [
  {
    name: `ssh: key 's' -> screen updated, median of ${KEYS_PER_SAMPLE} keys`,
    unit: 'ms',
    samples: SAMPLES,
    sample: async () => (await measure(p50i), results.p50[p50i++]),
  },
  {
    name: `ssh: key 's' -> screen updated, p95 of ${KEYS_PER_SAMPLE} keys`,
    unit: 'ms',
    samples: SAMPLES,
    target: '< 50',
    sample: async () => (await measure(p95i), results.p95[p95i++]),
  },
  {
    name: `ssh: ${BUS_SEL} key -> screen p95 (${BUS_SEL_STEPS} s + ${BUS_SEL_STEPS} S)`,
    unit: 'ms',
    samples: SAMPLES,
    target: '<= 25',
    sample: async () => (await measure(busi), results.busSel95[busi++]),
  },
  {
    name: '  same TUI in-process, no ssh: median',
    unit: 'ms',
    samples: SAMPLES,
    sample: async () => (await measure(lp50i), localResults.p50[lp50i++]),
  },
  {
    name: '  same TUI in-process, no ssh: p95',
    unit: 'ms',
    samples: SAMPLES,
    sample: async () => (await measure(lp95i), localResults.p95[lp95i++]),
  },
  {
    name: 'ssh: bytes sent per step (120x40)',
    unit: 'bytes',
    samples: SAMPLES,
    sample: async () => (await measure(bytesi), results.bytes[bytesi++]),
  },
  {
    name: 'ssh: `ssh host run demo-dma-engine --json`, connect -> exit',
    unit: 'ms',
    samples: SAMPLES,
    target: '<= 500',
    sample: async () => (await measure(execi), results.exec[execi++]),
  },
  {
    name: 'ssh: `ssh -t host tui demo-dma-engine`, connect -> first frame',
    unit: 'ms',
    samples: SAMPLES,
    target: '<= 500',
    sample: async () => (await measure(painti), results.paint[painti++]),
  },
];


// Alone: `npx tsx bench/ssh.bench.ts`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (let i = 0; i < SAMPLES; i++) await measure(i);
  const all = results.all;
  console.log(`ssh key->screen over loopback, ${all.length} keys (${SAMPLES} x ${KEYS_PER_SAMPLE}, ${GAP_MS} ms apart), ${COLS}x${ROWS}:`);
  console.log(`  median ${median(all).toFixed(1)} ms, p95 ${percentile(all, 95).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms; ${median(results.bytes).toFixed(0)} bytes/step`);
  const la = localResults.all;
  console.log(`same TUI in-process (no ssh), interleaved: median ${median(la).toFixed(1)} ms, p95 ${percentile(la, 95).toFixed(1)} ms, max ${Math.max(...la).toFixed(1)} ms`);
  console.log(`ssh host run demo --json, connect -> exit: median ${median(results.exec).toFixed(0)} ms (${results.exec.map((v) => v.toFixed(0)).join(' ')})`);
  console.log(`ssh -t host tui demo, connect -> event 0: median ${median(results.paint).toFixed(0)} ms (${results.paint.map((v) => v.toFixed(0)).join(' ')})`);
  process.exit(0);
}
