/**
 * What an SSH TUI session renders: the debugger's Session per scenario (shared by everyone
 * on that scenario, through the TUI's port adapter) and the TUI's root component per
 * member, drawn through the TUI's FrameStdout (only changed rows go over the wire).
 * The one place that knows which session and which component are in use.
 */
import React from 'react';
import type { render as inkRender } from 'ink';
import { openSession } from '../debugger/open.ts';
import { portFor } from '../tui/session-app.tsx';
import { DmadbgApp } from '../tui/app.tsx';
import { FrameStdout } from '../tui/term/frame-stdout.ts';
import type { SessionPort } from '../tui/session-port.ts';
import type { Member } from './shared-session.ts';

export type Port = SessionPort;

/** Build the session for a scenario file (absolute, already confined). Throws a one-line Error on a bad scenario. */
export function createPort(file: string): { port: Port; dispose?: () => void } {
  let session;
  try {
    session = openSession(file);
  } catch (e) {
    throw new Error((e as Error).message.split('\n')[0]);
  }
  const port = portFor(session);
  return { port, dispose: () => port.dispose() };
}

/** The status-bar tag: "driver", "driver · 2 watching", "watching · alice drives" (the hint bar says :driver). */
export function roleText(member: Member<Port>): string {
  const others = member.session.size - 1;
  if (member.role === 'driver') return others > 0 ? `driver · ${others} watching` : 'driver';
  return `watching · ${member.session.driver?.user ?? 'nobody'} drives`;
}

/**
 * Slow links: while the connection's socket still holds more than a few frames' worth of
 * unsent bytes, keep only the newest frame and send it (as a diff against the last frame
 * actually sent) once the backlog has drained. A `continue` on a slow link then shows the
 * latest progress instead of replaying every intermediate frame.
 */
export class CoalescingFrames extends FrameStdout {
  private pending: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Frames skipped because the link was behind (tests and the log read it). */
  skipped = 0;

  constructor(sink: (s: string) => void, cols: number, rows: number, private readonly congested: () => boolean, private readonly pollMs = 20) {
    super(sink, cols, rows);
  }

  override write(chunk: string | Uint8Array, encoding?: unknown, cb?: () => void): boolean {
    const done = typeof encoding === 'function' ? (encoding as () => void) : cb;
    if (this.pending !== undefined || this.congested()) {
      if (this.pending !== undefined) this.skipped++;
      this.pending = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      this.timer ??= setInterval(() => this.flush(), this.pollMs);
      done?.();
      return true;
    }
    return super.write(chunk, done);
  }

  private flush(): void {
    if (this.congested()) return;
    clearInterval(this.timer);
    this.timer = undefined;
    const frame = this.pending;
    this.pending = undefined;
    if (frame !== undefined) super.write(frame);
  }

  override resize(columns: number, rows: number): void {
    this.pending = undefined; // the next frame is drawn in full at the new size
    super.resize(columns, rows);
  }

  override close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    super.close();
  }
}

export interface Mounted {
  /** `exact`: the size is the client's own, so the frame writer may use NEL (FrameStdout.nextLine). */
  resize(cols: number, rows: number, exact?: boolean): void;
  unmount(): void;
  readonly exited: Promise<unknown>;
  /** Bytes of frames sent so far (the bench reads it). */
  bytes(): number;
}

/** Render the TUI for one member into `write` (the channel, LF->CRLF already handled). */
export function mountTui(
  render: typeof inkRender,
  member: Member<Port>,
  io: { stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream; write: (s: string) => void; congested?: () => boolean },
  size: { cols: number; rows: number; exact?: boolean },
  opts: { color?: boolean } = {},
): Mounted {
  const frames = new CoalescingFrames(io.write, size.cols, size.rows, io.congested ?? (() => false));
  frames.nextLine = size.exact !== false;
  let quit: () => void = () => {};
  const element = () =>
    React.createElement(DmadbgApp, {
      port: member.port,
      cols: frames.columns,
      rows: frames.rows,
      role: roleText(member),
      color: opts.color !== false,
      onQuit: () => quit(),
    });
  const instance = render(element(), {
    stdout: frames as unknown as NodeJS.WriteStream,
    stdin: io.stdin,
    stderr: io.stderr,
    debug: true, // whole frames to FrameStdout, which writes only the changed rows
    exitOnCtrlC: false, // Ctrl-C interrupts a run; q quits
    patchConsole: false,
  });
  quit = () => instance.unmount();
  const offRole = member.onRoleChange(() => instance.rerender(element()));
  return {
    resize(cols, rows, exact) {
      frames.nextLine = exact !== false;
      if (cols <= 0 || rows <= 0 || (cols === frames.columns && rows === frames.rows)) return;
      frames.resize(cols, rows);
      instance.rerender(element());
    },
    unmount() {
      offRole();
      frames.close();
      instance.unmount();
    },
    exited: instance.waitUntilExit().finally(() => {
      offRole();
      frames.close();
    }),
    bytes: () => frames.bytes,
  };
}
