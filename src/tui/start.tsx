/**
 * Local terminal setup, and the only place that touches the process: alternate screen in
 * and out (also on signals and crashes), raw keys from process.stdin, every SIGWINCH a
 * full redraw. The root component itself is process-free (the SSH server reuses it).
 */
import React from 'react';
import { render } from 'ink';
import { DmadbgApp, type AppOptions } from './app.tsx';
import type { PickerSource } from './picker.tsx';
import type { SessionPort } from './session-port.ts';
import { FrameStdout } from './term/frame-stdout.ts';

export const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
export const LEAVE_SCREEN = '\x1b[?2026l\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l';

export interface StartOptions extends AppOptions {
  readonly port?: SessionPort;
  readonly picker?: PickerSource;
  /** The one line to print for an internal error once the screen is restored (the CLI writes the stack to a crash log). */
  readonly crashLine?: (e: unknown) => string;
}

/** NO_COLOR (any non-empty value) turns colour off: https://no-color.org */
export function colorWanted(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR;
}

export async function startTui(opts: StartOptions): Promise<void> {
  const out = process.stdout;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    frames.close();
    out.write(LEAVE_SCREEN);
  };
  const frames = new FrameStdout((s) => out.write(s), out.columns || 80, out.rows || 24);
  // 80x24 when the terminal does not say: a guess, which NEL must not trust (FrameStdout.nextLine).
  frames.nextLine = out.columns > 0 && out.rows > 0;
  out.write(ENTER_SCREEN);
  const element = () => (
    <DmadbgApp {...opts} color={opts.color ?? colorWanted(process.env)} cols={frames.columns} rows={frames.rows} />
  );
  const app = render(element(), {
    stdout: frames as unknown as NodeJS.WriteStream,
    stdin: process.stdin,
    stderr: process.stderr,
    debug: true, // whole frames to FrameStdout, which writes only the changed rows
    exitOnCtrlC: false, // Ctrl-C interrupts a run; q quits
    patchConsole: false,
  });
  const onResize = () => {
    const [cols, rows] = typeof out.getWindowSize === 'function' ? out.getWindowSize() : [out.columns, out.rows];
    frames.resize(cols || 80, rows || 24);
    frames.nextLine = cols > 0 && rows > 0;
    app.rerender(element());
  };
  // Every SIGWINCH redraws in full: stdout's 'resize' fires only when the size differs from
  // the last one Node saw, but a terminal resized and resized back before we looked has
  // already cut or shifted what it showed. (Windows has no SIGWINCH; Node emits 'resize'.)
  const resizeSignal = process.platform !== 'win32';
  const onSignal = (sig: NodeJS.Signals) => {
    app.unmount();
    restore();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15));
  };
  const onCrash = (e: unknown) => {
    restore();
    process.stderr.write(`${opts.crashLine ? opts.crashLine(e) : `dmadbg: internal error (a dmadbg bug, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`}\n`);
    process.exit(70);
  };
  if (resizeSignal) process.on('SIGWINCH', onResize);
  else out.on('resize', onResize);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onSignal); // only reaches us when raw mode is off (e.g. before Ink starts)
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', restore);
  try {
    await app.waitUntilExit();
  } finally {
    restore();
    process.off('SIGWINCH', onResize);
    out.off('resize', onResize);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('SIGINT', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.off('exit', restore);
  }
}
