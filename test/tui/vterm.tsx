/**
 * In-process virtual terminal: the real Ink renderer and FrameStdout write into an
 * @xterm/headless terminal, keys go in through a TTY-like stdin. Runs the same output
 * path as the CLI (row diffs, DEC 2026, resize) without a pty.
 */
import { PassThrough } from 'node:stream';
import type { ReactElement } from 'react';
import { render } from 'ink';
import x from '@xterm/headless';
import { FrameStdout } from '../../src/tui/term/frame-stdout.ts';
import { ENTER_SCREEN } from '../../src/tui/start.tsx';

const { Terminal } = x;

export interface VTerm {
  readonly frames: FrameStdout;
  screen(): Promise<string>;
  lines(): Promise<string[]>;
  press(...keys: string[]): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  raw(): string;
  unmount(): void;
}

export const KEY = { up: '\x1b[A', down: '\x1b[B', enter: '\r', esc: '\x1b', tab: '\t', shiftTab: '\x1b[Z', backspace: '\x7f', ctrlC: '\x03' };

const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

export async function mount(el: (cols: number, rows: number) => ReactElement, cols = 120, rows = 40): Promise<VTerm> {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  term.write(ENTER_SCREEN); // as start.tsx does: the alternate screen has no scrollback
  let raw = '';
  const frames = new FrameStdout((s) => {
    raw += s;
    term.write(s);
  }, cols, rows);
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
  const inst = render(el(cols, rows), {
    stdout: frames as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const flush = () => new Promise<void>((r) => term.write('', () => r()));
  const lines = async () => {
    await flush();
    const b = term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < term.rows; y++) out.push(b.getLine(b.baseY + y)?.translateToString(true) ?? '');
    return out;
  };
  const screen = async () => (await lines()).join('\n');
  await tick(30);
  return {
    frames,
    screen,
    lines,
    raw: () => raw,
    async press(...keys) {
      for (const k of keys) {
        stdin.write(k);
        await tick();
      }
    },
    async resize(c, r) {
      term.resize(c, r);
      frames.resize(c, r);
      inst.rerender(el(c, r));
      await tick();
    },
    async waitFor(re, timeoutMs = 3000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const s = await screen();
        if (re.test(s)) return s;
        if (Date.now() > end) throw new Error(`timed out waiting for ${re}; screen:\n${s}`);
        await tick(10);
      }
    },
    unmount: () => inst.unmount(),
  };
}
