/**
 * The debugger screen as rows: the status row, the panel area (columns of slots side by
 * side, the console across the bottom) or an overlay, and the hint row. Each slot's rows
 * are exactly its width, so a screen row is their concatenation.
 */
import type { Layout, Slot } from './layout.ts';

export function composeFrame(l: Layout, status: string, slot: (s: Slot) => readonly string[], overlay: readonly string[] | undefined, hint: string): string[] {
  const body = l.height - 2;
  const blank = ' '.repeat(l.width);
  const out: string[] = [status];
  if (overlay) {
    for (let y = 0; y < body; y++) out.push(overlay[y] ?? blank);
  } else {
    const consoleH = l.console?.height ?? 0;
    const area = body - consoleH;
    // Each column's slots, stacked, then padded to the area's height.
    const cols = l.columns.map((c) => {
      const rows: string[] = [];
      for (const s of c.slots) {
        const lines = slot(s);
        const pad = ' '.repeat(s.width);
        for (let y = 0; y < s.height; y++) rows.push(lines[y] ?? pad);
      }
      return { width: c.width, inner: c.slots[0]?.width ?? c.width, rows };
    });
    for (let y = 0; y < area; y++) {
      let row = '';
      cols.forEach((c, i) => {
        // Side columns start one column in (the gap between timeline and panels).
        const gap = i > 0 ? ' '.repeat(Math.max(0, c.width - c.inner)) : '';
        row += gap + (c.rows[y] ?? ' '.repeat(c.inner));
      });
      out.push(row);
    }
    if (l.console) {
      const lines = slot(l.console);
      for (let y = 0; y < consoleH; y++) out.push(lines[y] ?? ' '.repeat(l.console.width));
    }
  }
  out.push(hint);
  return out;
}
