/** The real OpenSSH client in a real pty against the embedded server (skipped without `ssh`). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import x from '@xterm/headless';
import type { RunningServer } from '../../src/ssh/server.ts';
import { makeKeys, startTestServer, type Keys } from './helpers.ts';

const { Terminal } = x;
const require = createRequire(import.meta.url);

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const SSH = which('ssh');
let pty: typeof import('@lydell/node-pty') | undefined;
try {
  pty = require('@lydell/node-pty');
} catch {
  pty = undefined;
}

describe.skipIf(!SSH || !pty)(`OpenSSH client${!SSH ? ' (skipped: no `ssh` binary on PATH; apt-get install openssh-client)' : !pty ? ' (skipped: @lydell/node-pty not installed)' : ''}`, () => {
  let keys: Keys;
  let server: RunningServer;
  let keyFile: string;

  beforeAll(async () => {
    keys = makeKeys();
    ({ server } = await startTestServer(keys));
    keyFile = join(keys.dir, 'id_test');
    writeFileSync(keyFile, keys.good, { mode: 0o600 });
  });
  afterAll(async () => {
    await server?.close();
    keys?.cleanup();
  });

  it('ssh -tt: first frame at the pty size, keys (incl. arrows and Esc), resize, q exits 0', async () => {
    const term = new Terminal({ cols: 100, rows: 30, allowProposedApi: true });
    const args = [
      '-tt', '-p', String(server.port), '-i', keyFile,
      '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
      '-o', `UserKnownHostsFile=${join(keys.dir, 'known_hosts')}`, '-o', 'LogLevel=ERROR',
      '127.0.0.1', 'tui', 'demo-dma-engine',
    ];
    const env = { ...process.env, TERM: 'xterm-256color' } as Record<string, string>;
    delete env.SSH_AUTH_SOCK;
    const p = pty!.spawn(SSH!, args, { cols: 100, rows: 30, env, name: 'xterm-256color' });
    let bytes = 0;
    const exited = new Promise<number>((r) => p.onExit((e) => r(e.exitCode)));
    p.onData((d) => {
      bytes += Buffer.byteLength(d);
      term.write(d);
    });
    const screen = () => {
      const b = term.buffer.active;
      return Array.from({ length: term.rows }, (_, y) => b.getLine(y)?.translateToString(true) ?? '').join('\n');
    };
    const waitFor = async (re: RegExp, ms = 10_000) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await new Promise<void>((r) => term.write('', () => r()));
        if (re.test(screen())) return screen();
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`timed out waiting for ${re}; screen:\n${screen()}`);
    };
    try {
      const first = await waitFor(/event 0[\s\S]*s step/);
      expect(first.split('\n').findIndex((l) => /s step/.test(l))).toBe(28);
      p.write('s');
      await waitFor(/event 1 /);
      const before = bytes;
      p.write('s');
      await waitFor(/event 2 /);
      // Only changed rows go over the wire: far less than a whole 100x30 frame per step.
      expect(bytes - before).toBeLessThan(3000);
      p.write('\x1b[B'); // arrow down: moves the selection, nothing breaks
      p.write('?');
      await waitFor(/Step one event/);
      p.write('\x1b'); // a lone Esc closes the help
      await waitFor(/Timeline/);
      expect(screen()).not.toMatch(/Step one event/);
      p.resize(64, 18);
      term.resize(64, 18);
      const small = await waitFor(/^▾ \d Devices/m);
      expect(small.split('\n').every((l) => l.length <= 64)).toBe(true);
      p.write('q');
      expect(await exited).toBe(0);
    } finally {
      try {
        p.kill();
      } catch {
        /* gone */
      }
    }
  });
});
