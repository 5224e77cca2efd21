/**
 * Timeline: the trace as a virtual list. Only the rows that fit are fetched from the
 * session; a filter keeps an index of matching records, extended as the trace grows and
 * rebuilt when it shrinks (reverse execution truncates the trace). The window scrolls
 * only when the cursor leaves it (the controller keeps `top`), and the selected record is
 * shown in full under the list, wrapped without losing a character; Enter opens it field
 * by field.
 */
import { definePanel, type PanelEnv, type RowCtx, stickyStart } from '../panel.ts';
import type { SessionPort, TraceRecord, TuiView } from '../../session-port.ts';
import { ELLIPSIS, Line, type Style, plainRow } from '../../term/style.ts';
import { wrapShown } from '../../term/wrap.ts';
import { kindTone } from '../../theme.tsx';
import { type PortNamer, recordCells, recordText, searchPattern, timelineCols } from './rows.ts';
import { m4uPortName } from '../../../debugger/views/port-names.ts';
import { compileFilter } from '../../../debugger/filter.ts';
import { ParseError } from '../../../debugger/parser.ts';
import type { FilterResult } from '../../session-port.ts';

const compiled = new WeakMap<SessionPort, Map<string, FilterResult>>();

/**
 * The timeline filter `text` as a record test: the grammar of `break` (the session checks
 * names against its scenario; a port without one checks kinds and fields only).
 */
export function timelineFilter(port: SessionPort, text: string): FilterResult {
  let cache = compiled.get(port);
  if (!cache) compiled.set(port, (cache = new Map()));
  let c = cache.get(text);
  if (!c) {
    if (port.compileFilter) c = port.compileFilter(text);
    else {
      try {
        c = { test: compileFilter(text).test };
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        c = { error: e.message, column: e.column, hint: e.hint };
      }
    }
    if (cache.size > 32) cache.clear();
    cache.set(text, c);
  }
  return c;
}

export interface TimelineData {
  /** Visible rows: position in the (filtered) list and the record. */
  readonly rows: readonly { readonly pos: number; readonly rec: TraceRecord }[];
  readonly cursor: number;
  readonly total: number;
  readonly traceCount: number;
  readonly lastStepFrom: number;
  readonly filter: string | null;
  readonly search: string | null;
  /** The selected record in full, wrapped to the width (cut with `…` only when it needs more rows). */
  readonly detail: readonly string[];
  readonly detailRows: number;
  readonly width: number;
  /** Fraction of the trace the filter has scanned, while it is still scanning. */
  readonly scanning?: number;
  /** M4U port names for records with a larb and port (absent without an M4U). */
  readonly portName?: PortNamer;
}

interface FilterIndex {
  filter: string;
  scanned: number;
  hits: number[];
}
const filterCache = new WeakMap<SessionPort, FilterIndex>();
const SCAN_CHUNK = 4096;
/**
 * Records scanned per call: a filter over millions of records is built over several frames
 * (the root redraws while `filterScanning()` says so) instead of freezing the keys.
 */
const SCAN_BUDGET = 100_000;

/** How far the filter index has got, when it is still being built. */
export function filterScanning(port: SessionPort, filter: string | null, traceCount: number): number | undefined {
  if (!filter) return undefined;
  const fi = filterCache.get(port);
  if (!fi || fi.filter !== filter) return 0;
  return fi.scanned < traceCount ? fi.scanned / traceCount : undefined;
}

/** Record numbers matching `filter`, kept incrementally per session (partial while scanning). */
export function filterIndex(port: SessionPort, filter: string, traceCount: number): readonly number[] {
  let fi = filterCache.get(port);
  if (!fi || fi.filter !== filter) {
    fi = { filter, scanned: 0, hits: [] };
    filterCache.set(port, fi);
  } else if (fi.scanned > traceCount) {
    // Reverse motion truncated the trace; replay reproduces the same records, so the
    // hits below the new end stay valid.
    let n = fi.hits.length;
    while (n > 0 && fi.hits[n - 1] >= traceCount) n--;
    fi.hits.length = n;
    fi.scanned = traceCount;
  }
  const stop = fi.scanned + SCAN_BUDGET;
  const f = timelineFilter(port, filter);
  const test = 'test' in f ? f.test : () => false;
  while (fi.scanned < traceCount && fi.scanned < stop) {
    const recs = port.records(fi.scanned, Math.min(traceCount, fi.scanned + SCAN_CHUNK));
    for (const r of recs) if (test(r)) fi.hits.push(r.seq);
    fi.scanned += recs.length;
    if (recs.length === 0) break;
  }
  return fi.hits;
}

/** Length of the list the cursor moves in (all records, or the filtered ones). */
export function timelineLength(port: SessionPort, view: TuiView, filter: string | null): number {
  return filter ? filterIndex(port, filter, view.records).length : view.records;
}

/** Record number at list position `pos`. */
export function timelineRecordAt(port: SessionPort, view: TuiView, filter: string | null, pos: number): number {
  return filter ? (filterIndex(port, filter, view.records)[pos] ?? -1) : pos;
}

/**
 * Body rows split into the list and the selected record in full under it. Fixed for a
 * size (not per record), so moving the cursor never moves the list.
 */
