/**
 * One user must not be able to take the shared server down for everyone: a watcher typing
 * Unicode blanks and Tab (completion runs the command lexer), a client announcing a
 * 10000x10000 window. After each, another client's session still answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/ssh/server.ts';
import { LIMITS } from '../../src/sim/limits.ts';
import { connect, eventCount, execCollect, makeKeys, openTui, startTestServer, type Keys } from './helpers.ts';

describe('hostile input over ssh', () => {
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

  it('a watcher typing U+00A0 and Tab does not delay the driver', { timeout: 40_000 }, async () => {
    const driver = await openTui(await client(), 100, 30, 'tui demo-dma-engine');
    await driver.waitFor(/event 0 .*\[driver\]/);
    const watcher = await openTui(await client(), 100, 30, 'tui demo-dma-engine');
    await watcher.waitFor(/\[watching · tester drives\]/);
    // The lexer used to skip only ' ' and '\t' but end words at any \s: an endless loop.
    // (An Esc read together with the next key is Alt+key, as in any terminal: wait for the
    // prompt to open and to close before the next key.)
    const promptOpen = () => watcher.waitFor(/^:/m);
    const promptClosed = () => watcher.waitFor(/:driver take over/);
    for (const c of ['\u00a0', '\u3000', '\u2028', '\ufeff', '\f', '\v']) {
      watcher.send(':');
      await promptOpen();
      watcher.send(`step${c}1${c}`);
      watcher.send('\t');
      watcher.send('\t');
      watcher.send('\x1b');
      await promptClosed();
    }
    driver.send('s');
    const after = await driver.waitFor(/event 1 /, 10_000);
    expect(eventCount(after)).toBe(1);
    await watcher.waitFor(/event 1 /, 10_000);
    // And the watcher's own session still works.
    watcher.send(':');
    await promptOpen();
    watcher.send('info\u00a0bre\t');
    await watcher.waitFor(/:info\u00a0breakpoints/);
    watcher.send('\x1b');
    await promptClosed();
    driver.send('q');
    watcher.send('q');
    await Promise.all([driver, watcher].map((x) => new Promise<void>((r) => (x.closed ? r() : x.stream.on('close', () => r())))));
  });

  it('a key Ink cannot name (Esc [ 6 j) is dropped, the session goes on', { timeout: 30_000 }, async () => {
    const s = await openTui(await client(), 100, 30, 'tui mtk-larb-off');
    await s.waitFor(/event 0 /);
    s.send('\x1b');
    s.send('[6j');
    s.send('s');
    await s.waitFor(/event 1 /);
    expect(s.closed).toBe(false);
    s.send('q');
    await new Promise<void>((r) => (s.closed ? r() : s.stream.on('close', () => r())));
  });

  it('a 10000x10000 window-change leaves the server responsive', { timeout: 40_000 }, async () => {
    const before = server.sessions();
    const big = await openTui(await client(), 100, 30, 'tui mt8183-bus-sel');
    await big.waitFor(/event 0/);
    big.stream.setWindow(10_000, 10_000, 0, 0);
    // (Each test opens its own scenarios: sessions on one scenario are shared.)
    const other = await openTui(await client(), 90, 24, 'tui mtk-tf-protect');
    await other.waitFor(/event 0/, 15_000);
    other.send('s');
    await other.waitFor(/event 1 /, 15_000);
    expect((await execCollect(await client(), 'list')).code).toBe(0);
    // The big session draws at the clamped size and still takes keys.
    big.send('s');
    await big.waitFor(/event 1 /, 15_000);
    await expect.poll(() => server.sessions()).toBe(before + 2); // two TUIs; the list exec has ended
    big.send('q');
    other.send('q');
  });

  it('a pty request of 0x0 or 2^31 columns is drawn at a sane size', { timeout: 20_000 }, async () => {
    const c = await client();
    const s = await new Promise<import('ssh2').ClientChannel>((res, rej) =>
      c.exec('tui dma-mask-bounce', { pty: { term: 'x'.repeat(5000), cols: 2 ** 31 - 1, rows: 0 } }, (e, st) => (e ? rej(e) : res(st))),
    );
    let bytes = 0;
    let text = '';
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      if (text.length < 1e6) text += d.toString();
    });
    await expect.poll(() => /event 0/.test(text), { timeout: 10_000 }).toBe(true);
    // A full first frame at the clamp (500 columns x 24 rows) is far below 10 MB.
    expect(bytes).toBeLessThan(LIMITS.terminalCols * LIMITS.terminalRows * 40);
    s.write('q');
  });
});
