/**
 * A stdout for Ink that sends only the rows that changed. Ink runs in `debug` mode, where
 * every render writes the whole frame as one string; this stream keeps the previous frame
 * and writes each changed row at its absolute position (the frame starts at the top of
 * the alternate screen), wrapped in DEC 2026 synchronized output. That replaces Ink 6.8's
 * erase-everything-and-redraw (~5 KB a step) without its incremental mode, which draws one
 * row too low in 6.7-6.8. It also makes Ink's CI detection irrelevant: debug output is
 * written the same either way.
 *
 * One instance per terminal: the SSH server gives each channel its own, with `sink`
 * writing to the channel (which must map LF to CRLF itself; this stream emits no LF).
 */
import { EventEmitter } from 'node:events';

export class FrameStdout extends EventEmitter {
  readonly isTTY = true;
  columns: number;
  rows: number;
  /** Bytes written to the sink so far (benchmarks read it). */
  bytes = 0;
  private prev: string[] = [];
  private closed = false;
  /** Auto-wrap is switched off before the first frame (and after a resize), so a row that
   * is momentarily wider than the terminal is clipped instead of scrolling the screen. */
  private wrapOff = false;

  constructor(
    private readonly sink: (s: string) => void,
    columns: number,
    rows: number,
  ) {
    super();
    this.columns = columns;
    this.rows = rows;
  }

  /** Ink calls this with one whole frame per render. */
  write(chunk: string | Uint8Array, encoding?: unknown, cb?: () => void): boolean {
    const done = typeof encoding === 'function' ? (encoding as () => void) : cb;
    if (!this.closed) this.frame(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    done?.();
    return true;
  }

  private frame(text: string): void {
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    // Never draw below the screen: the last row stays free so the terminal cannot scroll.
    if (lines.length > this.rows - 1) lines.length = Math.max(0, this.rows - 1);
    let out = '';
    const n = Math.max(lines.length, this.prev.length);
    for (let i = 0; i < n; i++) {
      const line = lines[i];
      if (line === this.prev[i]) continue;
      out += `\x1b[${i + 1};1H${line ?? ''}\x1b[0m\x1b[K`;
    }
    this.prev = lines;
    if (!out) return;
    const pre = this.wrapOff ? '' : '\x1b[?7l';
    this.wrapOff = true;
    this.emitOut(`\x1b[?2026h${pre}${out}\x1b[?2026l`);
  }

  private emitOut(s: string): void {
    this.bytes += Buffer.byteLength(s);
    this.sink(s);
  }

  /**
   * New terminal size: the next frame is drawn in full on a cleared screen. The caller
   * re-renders with the new size; no 'resize' event is emitted, because Ink would first
   * redraw the old tree at the new width.
   */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.prev = [];
    this.wrapOff = false;
    this.emitOut('\x1b[2J');
  }

  /** Redraw everything on the next frame (after something else wrote to the screen). */
  invalidate(): void {
    this.prev = [];
  }

  /** What to write when leaving: auto-wrap back on. */
  static readonly RESTORE = '\x1b[?7h';

  /** Ignore writes from now on (Ink's unmount writes a trailing newline). */
  close(): void {
    this.closed = true;
  }

  // What Ink and its helpers probe on a stdout.
  get writable(): boolean {
    return !this.closed;
  }
  readonly writableEnded = false;
  readonly destroyed = false;
  getColorDepth(): number {
    return 8;
  }
  hasColors(): boolean {
    return true;
  }
}
