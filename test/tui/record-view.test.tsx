/**
 * No value is ever cut silently (issue 12): the selected record is shown in full under
 * the timeline, wrapped without losing a character, and Enter opens it field by field.
 * Property tests read the screen of the real renderer (Ink + the frame writer + a
 * terminal emulator) for random records at random sizes from 30x8 to 200x60.
 */
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { DmadbgApp } from '../../src/tui/app.tsx';
import type { SessionPort, TraceRecord, TuiView } from '../../src/tui/session-port.ts';
import { recordEntries, recordText } from '../../src/tui/panels/timeline/rows.ts';
import { wrapKeep, wrapShown } from '../../src/tui/term/wrap.ts';
import { fieldNote } from '../../src/debugger/views/record.ts';
import { demoPort } from './fixtures.ts';
import { KEY, mount, type VTerm } from './vterm.tsx';

let vt: VTerm | undefined;
afterEach(() => vt?.unmount());

/** mulberry32: a seeded PRNG, so a failing case reproduces. */
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

const KINDS = ['dma', 'map', 'unmap', 'fault', 'pte', 'tlb-inval', 'swiotlb-map', 'notifier', 'reg'];
const NAMES = ['dev', 'iova', 'pa', 'size', 'len', 'dir', 'result', 'api', 'domain', 'st1', 'old', 'new', 'subscriber', 'reason'];

function randomRecord(r: () => number, seq: number): TraceRecord {
  const rec: Record<string, unknown> = { seq, t: Math.floor(r() * 5e6), kind: KINDS[Math.floor(r() * KINDS.length)] };
  const n = 1 + Math.floor(r() * 12);
  for (let i = 0; i < n; i++) {
    const name = NAMES[Math.floor(r() * NAMES.length)] + (r() < 0.2 ? 'Extra' : '');
    const pick = r();
    rec[name] =
      pick < 0.35
        ? `0x${Math.floor(r() * 2 ** 34).toString(16)}`
        : pick < 0.55
          ? Math.floor(r() * 100000)
          : pick < 0.65
            ? r() < 0.5
            : // Long values (a reason, a subscriber list) wider than narrow terminals.
              Array.from({ length: 1 + Math.floor(r() * 40) }, () => 'abcdefghij_-'[Math.floor(r() * 12)]).join('');
  }
  return rec as TraceRecord;
}

/** A port over the demo session whose trace is `records`. */
function portWith(records: TraceRecord[]): SessionPort {
  const { port } = demoPort();
  const base = port.view();
  const view: TuiView = { ...base, records: records.length, lastStepFrom: records.length };
  return { ...port, view: () => view, records: (from, to) => records.slice(Math.max(0, from), Math.min(records.length, to)) };
}

describe('wrapping that keeps every character', () => {
  it('gives back the text exactly, every line within the width, breaking after spaces', () => {
    const r = prng(7);
    for (let k = 0; k < 2000; k++) {
      const text = recordText(randomRecord(r, k));
      const w = 1 + Math.floor(r() * 200);
      const lines = wrapKeep(text, w);
      expect(lines.join('')).toBe(text);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(w);
      // A line breaks after a space; without one in reach it is a full row with no space
      // (a single field=value wider than the row).
      for (let i = 0; i + 1 < lines.length; i++) {
        if (lines[i].endsWith(' ')) continue;
        expect(lines[i].length, JSON.stringify(lines)).toBe(w);
        expect(lines[i].slice(1).includes(' '), JSON.stringify(lines)).toBe(false);
      }
    }
  });

  it('cuts only the last shown line, with …, when there are more lines than rows', () => {
    const { lines, cut } = wrapShown('a'.repeat(25), 10, 2);
    expect(cut).toBe(true);
    expect(lines).toEqual(['a'.repeat(10), 'a'.repeat(9) + '…']);
    expect(wrapShown('abc def', 4, 2)).toEqual({ lines: ['abc ', 'def'], cut: false });
  });
});

