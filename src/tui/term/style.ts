/**
 * Pre-styled rows: panels build each screen row as one string of exactly `width` columns
 * with its SGR codes inline, instead of a tree of <Text> nodes. Ink then only copies the
 * row into its frame (see components/rows.tsx), and strings that change on every step
 * never reach Ink's text caches. 16 base colours only (every terminal has them).
 */
export type Color = 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray';

export interface Style {
  readonly fg?: Color;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
}

const FG: Record<Color, number> = { black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90 };

/** The SGR sequence that sets exactly `s` (from the default style); '' for no style. */
export function sgr(s: Style | undefined): string {
  if (!s) return '';
  const p: number[] = [];
  if (s.bold) p.push(1);
  if (s.dim) p.push(2);
  if (s.underline) p.push(4);
  if (s.inverse) p.push(7);
  if (s.fg) p.push(FG[s.fg]);
  return p.length ? `\x1b[${p.join(';')}m` : '';
}

export const RESET = '\x1b[0m';

/** Columns a string takes: one per code point (the UI draws no wide characters). */
export function width(s: string): number {
  // Fast path: no surrogate pairs.
  return /[\uD800-\uDBFF]/.test(s) ? Array.from(s).length : s.length;
}

/** The first `n` columns of `s`. */
export function head(s: string, n: number): string {
  if (n <= 0) return '';
  if (!/[\uD800-\uDBFF]/.test(s)) return s.slice(0, n);
  return Array.from(s).slice(0, n).join('');
}

/** `s` from column `n` on. */
export function tail(s: string, n: number): string {
  if (n <= 0) return s;
  if (!/[\uD800-\uDBFF]/.test(s)) return s.slice(n);
  return Array.from(s).slice(n).join('');
}

export const ELLIPSIS = '…';

/**
 * One screen row: append styled text, then `toString()` pads it to exactly `width`
 * columns. Text past the width is dropped; `cut()` says whether anything was, so the
 * caller can mark it (a `…` only where the whole value is one key away).
 */
export class Line {
  private out = '';
  private used = 0;
  private dropped = false;

  /** `base` is merged into every segment (a selection bar: inverse, or underline). */
  constructor(
    readonly width: number,
    private readonly base?: Style,
  ) {}

  private st(style?: Style): Style | undefined {
    return this.base ? { ...style, ...this.base } : style;
  }

  /** Columns still free. */
  get room(): number {
    return Math.max(0, this.width - this.used);
  }

  /** Whether text was dropped at the right edge. */
  cut(): boolean {
    return this.dropped;
  }

  add(text: string, style?: Style): this {
    if (!text) return this;
    let t = text;
    const w = width(t);
    if (w > this.room) {
      t = head(t, this.room);
      this.dropped = true;
    }
    if (!t) return this;
    const open = sgr(this.st(style));
    this.out += open ? `${open}${t}${RESET}` : t;
    this.used += width(t);
    return this;
  }

  /**
   * Append `text`, keeping the last column for `…` when it does not fit (for a field cut
   * at the panel edge).
   */
  addFit(text: string, style?: Style, more?: Style): this {
    const w = width(text);
    if (w <= this.room) return this.add(text, style);
    const keep = Math.max(0, this.room - 1);
    this.add(head(text, keep), style);
    this.add(ELLIPSIS, more ?? style);
    this.dropped = true;
    return this;
  }

  /** Pad with spaces (in `style`, e.g. an inverse selection bar) to the full width. */
  fill(style?: Style): this {
    if (this.room > 0) {
      const pad = ' '.repeat(this.room);
      const open = sgr(this.st(style));
      this.out += open ? `${open}${pad}${RESET}` : pad;
      this.used = this.width;
    }
    return this;
  }

  toString(): string {
    return this.room > 0 ? this.fill().out : this.out;
  }
}

/** A whole row in one style, cut (with `…`) or padded to `w`. */
export function plainRow(text: string, w: number, style?: Style): string {
  return new Line(w).addFit(text, style).fill(style).toString();
}

/** `n` rows of `w` spaces. */
export function blankRows(w: number, n: number): string[] {
  const b = ' '.repeat(Math.max(0, w));
  return Array.from({ length: Math.max(0, n) }, () => b);
}
