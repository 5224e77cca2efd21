/**
 * Screen rows as cells (a character and a style each), parsed from the SGR-styled lines
 * Ink writes, and the bytes that turn one row into another: only the cells that changed,
 * with cursor moves and style switches between them.
 */

/** A row of cells: `ch[x]` the character, `st[x]` an interned style id (0 = default). */
export interface CellRow {
  readonly ch: string[];
  readonly st: Uint16Array;
}

/** SGR state while parsing: foreground, background, attribute bits. */
interface Pen {
  fg: string;
  bg: string;
  attrs: number;
}

const BOLD = 1, DIM = 2, ITALIC = 4, UNDERLINE = 8, BLINK = 16, INVERSE = 32, HIDDEN = 64, STRIKE = 128;
const ATTR_ON: Record<number, number> = { 1: BOLD, 2: DIM, 3: ITALIC, 4: UNDERLINE, 5: BLINK, 7: INVERSE, 8: HIDDEN, 9: STRIKE };
const ATTR_OFF: Record<number, number> = { 22: BOLD | DIM, 23: ITALIC, 24: UNDERLINE, 25: BLINK, 27: INVERSE, 28: HIDDEN, 29: STRIKE };
const ATTR_CODES: [number, number][] = [[BOLD, 1], [DIM, 2], [ITALIC, 3], [UNDERLINE, 4], [BLINK, 5], [INVERSE, 7], [HIDDEN, 8], [STRIKE, 9]];
/** Attributes a space shows (with a background colour, which is checked apart). */
const VISIBLE_ON_SPACE = UNDERLINE | INVERSE | STRIKE;
/** The codes that switch one attribute off (bold and dim share 22, handled apart). */
const ATTR_OFF_CODES: [number, number][] = [[ITALIC, 23], [UNDERLINE, 24], [BLINK, 25], [INVERSE, 27], [HIDDEN, 28], [STRIKE, 29]];

/** Interns style keys so rows compare by small numbers; id 0 is the default style. */
export class StyleTable {
  private readonly ids = new Map<string, number>([['||0', 0]]);
  private readonly sgrs: string[] = ['\x1b[0m'];
  private readonly pens: Pen[] = [{ fg: '', bg: '', attrs: 0 }];
  /** change(from, to), by from * 65536 + to. */
  private readonly changes = new Map<number, string>();

