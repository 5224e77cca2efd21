/**
 * A real pseudo-terminal for end-to-end tests: spawns the CLI under @lydell/node-pty,
 * feeds its output to @xterm/headless and reads the screen. CI has no terminal, so each
 * test makes its own pty. The child gets CI=0 (Ink draws nothing while CI is set) and
 * TERM=xterm-256color.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import x from '@xterm/headless';
import { ROOT } from '../helpers/scenario.ts';

const require = createRequire(import.meta.url);
const pty = require('@lydell/node-pty') as typeof import('@lydell/node-pty');
const { Terminal } = x;

export interface Pty {
  screen(): Promise<string>;
  lines(): Promise<string[]>;
  send(s: string): void;
  waitFor(re: RegExp | ((lines: string[]) => boolean), timeoutMs?: number): Promise<string>;
  resize(cols: number, rows: number): void;
  exited: Promise<{ exitCode: number; signal?: number }>;
  raw(): string;
  bytes(): number;
  kill(signal?: string): void;
}

export function spawnCli(args: string[], cols = 120, rows = 40, env: Record<string, string> = {}): Pty {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(CI|CONTINUOUS_INTEGRATION|CI_.*|VITEST.*|NODE_ENV)$/.test(k)) childEnv[k] = v;
  // Each test gets its own workspace, so saved breakpoints and history do not leak between runs.
  Object.assign(childEnv, { CI: '0', TERM: 'xterm-256color', DMADBG_WORKSPACE: mkdtempSync(join(tmpdir(), 'dmadbg-e2e-')) }, env);
  const p = pty.spawn(process.execPath, ['bin/dmadbg.js', ...args], { name: 'xterm-256color', cols, rows, cwd: ROOT, env: childEnv });
  let raw = '';
  let bytes = 0;
  p.onData((d) => {
    raw += d;
    bytes += Buffer.byteLength(d);
    term.write(d);
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((res) => p.onExit(res));
  const lines = async () => {
    await new Promise<void>((r) => term.write('', () => r()));
    const b = term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < term.rows; y++) out.push(b.getLine(b.baseY + y)?.translateToString(true) ?? '');
    return out;
  };
  const screen = async () => (await lines()).join('\n');
  let done = false;
  void exited.then(() => (done = true));
  return {
    screen,
    lines,
    send: (s) => p.write(s),
    async waitFor(re, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const ls = await lines();
        const s = ls.join('\n');
        if (typeof re === 'function' ? re(ls) : re.test(s)) return s;
        if (done || Date.now() > end) throw new Error(`${done ? 'exited' : 'timed out'} waiting for ${re}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    resize(c, r) {
      p.resize(c, r);
      term.resize(c, r);
    },
    exited,
    raw: () => raw,
    bytes: () => bytes,
    kill: (signal?: string) => {
      if (!done) p.kill(signal);
    },
  };
}