describe('the selected record under the timeline, at random sizes (30x8 .. 200x60)', () => {
  it('draws the record text whole, or a prefix ending in … with Enter showing every field', async () => {
    const r = prng(12);
    let checked = 0;
    for (let k = 0; k < 20; k++) {
      const cols = 30 + Math.floor(r() * 171);
      const rows = 8 + Math.floor(r() * 53);
      const records = Array.from({ length: 1 + Math.floor(r() * 40) }, (_, i) => randomRecord(r, i));
      const port = portWith(records);
      vt?.unmount();
      vt = await mount((c, rr) => <DmadbgApp port={port} cols={c} rows={rr} color={false} onQuit={() => {}} />, cols, rows);
      const last = records[records.length - 1];
      const text = recordText(last);
      const screen = await vt.lines();
      // The detail rows start with "#SEQ t=" (the timeline may be collapsed in tiny layouts).
      const at = screen.findIndex((l) => l.startsWith(`#${last.seq} t=`));
      if (at >= 0) {
        // The timeline's width: the whole row when stacked, the left column side by side
        // (src/tui/layout.ts); the side panels' text follows it on the same screen rows.
        checked++;
        const w = cols >= 100 ? Math.max(60, Math.floor(cols * 0.55)) : cols;
        const shown = wrapKeep(text, w).length;
        const drawn: string[] = [];
        for (let y = at; y < screen.length && drawn.length < shown && !/^[▾▸] \d/.test(screen[y]); y++) {
          drawn.push(screen[y].slice(0, w).trimEnd());
          if (drawn[drawn.length - 1].endsWith('…')) break;
        }
        // Trailing blanks do not read back: a row shorter than the width ended at a space
        // (a soft break), a full row was split inside a word.
        const flat = drawn.map((l, i) => (i < drawn.length - 1 && l.length < w ? `${l} ` : l)).join('').trimEnd();
        const norm = (x: string) => x.replace(/ +/g, ' ');
        if (flat.endsWith('…')) expect(norm(text).startsWith(norm(flat.slice(0, -1)).trimEnd()), `${cols}x${rows}`).toBe(true);
        else expect(norm(flat), `${cols}x${rows} (${shown} lines)`).toBe(norm(text).trimEnd());
      }
      // The record view: every field, its whole value, whatever the size.
      await vt.press(KEY.enter);
      await vt.waitFor(new RegExp(`Record #${last.seq} `));
      let seen = '';
      for (let page = 0; page < 40; page++) {
        const ls = await vt.lines();
        seen += ls.slice(1, rows - 2).join('\n') + '\n';
        if (!/\d+-(\d+) of (\d+) lines/.test(ls[1]) || /-(\d+) of \1 lines/.test(ls[1])) break;
        await vt.press('\x1b[6~'); // page down
      }
      const joined = seen.replace(/\n {2,}/g, '\n').replace(/\n/g, '');
      for (const [name, value] of recordEntries(last)) {
        expect(seen, `${cols}x${rows}: field ${name}`).toContain(name.slice(0, Math.min(name.length, cols - 4)));
        expect(joined.replace(/\s+/g, ''), `${cols}x${rows}: ${name}=${value}`).toContain(value.replace(/\s+/g, ''));
      }
    }
    // Most sizes have room for the detail rows (the smallest collapse the timeline).
    expect(checked).toBeGreaterThanOrEqual(12);
  }, 60_000);
});

describe('the record view at the mt8183 fault', () => {
  it('lists every field with hex, decimal and meaning; h/l move, g goes there, Esc returns', async () => {
    const { port } = demoPort(undefined, 'mt8183-bus-sel');
    // The ISR's report (break fault would stop at the faulting dma access, before it).
    await port.exec('break fault-irq');
    await port.exec('continue');
    const stop = port.view().lastStop.record!;
    vt = await mount((c, r) => <DmadbgApp port={port} cols={c} rows={r} color={false} onQuit={() => {}} />, 80, 24);
    await vt.waitFor(/stopped: breakpoint 1/);
    await vt.press(KEY.enter);
    const s = await vt.waitFor(new RegExp(`Record #${stop.seq} \\(fault\\)`));
    expect(s).toMatch(/^\s+iova\s+0x7f000000\s+\(2130706432\)/m);
    // FAULT_ST1 bit 7 is mmu1's translation fault (mtk_iommu.c: F_INT_TRANSLATION_FAULT << 7).
    expect(s).toMatch(/st1\s+0x00000080\s+\(128\)\s+FAULT_ST1 as read[^]*mmu1 translation fault \(bit 7\)/);
    expect(fieldNote({ ...stop, intId: 0x380 } as typeof stop, 'intId').meaning).toContain('HW larb 7, port 0');
    await vt.press('h');
    await vt.waitFor(new RegExp(`Record #${stop.seq - 1} `));
    await vt.press('l');
    await vt.waitFor(new RegExp(`Record #${stop.seq} `));
    // Stopped at the report: the records after it are not emitted yet.
    await vt.press('l');
    await vt.waitFor(/the last record/);
    await vt.press('h', 'h');
    await vt.waitFor(new RegExp(`Record #${stop.seq - 2} `));
    await vt.press(KEY.esc);
    await vt.waitFor(/1 Timeline/);
    await vt.press(KEY.enter, 'g');
    await vt.waitFor(/stopped: goto/);
    // g went to the record: the machine right after it was emitted.
    expect(port.view().at).toBe(stop.seq - 2);
    expect(port.view().records).toBe(stop.seq - 1);
  });
});