  id(p: Pen): number {
    const key = `${p.fg}|${p.bg}|${p.attrs}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      // A frame uses a few dozen styles; if something ever produced thousands, start over
      // (ids only need to be stable between two frames of the same writer).
      if (this.sgrs.length >= 0xffff) throw new Error('style table full');
      id = this.sgrs.length;
      this.ids.set(key, id);
      this.pens.push({ ...p });
      const codes = ['0'];
      for (const [bit, code] of ATTR_CODES) if (p.attrs & bit) codes.push(String(code));
      if (p.fg) codes.push(p.fg);
      if (p.bg) codes.push(p.bg);
      this.sgrs.push(`\x1b[${codes.join(';')}m`);
    }
    return id;
  }

  /** The SGR sequence that sets style `id` from any state. */
  sgr(id: number): string {
    return this.sgrs[id];
  }

  /** The shortest SGR sequence from style `from` (-1: unknown) to `to`. */
  change(from: number, to: number): string {
    if (to === 0) return '\x1b[m';
    if (from < 0) return this.sgrs[to];
    const key = from * 0x10000 + to;
    let s = this.changes.get(key);
    if (s === undefined) {
      const step = this.step(this.pens[from], this.pens[to]);
      s = step.length < this.sgrs[to].length ? step : this.sgrs[to];
      this.changes.set(key, s);
    }
    return s;
  }

  /**
   * From pen `a` to pen `b` without a reset: switch off what `b` lacks (22 clears bold and
   * dim together, so whichever of them `b` keeps is set again), switch on what it adds, and
   * set the colours that differ (39 / 49: back to the default).
   */
  private step(a: Pen, b: Pen): string {
    const codes: (string | number)[] = [];
    const off = a.attrs & ~b.attrs;
    let on = b.attrs & ~a.attrs;
    if (off & (BOLD | DIM)) {
      codes.push(22);
      on |= b.attrs & (BOLD | DIM);
    }
    for (const [bit, code] of ATTR_OFF_CODES) if (off & bit) codes.push(code);
    for (const [bit, code] of ATTR_CODES) if (on & bit) codes.push(code);
    if (a.fg !== b.fg) codes.push(b.fg || 39);
    if (a.bg !== b.bg) codes.push(b.bg || 49);
    return `\x1b[${codes.join(';')}m`;
  }

  /** Whether a space (or an erased cell) drawn with style `id` looks like the default: no background, no lines. */
  blankSafe(id: number): boolean {
    if (id < 0) return false;
    const p = this.pens[id];
    return !p.bg && !(p.attrs & VISIBLE_ON_SPACE);
  }

  get size(): number {
    return this.sgrs.length;
  }
}

function applySgr(p: Pen, params: string): void {
  const ps = params === '' ? [0] : params.split(';').map((x) => (x === '' ? 0 : Number(x)));
  for (let i = 0; i < ps.length; i++) {
    const n = ps[i];
    if (n === 0) {
      p.fg = '';
      p.bg = '';
      p.attrs = 0;
    } else if (ATTR_ON[n]) p.attrs |= ATTR_ON[n];
    else if (ATTR_OFF[n]) p.attrs &= ~ATTR_OFF[n];
    else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) p.fg = String(n);
    else if (n === 39) p.fg = '';
    else if ((n >= 40 && n <= 47) || (n >= 100 && n <= 107)) p.bg = String(n);
    else if (n === 49) p.bg = '';
    else if (n === 38 || n === 48) {
      // 38;5;N or 38;2;R;G;B
      const len = ps[i + 1] === 5 ? 2 : ps[i + 1] === 2 ? 4 : 0;
      const code = ps.slice(i, i + 1 + len).join(';');
      if (n === 38) p.fg = code;
      else p.bg = code;
      i += len;
    }
  }
}

/** Parse one styled line into `width` cells (blank default cells past its end). */
export function parseRow(line: string, width: number, styles: StyleTable): CellRow {
  const ch: string[] = new Array<string>(width).fill(' ');
  const st = new Uint16Array(width);
  const pen: Pen = { fg: '', bg: '', attrs: 0 };
  let cur = 0;
  let x = 0;
  for (let i = 0; i < line.length && x < width; ) {
    const c = line.charCodeAt(i);
    if (c === 0x1b) {
      // CSI ... final; SGR when the final byte is 'm'. Other escapes are skipped.
      if (line[i + 1] === '[') {
        let j = i + 2;
        while (j < line.length && (line.charCodeAt(j) < 0x40 || line.charCodeAt(j) > 0x7e)) j++;
        if (line[j] === 'm') {
          applySgr(pen, line.slice(i + 2, j));
          cur = styles.id(pen);
        }
        i = j + 1;
      } else if (line[i + 1] === ']') {
        // OSC ... BEL or ST
        let j = i + 2;
        while (j < line.length && line.charCodeAt(j) !== 7 && !(line[j] === '\x1b' && line[j + 1] === '\\')) j++;
        i = line.charCodeAt(j) === 7 ? j + 1 : j + 2;
      } else i += 2;
      continue;
    }
    // One cell per code point (surrogate pairs stay together).
    const n = c >= 0xd800 && c <= 0xdbff && i + 1 < line.length ? 2 : 1;
    ch[x] = line.slice(i, i + n);
    // A space shows only its background and lines: without them its style is invisible,
    // so it is kept as the default (a recoloured space is no change; a blank run can be erased).
    st[x] = c === 0x20 && !pen.bg && !(pen.attrs & VISIBLE_ON_SPACE) ? 0 : cur;
    x++;
    i += n;
  }
  return { ch, st };
}

export function blankRow(width: number): CellRow {
  return { ch: new Array<string>(width).fill(' '), st: new Uint16Array(width) };
}

/** Index after the last cell that is not a default-styled space. */
function contentEnd(r: CellRow): number {
  let e = r.ch.length;
  while (e > 0 && r.ch[e - 1] === ' ' && r.st[e - 1] === 0) e--;
  return e;
}

/** Where the terminal's cursor and pen are, as far as the writer knows (-1: unknown). */
export interface Cursor {
  x: number;
  y: number;
  style: number;
}

/**
 * The shortest way to put the cursor at (x, y): an absolute move, or relative ones (CR,
 * down, right) from where it is when that is known. With `nextLine`, also NEL (ESC E: the
 * start of the next row), which scrolls from the bottom margin: no frame reaches the last
 * row of a screen of the size the writer was given, but a terminal smaller than that would
 * scroll, so it is only for a size known to be the terminal's. LF is never used (it means
 * CR LF only through ONLCR).
 */
export function move(cur: Cursor, x: number, y: number, nextLine = false): string {
  if (cur.y === y && cur.x === x) return '';
  const abs = `\x1b[${y + 1};${x + 1}H`;
  if (cur.y < 0 || y < cur.y) return abs;
  const right = (n: number) => (n === 0 ? '' : n === 1 ? '\x1b[C' : `\x1b[${n}C`);
  const down = y === cur.y ? '' : y === cur.y + 1 ? '\x1b[B' : `\x1b[${y - cur.y}B`;
  // Down keeps the column: continue from it when known and not past x, else from column 0.
  let rel = cur.x >= 0 && cur.x <= x ? down + right(x - cur.x) : down + '\r' + right(x);
  if (nextLine && y === cur.y + 1 && 2 + right(x).length < rel.length) rel = '\x1bE' + right(x);
  return rel.length < abs.length ? rel : abs;
}

/** Unchanged cells between two changes that are rewritten rather than skipped with a move. */
const GAP = 4;
/** The fewest blank cells worth an erase (ECH) rather than spaces. */
const MIN_ERASE = 5;

/**
 * The bytes that turn row `y` from `prev` (undefined: unknown, draw it all) into `next`.
 * Never writes an erase after a cell in the last column (the cursor stays on it there
 * with auto-wrap off, and EL would erase it).
 */
export function rowDiff(y: number, prev: CellRow | undefined, next: CellRow, styles: StyleTable, cur: Cursor, nextLine = false): string {
  const w = next.ch.length;
  const newEnd = contentEnd(next);
  const oldEnd = prev ? contentEnd(prev) : w;
  let out = '';
  const moveTo = (x: number) => {
    out += move(cur, x, y, nextLine);
    cur.y = y;
    cur.x = x;
  };
  const put = (x: number) => {
    const s = next.st[x];
    // A default space can be drawn with any pen that leaves it blank.
    if (s !== cur.style && !(s === 0 && next.ch[x] === ' ' && styles.blankSafe(cur.style))) {
      out += styles.change(cur.style, s);
      cur.style = s;
    }
    out += next.ch[x];
    // With auto-wrap off the cursor stays on the last column.
    cur.x = x + 1 >= w ? -1 : x + 1;
  };
  const blank = (x: number) => next.ch[x] === ' ' && next.st[x] === 0;
  const differs = (x: number) => !prev || prev.ch[x] !== next.ch[x] || prev.st[x] !== next.st[x];
  let x = 0;
  while (x < newEnd) {
    if (!differs(x)) {
      x++;
      continue;
    }
    // A run of changes, absorbing short unchanged gaps, and blank gaps of any length that
    // join blanks (one erase covers them all).
    let end = x + 1;
    let blankGap = true;
    for (let k = end; k < newEnd; k++) {
      if (differs(k)) {
        if (k - end > GAP && !(blankGap && (blank(end - 1) || blank(k)))) break;
        end = k + 1;
        blankGap = true;
      } else if (!blank(k)) {
        blankGap = false;
        if (k - end >= GAP) break;
      }
    }
    moveTo(x);
    for (let k = x; k < end; ) {
      // Blank default cells: erased with ECH (the cursor stays) when that is shorter than
      // writing them, then a move past them if the run goes on.
      let j = k;
      while (j < end && blank(j)) j++;
      if (j - k >= MIN_ERASE) {
        const erase = `\x1b[${j - k}X`;
        const skip = j === end ? '' : `\x1b[${j - k}C`;
        if (erase.length + skip.length < j - k) {
          if (!styles.blankSafe(cur.style)) {
            out += '\x1b[m';
            cur.style = 0;
          }
          out += erase + skip;
          cur.x = j === end ? k : j;
          k = j;
          continue;
        }
      }
      // The blanks (if any) as spaces, and the cell after them.
      for (const stop = Math.min(end, j + 1); k < stop; k++) put(k);
    }
    x = end;
  }
  if (oldEnd > newEnd && newEnd < w) {
    moveTo(newEnd);
    if (!styles.blankSafe(cur.style)) {
      out += '\x1b[m';
      cur.style = 0;
    }
    out += '\x1b[K';
  }
  return out;
}