export function timelineSplit(bodyRows: number): { list: number; detail: number } {
  const detail = bodyRows >= 14 ? 3 : bodyRows >= 6 ? 2 : 0;
  return { list: Math.max(0, bodyRows - detail), detail };
}

function select(view: TuiView, env: PanelEnv): TimelineData {
  const { port, ui, filter } = env;
  const { list: height, detail: detailRows } = timelineSplit(env.rows);
  const total = timelineLength(port, view, filter);
  const cursor = Math.max(0, Math.min(total - 1, ui.cursor));
  const start = stickyStart(ui.top, cursor, total, height);
  const end = Math.min(total, start + height);
  const rows: { pos: number; rec: TraceRecord }[] = [];
  if (filter) {
    const hits = filterIndex(port, filter, view.records);
    for (let p = start; p < end; p++) rows.push({ pos: p, rec: port.records(hits[p], hits[p] + 1)[0] });
  } else {
    port.records(start, end).forEach((rec, i) => rows.push({ pos: start + i, rec }));
  }
  const sel = rows.find((r) => r.pos === cursor)?.rec;
  const soc = view.m4uSoc;
  const portName: PortNamer | undefined = soc ? (larb, port) => m4uPortName(soc, larb, port) : undefined;
  const detail = sel && detailRows > 0 ? wrapShown(recordText(sel, portName), env.cols, detailRows).lines : [];
  const scanning = filterScanning(port, filter, view.records);
  return { rows, cursor, total, traceCount: view.records, lastStepFrom: view.lastStepFrom, filter, search: env.search, detail, detailRows, width: env.cols, scanning, ...(portName ? { portName } : {}) };
}

function timelineRows(d: TimelineData, ctx: RowCtx): string[] {
  const th = ctx.theme;
  if (d.total === 0) return [plainRow(d.filter ? `no record matches "${d.filter}"` : 'no records yet: press s to step', ctx.width, { dim: true })];
  const cols = timelineCols(ctx.width);
  const hit = d.search ? searchPattern(d.search) : undefined;
  const listRows = ctx.height - d.detailRows;
  const out: string[] = [];
  for (const { pos, rec } of d.rows.slice(0, listRows)) {
    const [seq, time, kind, fields] = recordCells(rec, cols, d.portName);
    const sel = pos === d.cursor;
    const fresh = rec.seq >= d.lastStepFrom;
    const line = new Line(ctx.width);
    // The gutter: > the selected record (a bar over its number when the panel has focus),
    // + emitted by the last motion. Only the gutter marks the selection, so moving it
    // redraws a few cells, not two whole rows.
    line.add(sel ? '>' : fresh ? '+' : ' ', sel ? { bold: true, inverse: ctx.focused } : fresh ? { fg: th.c('good'), bold: true } : undefined);
    line.add(seq, sel ? { bold: true, inverse: ctx.focused, underline: !ctx.focused } : { fg: th.c('muted') });
    line.add(` ${time} `, { fg: th.c('muted') });
    line.add(`${kind} `, { fg: th.c(kindTone(rec.kind) ?? 'accent') });
    const match: Style | undefined = hit?.test(rec) ? (th.color ? { fg: th.c('warn') } : { inverse: true }) : undefined;
    // A cut row ends with `…`: the whole record is under the list, and Enter shows it.
    line.addFit(fields, match);
    out.push(line.toString());
  }
  while (out.length < listRows) out.push(' '.repeat(ctx.width));
  for (const l of d.detail) out.push(new Line(ctx.width).add(l, { fg: th.c('info') }).toString());
  return out;
}

export const timelinePanel = definePanel<TimelineData>({
  id: 'timeline',
  title: 'Timeline',
  region: 'main',
  available: () => true,
  select,
  count: (d) => d.total,
  summary: (d) =>
    `${d.total === 0 ? 0 : d.cursor + 1}/${d.total}${d.filter ? ` filter "${d.filter}" of ${d.traceCount}` : ''}${d.scanning !== undefined ? ` (scanning ${Math.floor(d.scanning * 100)}%)` : ''}`,
  keys: [
    { keys: ['enter'], scope: 'timeline', command: 'timeline.record', description: 'Open the selected record: every field, one per line, with hex and meaning', tag: 'panel', shadows: true, hint: 'record' },
    { keys: ['f'], scope: 'timeline', command: 'timeline.filter', description: 'Filter the timeline as break selects records: KIND [FIELD OP VALUE ...] (fault, dma dev=vdec0, kind=map where size>=16384); Up recalls the current filter, an empty one clears it', tag: 'panel', hint: 'filter' },
    { keys: ['F'], scope: 'timeline', command: 'timeline.clear-filter', description: 'Clear the filter', tag: 'panel' },
  ],
  rows: timelineRows,
  legend: [
    ['>', 'the selected record (its number highlighted; shown in full under the list; Enter opens it)'],
    ['+', 'emitted by the last motion (step, continue, goto, ...)'],
    [ELLIPSIS, 'the row goes on: the whole record is under the list and one Enter away'],
    ['', 'search matches are highlighted'],
  ],
});
