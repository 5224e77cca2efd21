/**
 * The frame writer: whatever sequence of frames Ink hands it, the terminal ends up showing
 * exactly the last frame (characters and styles), while only changed cells are sent.
 * Checked against @xterm/headless, a real terminal emulator.
 */
import { describe, expect, it } from 'vitest';
import x from '@xterm/headless';
import { FrameStdout } from '../../../src/tui/term/frame-stdout.ts';
import { ENTER_SCREEN } from '../../../src/tui/start.tsx';

const { Terminal } = x;

function rig(cols: number, rows: number) {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  term.write(ENTER_SCREEN);
  let raw = '';
  const fs = new FrameStdout((s) => {
    raw += s;
    term.write(s);
  }, cols, rows);
  const flush = () => new Promise<void>((r) => term.write('', () => r()));
  /** Each screen row as [text, per-cell style signature]. */
  const screen = async () => {
    await flush();
    const b = term.buffer.active;
    const out: { text: string; styles: string[] }[] = [];
    const cell = b.getNullCell();
    for (let y = 0; y < rows; y++) {
      const line = b.getLine(b.baseY + y)!;
      let text = '';
      const styles: string[] = [];
      for (let c = 0; c < cols; c++) {
        line.getCell(c, cell);
        const ch = cell.getChars() || ' ';
        text += ch;
        styles.push(seen(ch, `${cell.isFgDefault() ? '-' : cell.getFgColor()}${cell.isBold() ? 'b' : ''}${cell.isInverse() ? 'i' : ''}${cell.isUnderline() ? 'u' : ''}${cell.isDim() ? 'd' : ''}${cell.isBgDefault() ? '' : `B${cell.getBgColor()}`}`));
      }
      out.push({ text, styles });
    }
    return out;
  };
  return { term, fs, screen, raw: () => raw, send: (frame: string[]) => fs.write(frame.join('\n') + '\n') };
}

/**
 * The style a user sees on a cell: on a space, foreground colour, bold and dim show nothing,
 * so such a space counts as default; inverse, underline and a background show.
 */
function seen(ch: string, style: string): string {
  return ch === ' ' && !/[iuB]/.test(style) ? '-' : style;
}

/** What a styled line should look like: its text padded to `cols`, and per-cell styles. */
function expected(line: string, cols: number): { text: string; styles: string[] } {
  let text = '';
  const styles: string[] = [];
  let fg = '-', b = '', i = '', u = '', d = '', bg = '';
  for (let k = 0; k < line.length; ) {
    if (line[k] === '\x1b') {
      const end = line.indexOf('m', k);
      for (const p of line.slice(k + 2, end).split(';').map(Number)) {
        if (p === 0) [fg, b, i, u, d, bg] = ['-', '', '', '', '', ''];
        else if (p === 1) b = 'b';
        else if (p === 2) d = 'd';
        else if (p === 4) u = 'u';
        else if (p === 7) i = 'i';
        else if (p === 22) [b, d] = ['', ''];
        else if (p === 27) i = '';
        else if (p === 39) fg = '-';
        else if (p >= 30 && p <= 37) fg = String(p - 30);
        else if (p >= 90 && p <= 97) fg = String(p - 90 + 8);
        else if (p >= 40 && p <= 47) bg = `B${p - 40}`;
      }
      k = end + 1;
      continue;
    }
    if (text.length < cols) {
      text += line[k];
      styles.push(seen(line[k], `${fg}${b}${i}${u}${d}${bg}`));
    }
    k++;
  }
  while (text.length < cols) {
    text += ' ';
    styles.push('-');
  }
  return { text, styles };
}

/** A tiny seeded PRNG (mulberry32), so failures reproduce. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SGRS = ['', '\x1b[1m', '\x1b[7m', '\x1b[36m', '\x1b[31m', '\x1b[1;33m', '\x1b[90m', '\x1b[4m', '\x1b[2m', '\x1b[1;2;36m', '\x1b[44m', '\x1b[1;31;42m'];

/** A line as styled segments, so a test can edit part of it in place. */
type Segments = { style: string; chars: string }[];

