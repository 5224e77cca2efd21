/** The server as users run it: a child process, stopped by a signal, leaving nothing behind. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, connect, makeKeys, openTui, type Keys } from './helpers.ts';

function startChild(keys: Keys): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const env = { ...process.env, CI: '0', DMADBG_DATA_DIR: join(keys.dir, 'data') };
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'dmadbg.js'), 'serve', '--ssh', '--host', '127.0.0.1', '--port', '0', '--authorized-keys', keys.authorizedKeys], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d;
      const m = /serving on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve({ child, port: Number(m[1]), stderr: () => err });
      }
    });
    child.on('exit', (code, signal) => reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${err}`)));
  });
}

/** Running (a zombie waiting for a reaper counts as gone: it holds no resources but its pid). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
};

/** Direct children of a process, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const dir = `/proc/${pid}/task`;
  if (!existsSync(dir)) return [];
  const out: number[] = [];
  for (const tid of readdirSync(dir)) {
    const f = join(dir, tid, 'children');
    if (existsSync(f)) out.push(...readFileSync(f, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return out;
}

describe('serve --ssh as a process', () => {
  let keys: Keys;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    keys = makeKeys();
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    keys?.cleanup();
  });

  it('SIGTERM closes the server and its sessions and leaves no process behind', async () => {
    const s = await startChild(keys);
    child = s.child;
    const c = await connect(s.port, { privateKey: keys.good });
    const tui = await openTui(c, 80, 24);
    await tui.waitFor(/event 0/);
    // An exec still running at shutdown: its process must go too.
    c.exec('run demo-dma-engine --json', () => {});
    let grandchildren: number[] = [];
    for (let i = 0; i < 50 && grandchildren.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      grandchildren = childrenOf(s.child.pid!);
    }
    const closed = new Promise<void>((r) => c.on('close', () => r()));
    const exited = new Promise<number | null>((r) => s.child.on('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await closed;
    expect(s.stderr()).toMatch(/signal signal=SIGTERM/);
    expect(s.stderr()).toMatch(/closed/);
    await new Promise((r) => setTimeout(r, 300));
    for (const pid of grandchildren) expect(alive(pid), `process ${pid}`).toBe(false);
  });
});

describe('serve --ssh when its log reader goes away', () => {
  let keys: Keys;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    keys = makeKeys();
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    keys?.cleanup();
  });

  it('keeps serving without spinning, and still stops on SIGTERM', async () => {
    const s = await startChild(keys);
    child = s.child;
    s.child.stderr!.destroy(); // like `dmadbg serve --ssh 2>&1 | head -1`
    const c = await connect(s.port, { privateKey: keys.good });
    const { execCollect } = await import('./helpers.ts');
    expect((await execCollect(c, 'list')).code).toBe(0);
    c.end();
    // CPU time over one idle second: a busy loop would use most of it.
    const ticks = () => {
      const f = readFileSync(`/proc/${s.child.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const t0 = ticks();
    await new Promise((r) => setTimeout(r, 1000));
    expect(ticks() - t0).toBeLessThan(30); // clock ticks (100/s): under 0.3 s of CPU
    const exited = new Promise<number | null>((r) => s.child.on('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
