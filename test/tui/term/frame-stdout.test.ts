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
        text += cell.getChars() || ' ';
        styles.push(`${cell.isFgDefault() ? '-' : cell.getFgColor()}${cell.isBold() ? 'b' : ''}${cell.isInverse() ? 'i' : ''}${cell.isUnderline() ? 'u' : ''}${cell.isDim() ? 'd' : ''}`);
      }
      out.push({ text, styles });
    }
    return out;
  };
  return { term, fs, screen, raw: () => raw, send: (frame: string[]) => fs.write(frame.join('\n') + '\n') };
}

/** What a styled line should look like: its text padded to `cols`, and per-cell styles. */
function expected(line: string, cols: number): { text: string; styles: string[] } {
  let text = '';
  const styles: string[] = [];
  let fg = '-', b = '', i = '', u = '', d = '';
  for (let k = 0; k < line.length; ) {
    if (line[k] === '\x1b') {
      const end = line.indexOf('m', k);
      for (const p of line.slice(k + 2, end).split(';').map(Number)) {
        if (p === 0) [fg, b, i, u, d] = ['-', '', '', '', ''];
        else if (p === 1) b = 'b';
        else if (p === 2) d = 'd';
        else if (p === 4) u = 'u';
        else if (p === 7) i = 'i';
        else if (p === 22) [b, d] = ['', ''];
        else if (p === 27) i = '';
        else if (p === 39) fg = '-';
        else if (p >= 30 && p <= 37) fg = String(p - 30);
        else if (p >= 90 && p <= 97) fg = String(p - 90 + 8);
      }
      k = end + 1;
      continue;
    }
    if (text.length < cols) {
      text += line[k];
      styles.push(`${fg}${b}${i}${u}${d}`);
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

const SGRS = ['', '\x1b[1m', '\x1b[7m', '\x1b[36m', '\x1b[31m', '\x1b[1;33m', '\x1b[90m', '\x1b[4m', '\x1b[2m'];

function randomLine(r: () => number, cols: number): string {
  const len = Math.floor(r() * (cols + 1));
  let s = '';
  let n = 0;
  while (n < len) {
    const seg = Math.min(len - n, 1 + Math.floor(r() * 12));
    const style = SGRS[Math.floor(r() * SGRS.length)];
    const chars = Array.from({ length: seg }, () => 'abc xyz0123456789─│…·'[Math.floor(r() * 21)]).join('');
    s += style ? `${style}${chars}\x1b[0m` : chars;
    n += seg;
  }
  return s;
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
    for (let seed = 1; seed <= 12; seed++) {
      const r = prng(seed);
      const cols = 10 + Math.floor(r() * 70);
      const rows = 4 + Math.floor(r() * 14);
      const t = rig(cols, rows);
      let frame = Array.from({ length: rows - 1 }, () => randomLine(r, cols));
      for (let f = 0; f < 25; f++) {
        const op = r();
        if (op < 0.3) {
          // A band scrolls up by k, with new lines at its bottom.
          const a = Math.floor(r() * (rows - 2));
          const b = a + Math.floor(r() * (rows - 1 - a));
          const k = 1 + Math.floor(r() * 3);
          for (let i = a; i <= b; i++) frame[i] = i + k <= b ? frame[i + k] : randomLine(r, cols);
        } else if (op < 0.8) {
          for (let n = Math.floor(r() * 4); n >= 0; n--) frame[Math.floor(r() * frame.length)] = randomLine(r, cols);
        } else if (op < 0.9) {
          frame = frame.slice(0, Math.max(1, Math.floor(r() * frame.length)));
        } else {
          frame = Array.from({ length: rows - 1 }, () => randomLine(r, cols));
        }
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
