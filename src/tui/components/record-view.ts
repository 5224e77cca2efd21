/**
 * The record view (Enter on a timeline record): every field on its own line with its
 * value, the value in the other radix, and what it means; wrapped, never cut, so the
 * whole record is readable at any width by scrolling.
 */
import type { TraceRecord } from '../session-port.ts';
import { fieldNote, kindSummary } from '../../debugger/views/record.ts';
import { formatTime, recordEntries } from '../panels/timeline/rows.ts';
import type { Theme } from '../theme.tsx';
import { Line, type Style, plainRow } from '../term/style.ts';
import { wrapKeep } from '../term/wrap.ts';

interface Piece {
  readonly text: string;
  readonly style?: Style;
}

/** Lay `pieces` out from column `indent` on, wrapping onto lines indented the same. */
function flow(first: Piece[], pieces: Piece[], width: number, indent: number): string[] {
  // Wrap the plain text, then colour each slice by the piece it came from.
  const text = pieces.map((p) => p.text).join('');
  const room = Math.max(1, width - indent);
  const slices = wrapKeep(text, room);
  const bounds: { end: number; style?: Style }[] = [];
  let end = 0;
  for (const p of pieces) bounds.push({ end: (end += p.text.length), style: p.style });
  const out: string[] = [];
  let at = 0;
  slices.forEach((s, i) => {
    const line = new Line(width);
    if (i === 0) for (const f of first) line.add(f.text, f.style);
    else line.add(' '.repeat(indent));
    let k = 0;
    while (k < s.length) {
      const b = bounds.find((x) => x.end > at + k)!;
      const n = Math.min(s.length - k, b.end - (at + k));
      line.add(s.slice(k, k + n), b.style);
      k += n;
    }
    at += s.length;
    out.push(line.toString());
  });
  if (out.length === 0) {
    const line = new Line(width);
    for (const f of first) line.add(f.text, f.style);
    out.push(line.toString());
  }
  return out;
}

/** Every line of the record view for `r`, exactly `width` columns each. */
export function recordLines(r: TraceRecord, width: number, theme: Theme): string[] {
  const out: string[] = [];
  const summary = kindSummary(r.kind);
  out.push(...flow([], [{ text: `#${r.seq}  t=${r.t}ns${formatTime(r.t) !== `${r.t}ns` ? ` (${formatTime(r.t)})` : ''}  `, style: { bold: true } }, { text: r.kind, style: { bold: true, fg: theme.c('accent') } }], width, 2));
  if (summary) out.push(...flow([], [{ text: summary, style: { dim: true } }], width, 2));
  out.push(' '.repeat(width));
  const entries = recordEntries(r);
  const nameW = Math.min(16, Math.max(4, ...entries.map(([k]) => k.length)));
  const indent = Math.min(Math.floor(width / 3), nameW + 3);
  for (const [name, value] of entries) {
    const note = fieldNote(r, name);
    const pieces: Piece[] = [{ text: value }];
    if (note.alt) pieces.push({ text: `  (${note.alt})`, style: { fg: theme.c('muted') } });
    if (note.meaning) pieces.push({ text: `  ${note.meaning}`, style: { fg: theme.c('info') } });
    const label = `  ${name}`;
    const first: Piece[] = label.length + 1 <= indent ? [{ text: label.padEnd(indent), style: { fg: theme.c('accent') } }] : [];
    if (first.length) out.push(...flow(first, pieces, width, indent));
    else {
      // A name wider than the column: on its own line, the value under it.
      out.push(...flow([], [{ text: label.trimStart(), style: { fg: theme.c('accent') } }], width, 2));
      out.push(...flow([{ text: ' '.repeat(indent) }], pieces, width, indent));
    }
  }
  return out;
}

/** The view at scroll position `top`: a title row, then the lines that fit. */
export function recordViewRows(r: TraceRecord | undefined, width: number, height: number, top: number, theme: Theme): string[] {
  if (!r) return [plainRow(' Record: none selected (Esc goes back)', width, { inverse: true, bold: true })];
  const lines = recordLines(r, width, theme);
  const body = Math.max(0, height - 1);
  const start = Math.max(0, Math.min(top, lines.length - body));
  const more = lines.length > body ? `  ${start + 1}-${Math.min(lines.length, start + body)} of ${lines.length} lines` : '';
  return [plainRow(` Record #${r.seq} (${r.kind})${more}`, width, { inverse: true, bold: true }), ...lines.slice(start, start + body)];
}

/** Lines the record view has for `r` at this width (the controller clamps scrolling with it). */
export function recordLineCount(r: TraceRecord, width: number, theme: Theme): number {
  return recordLines(r, width, theme).length;
}
