import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/ssh/server.ts';
import { connect, eventCount, makeKeys, openTui, startTestServer, type Keys } from './helpers.ts';

describe('ssh TUI sessions', () => {
  let keys: Keys;
  let server: RunningServer;
  const clients: { end(): void }[] = [];

  beforeAll(async () => {
    keys = makeKeys();
    ({ server } = await startTestServer(keys));
  });
  afterAll(async () => {
    for (const c of clients) c.end();
    await server?.close();
    keys?.cleanup();
  });

  const client = async () => {
    const c = await connect(server.port, { privateKey: keys.good });
    clients.push(c);
    return c;
  };

  it('renders at the pty size and quits with q (exit 0)', async () => {
    const s = await openTui(await client(), 90, 20);
    const text = await s.waitFor(/demo-dma-engine .*event 0[\s\S]*s step/);
    expect(text).toMatch(/\[driver\]/);
    const lines = text.split('\n');
    expect(lines.every((l) => l.length <= 90)).toBe(true);
    // The frame fills the pty but its last row (the terminal never scrolls).
    expect(lines.findIndex((l) => /s step/.test(l))).toBe(18);
    s.send('q');
    await s.waitFor(/$/);
    await new Promise<void>((r) => s.stream.on('close', () => r()));
    expect(s.exitCode).toBe(0);
  });

  it('two sessions on one scenario see the same stop after the driver steps; the watcher is refused', async () => {
    const a = await openTui(await client(), 100, 24, 'tui demo-dma-engine');
    await a.waitFor(/event 0 .*\[driver\]/);
    const b = await openTui(await client(), 120, 24, 'dmadbg tui demo-dma-engine');
    const watching = await b.waitFor(/\[watching · tester drives\]/);
    await a.waitFor(/\[driver · 1 watching\]/);
    // Issue 20 item 16: a watcher's hint bar offers taking over, not keys it cannot use.
    const hints = watching.split('\n').find((l) => /\? help/.test(l))!;
    expect(hints).toMatch(/^:driver take over {2}/);
    expect(hints).not.toMatch(/s step|c cont|r rev|b break/);
    expect(a.text()).toMatch(/s step/);
    expect(server.sharedSessions()).toBe(1);

    a.send('s');
    const sa = await a.waitFor(/event 1 /);
    const sb = await b.waitFor(/event 1 /);
    expect(eventCount(sa)).toBe(eventCount(sb));
    a.send('s');
    await a.waitFor(/event 2 /);
    await b.waitFor(/event 2 /);

    // A watcher's step is refused with a message and moves nothing.
    b.send('s');
    const refused = await b.waitFor(/watching: tester drives this session \(type :driver to take over\)/);
    expect(eventCount(refused)).toBe(2);
    expect(eventCount(a.text())).toBe(2);

    // :driver takes over; now the old driver is the one refused.
    b.send(':driver\r');
    await b.waitFor(/\[driver · 1 watching\]/);
    await a.waitFor(/\[watching · tester drives\]/);
    b.send('s');
    await b.waitFor(/event 3 /);
    await a.waitFor(/event 3 /);
    a.send('s');
    await a.waitFor(/watching: tester drives/);

    // When the driver leaves, the watcher drives.
    b.send('q');
    await a.waitFor(/\[driver\]/);
    a.send('q');
    await a.waitFor(/$/);
  });

  it('a resize changes the layout', async () => {
    const s = await openTui(await client(), 110, 30, 'tui demo-dma-engine');
    const wide = (await s.waitFor(/Timeline[\s\S]*s step/)).split('\n');
    // Wide: the timeline and the devices panel side by side.
    expect(wide.some((l) => /Timeline.*Devices/.test(l))).toBe(true);
    expect(wide.findIndex((l) => /s step/.test(l))).toBe(28);
    s.resize(60, 16);
    const narrow = (await s.waitFor(/^▾ \d Devices/m)).split('\n');
    // Narrow: stacked, nothing wider than the terminal, the hint bar on the new last row but one.
    expect(narrow.some((l) => /Timeline.*Devices/.test(l))).toBe(false);
    expect(narrow.every((l) => l.length <= 60)).toBe(true);
    expect(narrow.findIndex((l) => /s step/.test(l))).toBe(14);
    s.send('q');
  });

  it('a shell without a pty gets a one-line refusal', async () => {
    const c = await client();
    const res = await new Promise<{ code?: number; err: string }>((resolve, reject) => {
      c.shell(false as never, (err, stream) => {
        if (err) return reject(err);
        let e = '';
        let code: number | undefined;
        stream.stderr.on('data', (d: Buffer) => (e += d));
        stream.on('data', () => {});
        stream.on('exit', (x: number) => (code = x));
        stream.on('close', () => resolve({ code, err: e }));
      });
    });
    expect(res.code).toBe(1);
    expect(res.err.trim().split('\n')).toHaveLength(1);
    expect(res.err).toMatch(/needs a terminal: connect with ssh -t/);
  });

  it('refuses port forwarding', async () => {
    const c = await client();
    const err = await new Promise<Error | undefined>((resolve) => c.forwardOut('127.0.0.1', 0, '127.0.0.1', 22, (e) => resolve(e)));
    expect(err).toBeInstanceOf(Error);
    const err2 = await new Promise<Error | undefined>((resolve) => c.forwardIn('127.0.0.1', 0, (e) => resolve(e)));
    expect(err2).toBeInstanceOf(Error);
  });
});