function randomSegments(r: () => number, cols: number): Segments {
  const len = Math.floor(r() * (cols + 1));
  const segs: Segments = [];
  let n = 0;
  while (n < len) {
    const seg = Math.min(len - n, 1 + Math.floor(r() * 24));
    const style = SGRS[Math.floor(r() * SGRS.length)];
    // Now and then a run of blanks, which the writer may erase (ECH) rather than send.
    const chars = r() < 0.25 ? ' '.repeat(seg) : Array.from({ length: seg }, () => 'abc xyz0123456789─│…·'[Math.floor(r() * 21)]).join('');
    segs.push({ style, chars });
    n += seg;
  }
  return segs;
}

const joined = (segs: Segments) => segs.map(({ style, chars }) => (style ? `${style}${chars}\x1b[0m` : chars)).join('');

/** One segment of a line blanked or restyled, the cells around it unchanged. */
function editSegment(r: () => number, segs: Segments): Segments {
  if (!segs.length) return segs;
  const i = Math.floor(r() * segs.length);
  const out = segs.map((s) => ({ ...s }));
  if (r() < 0.5) out[i].chars = ' '.repeat(out[i].chars.length);
  else out[i].style = SGRS[Math.floor(r() * SGRS.length)];
  return out;
}

describe('FrameStdout', () => {
  it('keeps the last column of a full-width row (no erase after it)', async () => {
    const t = rig(20, 4);
    t.send(['a'.repeat(19) + 'Z', 'short']);
    t.send(['b'.repeat(19) + 'Y', 'short']);
    const s = await t.screen();
    expect(s[0].text).toBe('b'.repeat(19) + 'Y');
    // xterm.js parks the cursor past the last column, so it would keep the cell anyway;
    // xterm and tmux leave it on the cell and an erase there wipes it (a value cut
    // silently): no erase may follow a write to the last column.
    expect(t.raw()).not.toMatch(/[ZY](\x1b\[[\d;]*m)*\x1b\[K/);
    expect(s[1].text.trimEnd()).toBe('short');
  });

  it('sends only the changed cells of a row', async () => {
    const t = rig(80, 5);
    const row = (ev: number) => ` mt8183-bus-sel  seed 1  v5.4  event ${ev}  t 1008ns`.padEnd(60) + ' stopped: step';
    t.send([row(12), 'x'.repeat(80)]);
    const before = t.raw().length;
    t.send([row(13), 'x'.repeat(80)]);
    expect(t.raw().length - before).toBeLessThan(40);
    expect((await t.screen())[0].text).toBe(row(13).padEnd(80));
  });

  it('erases a blanked stretch inside a row (ECH) instead of sending its spaces', async () => {
    const t = rig(100, 4);
    const left = 'left panel: larb1 port 3'.padEnd(40);
    t.send([left + 'x'.repeat(50) + '| right', 'second']);
    const before = t.raw().length;
    t.send([left + ' '.repeat(50) + '| right', 'second']);
    const sent = t.raw().slice(before);
    expect(sent).toMatch(/\x1b\[50X/);
    expect(sent.length).toBeLessThan(30);
    expect((await t.screen())[0].text).toBe((left + ' '.repeat(50) + '| right').padEnd(100));
  });

  it('does not resend spaces whose only change is an invisible foreground colour', async () => {
    const t = rig(60, 4);
    // A timeline row: the kind column padded with spaces in the kind's colour.
    const row = (colour: number) => `  42  1003ns \x1b[${colour}mdma          \x1b[0mdev=disp0`;
    t.send([row(36), 'x']);
    const before = t.raw().length;
    t.send([row(35), 'x']);
    const sent = t.raw().slice(before);
    // Only the three letters change colour: the ten spaces after them are not sent again.
    expect(sent).not.toMatch(/ {10}/);
    // Synchronized-output brackets (16 bytes), a move, a colour and the letters.
    expect(sent.length).toBeLessThan(40);
    const s = await t.screen();
    expect(s[0].text.trimEnd()).toBe('  42  1003ns dma          dev=disp0');
    expect(s[0].styles.slice(13, 16)).toEqual(['5', '5', '5']);
  });

  it('moves to the next row with NEL only when the terminal is known to be its size', async () => {
    const frame = ['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)];
    const change = frame.map((l, i) => String(i).repeat(20) + l.slice(20));
    for (const nextLine of [true, false]) {
      const t = rig(40, 6);
      t.fs.nextLine = nextLine;
      t.send(frame);
      const before = t.raw().length;
      t.send(change);
      const sent = t.raw().slice(before);
      // NEL (ESC E) scrolls at the bottom margin: a client whose size was clamped may be
      // smaller than the frame, and its screen must not scroll.
      expect(sent.includes('\x1bE')).toBe(nextLine);
      expect((await t.screen()).slice(0, 3).map((r) => r.text.trimEnd())).toEqual(change);
    }
  });

  it('scrolls a band of full-width rows that moved up instead of resending them', async () => {
    const t = rig(60, 12);
    const top = ['status line', 'timeline a', 'timeline b'];
    const log = Array.from({ length: 20 }, (_, i) => `console line ${i} `.padEnd(60, '.'));
    t.send([...top, ...log.slice(0, 8)]);
    const before = t.raw();
    t.send([...top, ...log.slice(3, 11)]);
    const sent = t.raw().slice(before.length);
    expect(sent).toMatch(/\x1b\[4;11r\x1b\[3S\x1b\[r/);
    // Only the three new lines are written out.
    expect(sent.length).toBeLessThan(3 * 60 + 80);
    const s = await t.screen();
    expect(s.slice(0, 11).map((r) => r.text.trimEnd())).toEqual([...top, ...log.slice(3, 11)].map((l) => l.trimEnd()));
  });

  it('shows exactly the last frame, characters and styles, for random frame sequences', async () => {
    for (let seed = 1; seed <= 24; seed++) {
      const r = prng(seed);
      const cols = 10 + Math.floor(r() * 70);
      const rows = 4 + Math.floor(r() * 14);
      const t = rig(cols, rows);
      // Each row as segments, so a row can also be edited in place.
      let segs = Array.from({ length: rows - 1 }, () => randomSegments(r, cols));
      for (let f = 0; f < 25; f++) {
        const op = r();
        if (op < 0.2) {
          // Parts of rows blanked or restyled in place: runs of changes between unchanged cells.
          for (let n = Math.floor(r() * 4); n >= 0; n--) {
            const y = Math.floor(r() * segs.length);
            segs[y] = editSegment(r, segs[y] ?? []);
          }
        } else if (op < 0.4) {
          // A band scrolls up by k, with new lines at its bottom.
          const a = Math.floor(r() * (rows - 2));
          const b = a + Math.floor(r() * (rows - 1 - a));
          const k = 1 + Math.floor(r() * 3);
          for (let i = a; i <= b; i++) segs[i] = i + k <= b ? (segs[i + k] ?? []) : randomSegments(r, cols);
        } else if (op < 0.8) {
          for (let n = Math.floor(r() * 4); n >= 0; n--) segs[Math.floor(r() * segs.length)] = randomSegments(r, cols);
        } else if (op < 0.9) {
          segs = segs.slice(0, Math.max(1, Math.floor(r() * segs.length)));
        } else {
          segs = Array.from({ length: rows - 1 }, () => randomSegments(r, cols));
        }
        const frame = Array.from(segs, (x) => joined(x ?? []));
        t.send(frame);
        const s = await t.screen();
        for (let y = 0; y < rows - 1; y++) {
          const e = expected(frame[y] ?? '', cols);
          expect(s[y].text, `seed ${seed} frame ${f} row ${y}`).toBe(e.text);
          expect(s[y].styles, `seed ${seed} frame ${f} row ${y} styles`).toEqual(e.styles);
        }
      }
    }
  });
});
