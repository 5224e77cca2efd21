/**
 * Dress an SSH channel up as the TTY Ink expects (see ../../../shared/notes/ssh-ink-probe.md):
 * - stdin: isTTY, setRawMode/ref/unref as no-ops (the client's terminal is already raw);
 * - stdout: isTTY, non-zero columns/rows from the pty request, 'resize' on window-change;
 * - LF -> CRLF on output, because there is no server-side line discipline (ONLCR);
 * - one stdout object per channel (Ink keeps one instance per stdout object).
 * Exceptions thrown by Ink's input handling surface through `onInputError` instead of
 * escaping as an uncaught exception that would take down every session.
 */
import { PassThrough, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { LIMITS } from '../debugger/limits.ts';

export interface PtyInfo {
  cols: number;
  rows: number;
  term: string;
  /** The size is the client's own, neither clamped nor a fallback (default true). */
  exact?: boolean;
}

export interface TtyChannel extends Readable {
  write(chunk: string | Buffer, cb?: (err?: Error | null) => void): boolean;
  readonly stderr: NodeJS.WritableStream;
  readonly writable: boolean;
  readonly destroyed: boolean;
}

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

/**
 * The size a session draws at: what the client asked for, within the limits table (a
 * 10000x10000 window-change would otherwise build a frame of 10^8 cells and take the
 * server, with every session, down). 0 or nonsense keeps the fallback.
 */
export function clampSize(cols: unknown, rows: unknown, fallback = { cols: 80, rows: 24 }): { cols: number; rows: number; exact: boolean } {
  const valid = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 1;
  const one = (v: unknown, max: number, dflt: number) => (valid(v) ? Math.min(Math.floor(v), max) : dflt);
  const exact = valid(cols) && valid(rows) && Number.isInteger(cols) && Number.isInteger(rows) && cols <= LIMITS.terminalCols && rows <= LIMITS.terminalRows;
  return { cols: one(cols, LIMITS.terminalCols, fallback.cols), rows: one(rows, LIMITS.terminalRows, fallback.rows), exact };
}

/** A Writable that looks like a terminal of a given size. */
export class TtyOut extends Writable {
  isTTY = true as const;
  columns: number;
  rows: number;
  /** Bytes written to the channel (after ONLCR): the bench reads it. */
  bytes = 0;
  /** The size is the client's own (see PtyInfo.exact). */
  exact: boolean;

  constructor(private readonly sink: { write(b: string, cb?: (err?: Error | null) => void): boolean; once(ev: 'drain', cb: () => void): unknown }, size: { cols: number; rows: number; exact?: boolean }) {
    super({ decodeStrings: false });
    this.columns = size.cols;
    this.rows = size.rows;
    this.exact = size.exact !== false;
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const s = crlf(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    this.bytes += Buffer.byteLength(s);
    try {
      // Honour backpressure on slow links: Ink's later frames wait in our buffer, not in memory of the socket.
      if (this.sink.write(s)) cb();
      else this.sink.once('drain', () => cb());
    } catch (e) {
      cb(e as Error);
    }
  }

  resize(cols: number, rows: number, exact = true): void {
    if (!(cols > 0 && rows > 0)) return;
    this.exact = exact;
    ({ cols, rows } = clampSize(cols, rows));
    if (cols === this.columns && rows === this.rows) return;
    this.columns = cols;
    this.rows = rows;
    this.emit('resize');
  }

  getWindowSize(): [number, number] {
    return [this.columns, this.rows];
  }
  getColorDepth(): number {
    return 8;
  }
  hasColors(count = 16): boolean {
    return count <= 256;
  }
  cursorTo(x: number, y?: number | (() => void), cb?: () => void): boolean {
    const done = typeof y === 'function' ? y : cb;
    const seq = typeof y === 'number' ? `\x1b[${y + 1};${x + 1}H` : `\x1b[${x + 1}G`;
    return this.write(seq, done);
  }
  moveCursor(dx: number, dy: number, cb?: () => void): boolean {
    let seq = '';
    if (dx) seq += dx > 0 ? `\x1b[${dx}C` : `\x1b[${-dx}D`;
    if (dy) seq += dy > 0 ? `\x1b[${dy}B` : `\x1b[${-dy}A`;
    return this.write(seq, cb);
  }
  clearLine(dir: -1 | 0 | 1, cb?: () => void): boolean {
    return this.write(dir < 0 ? '\x1b[1K' : dir > 0 ? '\x1b[0K' : '\x1b[2K', cb);
  }
  clearScreenDown(cb?: () => void): boolean {
    return this.write('\x1b[0J', cb);
  }
}

/**
 * Ink 6.8 throws on a CSI key with modifiers and an unknown final byte (Esc then "[6j"
 * typed quickly, or a terminal's unusual key): parse-keypress gives ctrl with no name and
 * useInput calls `undefined.startsWith`. That key means nothing to us: drop it, keep going.
 */
export function isInkUnknownKeyError(e: unknown): boolean {
  // The message alone: in the bundled build (dist/) the stack names no Ink file.
  return e instanceof TypeError && /^Cannot read properties of undefined \(reading 'startsWith'\)$/.test(e.message);
}

/**
 * Wrap a stdin's emit so an exception thrown by a key handler (they run inside
 * emit('readable')) goes to `onError` instead of out of the stream, and Ink's unknown-key
 * error is dropped. Returns the undo function.
 */
export function guardKeyHandlers(stdin: NodeJS.ReadableStream, onError: (e: unknown) => void): () => void {
  const target = stdin as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const emit = target.emit;
  target.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    try {
      return emit.call(this, event, ...args);
    } catch (e) {
      if (!isInkUnknownKeyError(e)) onError(e);
      // The throw cut the stream's 'readable' handling short; without a new read request
      // the stream stops reading, nothing keeps the process alive and it exits quietly.
      setImmediate(() => {
        try {
          (stdin as unknown as { read(n: number): unknown }).read(0);
        } catch {
          /* destroyed */
        }
      });
      return false;
    }
  };
  return () => {
    target.emit = emit;
  };
}

/** stdin for Ink: a PassThrough with the TTY methods Ink calls. */
export class TtyIn extends PassThrough {
  isTTY = true as const;
  isRaw = true;
  constructor(private readonly onError: (e: unknown) => void) {
    super();
  }
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  // Ink's input handlers run synchronously inside emit('readable'): a throw there is one
  // session's bug, so it ends that session, not the process.
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    try {
      return super.emit(event, ...args);
    } catch (e) {
      if (!isInkUnknownKeyError(e)) return (this.onError(e), false);
      setImmediate(() => {
        if (!this.destroyed) this.read(0); // go on reading after the dropped key (see guardKeyHandlers)
      });
      return false;
    }
  }
}

