/**
 * One user must not be able to take the shared server down for everyone: a watcher typing
 * Unicode blanks and Tab (completion runs the command lexer), a client announcing a
 * 10000x10000 window. After each, another client's session still answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/ssh/server.ts';
import { connect, eventCount, makeKeys, openTui, startTestServer, type Keys } from './helpers.ts';

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
    await watcher.waitFor(/\[watching tester · :driver\]/);
    // The lexer used to skip only ' ' and '\t' but end words at any \s: an endless loop.
    for (const c of ['\u00a0', '\u3000', '\u2028', '\ufeff', '\f', '\v']) {
      watcher.send(`:step${c}1${c}`);
      watcher.send('\t');
      watcher.send('\t');
      watcher.send('\x1b');
    }
    driver.send('s');
    const after = await driver.waitFor(/event 1 /, 10_000);
    expect(eventCount(after)).toBe(1);
    await watcher.waitFor(/event 1 /, 10_000);
    // And the watcher's own session still works.
    watcher.send(':info\u00a0bre\t');
    await watcher.waitFor(/:info\u00a0breakpoints/);
    watcher.send('\x1b');
    driver.send('q');
    watcher.send('q');
  });
});
