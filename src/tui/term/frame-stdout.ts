/**
 * A stdout for Ink that sends only the cells that changed. Ink runs in `debug` mode, where
 * every render writes the whole frame as one string; this stream keeps the previous frame
 * as cells and writes, inside DEC 2026 synchronized output:
 * - a scroll of a band of full-width rows that moved up (the console after new output):
 *   a scroll region (DECSTBM) and SU, so the moved rows are not sent again;
 * - then, per row, only the runs of cells that differ (cursor moves between them), with
 *   erases (ECH) for blank stretches and EL for a tail that became blank. A space differs
 *   only in what shows: its background and underline, inverse or strike, not its colour.
 * That replaces Ink 6.8's erase-everything-and-redraw without its incremental mode, which
 * draws one row too low in 6.7-6.8, and makes Ink's CI detection irrelevant (debug output
 * is written the same either way). The frame starts at the top of the alternate screen.
 *
 * One instance per terminal: the SSH server gives each channel its own, with `sink`
 * writing to the channel (which must map LF to CRLF itself; this stream emits no LF).
 *
 * The debugger screen is composed by the app itself, row strings it already has, and
 * handed over with `drawFrame()` after `claim()`: Ink's own output stage (a grid of cell
 * objects and an ANSI re-tokenisation of every row, every frame) is then skipped, and
 * the empty frames Ink writes for the claimed screen are ignored.
 */
import { EventEmitter } from 'node:events';
import { type CellRow, type Cursor, StyleTable, blankRow, parseRow, rowDiff } from './cells.ts';

/** Longest upward move looked for, and the fewest moved rows that make a scroll worth it. */
const MAX_SHIFT = 24;
const MIN_SCROLLED_ROWS = 2;

export class FrameStdout extends EventEmitter {
  readonly isTTY = true;
  columns: number;
  rows: number;
  /** Bytes written to the sink so far (benchmarks read it). */
  bytes = 0;
  /** Frames received from Ink (benchmarks and tests read it). */
  frames = 0;
  /**
   * The terminal is `rows` tall for certain, so NEL may move the cursor down (see move() in
   * cells.ts); false where the size is a guess: an SSH client's clamped or missing size.
   */
  nextLine = true;
  private prevLines: string[] = [];
  /** The screen as last written; undefined rows are unknown (drawn in full next time). */
  private prevCells: (CellRow | undefined)[] = [];
  private styles = new StyleTable();
  private closed = false;
  private claims = 0;
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
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    // While the app draws the screen itself, Ink renders nothing: skip its empty frames.
    if (!this.closed && !(this.claims > 0 && (text === '' || text === '\n'))) this.frame(text);
    done?.();
    return true;
  }

  /** The app draws whole frames itself from now on (until `release()`). */
  claim(): void {
    this.claims++;
  }

  release(): void {
    this.claims = Math.max(0, this.claims - 1);
  }

  /** A whole frame from the app: rows top to bottom, each at most `columns` wide. */
  drawFrame(rows: readonly string[]): void {
    // Through write(), so a subclass that paces frames (the SSH server's) sees these too.
    this.write(rows.join('\n'));
  }

  private frame(text: string): void {
    this.frames++;
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    // Never draw below the screen: the last row stays free so the terminal cannot scroll.
    if (lines.length > this.rows - 1) lines.length = Math.max(0, this.rows - 1);
    if (this.styles.size > 4096) {
      // Style ids must be stable between two frames; a fresh table means a full redraw.
      this.styles = new StyleTable();
      this.prevCells = [];
      this.prevLines = [];
    }
    const w = this.columns;
    // Every frame leaves the pen at the default style (see the end of this function).
    const cur: Cursor = { x: -1, y: -1, style: 0 };
    let out = this.scroll(lines);
    const n = Math.max(lines.length, this.prevLines.length);
    const cells: (CellRow | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const line = lines[i] ?? '';
      const old = this.prevCells[i];
      if (old && line === this.prevLines[i]) {
        cells[i] = old;
        continue;
      }
      const next = parseRow(line, w, this.styles);
      cells[i] = next;
      out += rowDiff(i, old, next, this.styles, cur, this.nextLine);
    }
    this.prevLines = lines;
    this.prevCells = cells.slice(0, lines.length);
    if (!out) return;
    if (cur.style > 0) out += '\x1b[0m';
    const pre = this.wrapOff ? '' : '\x1b[?7l';
    this.wrapOff = true;
    this.emitOut(`\x1b[?2026h${pre}${out}\x1b[?2026l`);
  }

  /**
   * If a band of whole rows moved up by k (new row i = old row i+k), scroll that band in
   * the terminal and shift the remembered cells the same way; returns the bytes for it.
   */
  private scroll(lines: readonly string[]): string {
    const prev = this.prevLines;
    const n = Math.min(lines.length, prev.length);
    let best: { top: number; bottom: number; k: number; gain: number } | undefined;
    for (let k = 1; k <= Math.min(MAX_SHIFT, n - 1); k++) {
      let i = 0;
      while (i + k < n) {
        if (lines[i] !== prev[i + k] || !this.prevCells[i + k]) {
          i++;
          continue;
        }
        const top = i;
        let gain = 0;
        while (i + k < n && lines[i] === prev[i + k] && this.prevCells[i + k]) {
          if (lines[i] !== prev[i] && lines[i].trim() !== '') gain++;
          i++;
        }
        if (gain >= MIN_SCROLLED_ROWS && (!best || gain > best.gain)) best = { top, bottom: i - 1 + k, k, gain };
      }
    }
    if (!best) return '';
    const { top, bottom, k } = best;
    const cells = this.prevCells;
    const shifted = [...prev];
    for (let i = top; i <= bottom; i++) {
      cells[i] = i + k <= bottom ? cells[i + k] : blankRow(this.columns);
      shifted[i] = i + k <= bottom ? prev[i + k] : '';
    }
    this.prevLines = shifted;
    // Reset the pen first: SU fills the new rows with the current background.
    return `\x1b[0m\x1b[${top + 1};${bottom + 1}r\x1b[${k}S\x1b[r`;
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
    this.prevLines = [];
    this.prevCells = [];
    this.wrapOff = false;
    this.emitOut('\x1b[2J');
  }

  /** Redraw everything on the next frame (after something else wrote to the screen). */
  invalidate(): void {
    this.prevLines = [];
    this.prevCells = [];
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