export interface TtyStreams {
  readonly stdin: TtyIn;
  readonly stdout: TtyOut;
  readonly stderr: TtyOut;
  readonly term: string;
  /** `exact`: the size is the client's own (see PtyInfo.exact). */
  resize(cols: number, rows: number, exact?: boolean): void;
  /** Stop writing to the channel (it closed): Ink's final writes then go nowhere. */
  destroy(): void;
}

export function createTtyStreams(
  channel: TtyChannel,
  pty: PtyInfo,
  opts: { onInput?: () => void; onInputError: (e: unknown) => void; clearOnResize?: boolean; onResize?: (cols: number, rows: number) => void },
): TtyStreams {
  const clamped = clampSize(pty.cols, pty.rows);
  const size = { ...clamped, exact: clamped.exact && pty.exact !== false };
  const stdin = new TtyIn(opts.onInputError);
  const guard = (target: { write(b: string, cb?: (err?: Error | null) => void): boolean; once(ev: 'drain', cb: () => void): unknown }) => ({
    write: (b: string, cb?: (err?: Error | null) => void) => (channel.destroyed || !channel.writable ? true : target.write(b, cb)),
    once: (ev: 'drain', cb: () => void) => target.once(ev, cb),
  });
  const stdout = new TtyOut(guard(channel as unknown as Writable), size);
  const stderr = new TtyOut(guard(channel.stderr as unknown as Writable), size);
  // Ink erases only its own last frame, which the terminal has already re-wrapped on resize:
  // clear the whole screen first (this listener runs before Ink's, which render() adds later).
  if (opts.clearOnResize !== false) stdout.on('resize', () => stdout.write('\x1b[2J\x1b[H'));
  const onData = (d: Buffer) => {
    opts.onInput?.();
    if (!stdin.destroyed) stdin.write(d);
  };
  channel.on('data', onData);
  return {
    stdin,
    stdout,
    stderr,
    term: pty.term || 'xterm-256color',
    resize(cols, rows, exact) {
      stdout.resize(cols, rows, exact);
      stderr.resize(cols, rows, exact);
      opts.onResize?.(stdout.columns, stdout.rows);
    },
    destroy() {
      channel.off('data', onData);
      for (const s of [stdin, stdout, stderr]) if (!s.destroyed) s.destroy();
    },
  };
}
