import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../src/ssh/server.ts';
import { connect, execCollect, makeKeys, openTui, startTestServer, type Keys } from './helpers.ts';

describe('ssh limits', () => {
  let keys: Keys;
  let server: RunningServer;
  let log: string[];
  const clients: { end(): void }[] = [];

  beforeAll(async () => {
    keys = makeKeys();
    ({ server, log } = await startTestServer(keys, { limits: { maxSessions: 1, idleTimeoutMs: 2000 } }));
  });
  afterAll(async () => {
    for (const c of clients) c.end();
    await server?.close();
    keys?.cleanup();
  });

  it('refuses a session over the limit in one line, and closes an idle one', { timeout: 20_000 }, async () => {
    const c1 = await connect(server.port, { privateKey: keys.good });
    const c2 = await connect(server.port, { privateKey: keys.good });
    clients.push(c1, c2);
    const s = await openTui(c1, 80, 24);
    await s.waitFor(/event 0/);
    const r = await execCollect(c2, 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the server is full \(1 sessions\)/);
    // No key for 2 s: the TUI session is closed with a reason, and its slot is free again.
    await new Promise<void>((res) => s.stream.on('close', () => res()));
    expect(s.exitCode).toBe(0);
    expect(log.some((l) => l.startsWith('session-end') && l.includes('without input'))).toBe(true);
    // (c2 has had no session for 2 s as well, so the server closed it: connect again.)
    const c3 = await connect(server.port, { privateKey: keys.good });
    clients.push(c3);
    const again = await execCollect(c3, 'list');
    expect(again.code).toBe(0);
    expect(log.some((l) => l.startsWith('idle') && l.includes('no session'))).toBe(true);
  });
});

describe('session slots', () => {
  let keys: Keys;
  let server: RunningServer;
  const clients: { end(): void }[] = [];
  beforeAll(async () => {
    keys = makeKeys();
    ({ server } = await startTestServer(keys, { limits: { maxSessions: 2 } }));
  });
  afterAll(async () => {
    for (const c of clients) c.end();
    await server?.close();
    keys?.cleanup();
  });

  it('every exec session gives its slot back: 3x --max-sessions sequential execs all run', { timeout: 60_000 }, async () => {
    // Exec channels never read stdin, so ssh2 never emitted their 'close': each one kept its slot.
    const commands = ['run demo-dma-engine --json --max-events 3', 'list', 'validate demo-dma-engine', 'rm -rf /', 'list --json', 'run demo-dma-engine --max-events 1'];
    const results: { command: string; code: number | undefined; stderr: string }[] = [];
    for (const [i, command] of commands.entries()) {
      // Half on one long-lived connection, half on fresh ones.
      const c = i % 2 === 0 || clients.length === 0 ? await connect(server.port, { privateKey: keys.good }) : (clients.at(-1) as Awaited<ReturnType<typeof connect>>);
      if (!clients.includes(c)) clients.push(c);
      const r = await execCollect(c, command);
      results.push({ command, code: r.code, stderr: r.stderr });
    }
    expect(results.filter((r) => /server is full/.test(r.stderr))).toEqual([]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 2, 0, 0]);
    await expect.poll(() => server.sessions()).toBe(0);
  });

  it('a client that drops its connection mid-exec gives the slot back', { timeout: 30_000 }, async () => {
    for (let i = 0; i < 3; i++) {
      const c = await connect(server.port, { privateKey: keys.good });
      await new Promise<void>((res, rej) => c.exec('run demo-dma-engine --json', (err) => (err ? rej(err) : res())));
      await expect.poll(() => server.sessions()).toBeGreaterThan(0);
      c.end();
      await expect.poll(() => server.sessions(), { timeout: 10_000 }).toBe(0);
    }
  });
});

describe('one session failing', () => {
  let keys: Keys;
  let server: RunningServer;
  let log: string[];
  const clients: { end(): void }[] = [];

  beforeAll(async () => {
    keys = makeKeys();
    ({ server, log } = await startTestServer(keys));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    for (const c of clients) c.end();
    await server?.close();
    keys?.cleanup();
  });

  it('an exception in one session\'s key handler ends that session only', async () => {
    const { Controller } = await import('../../src/tui/controller.ts');
    const original = Controller.prototype.keys;
    vi.spyOn(Controller.prototype, 'keys').mockImplementation(function (this: InstanceType<typeof Controller>, names: Parameters<typeof original>[0]) {
      if (names.includes('!')) throw new Error('injected bug in a key handler');
      return original.call(this, names);
    });
    const c1 = await connect(server.port, { privateKey: keys.good });
    const c2 = await connect(server.port, { privateKey: keys.good });
    clients.push(c1, c2);
    const a = await openTui(c1, 90, 24);
    const b = await openTui(c2, 90, 24);
    await a.waitFor(/event 0/);
    await b.waitFor(/event 0/);
    b.send('!');
    await new Promise<void>((res) => b.stream.on('close', () => res()));
    expect(b.exitCode).toBe(70);
    expect(log.some((l) => l.startsWith('session-error') && l.includes('injected bug'))).toBe(true);
    // The other session and the server carry on.
    a.send('s');
    await a.waitFor(/event 1 /);
    const c3 = await connect(server.port, { privateKey: keys.good });
    clients.push(c3);
    expect((await execCollect(c3, 'list')).code).toBe(0);
  });
});
