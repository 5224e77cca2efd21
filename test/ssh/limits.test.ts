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
