/**
 * Timeline: the trace as a virtual list. Only the rows that fit are fetched from the
 * session; a filter keeps an index of matching records, extended as the trace grows and
 * rebuilt when it shrinks (reverse execution truncates the trace).
 */
import { definePanel, type PanelEnv, windowStart } from '../panel.ts';
import type { SessionPort, TraceRecord, TuiView } from '../../session-port.ts';
import { matches, recordFields } from './rows.ts';
import { TimelineView } from './view.tsx';

export interface TimelineData {
  /** Visible rows: position in the (filtered) list and the record. */
  readonly rows: readonly { readonly pos: number; readonly rec: TraceRecord }[];
  readonly cursor: number;
  readonly total: number;
  readonly traceCount: number;
  readonly lastStepFrom: number;
  readonly filter: string | null;
  readonly search: string | null;
  /** The selected record in full (kind and every field), shown under the list when tall enough. */
  readonly detail: string;
  readonly detailRows: number;
  /** Fraction of the trace the filter has scanned, while it is still scanning. */
  readonly scanning?: number;
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
  while (fi.scanned < traceCount && fi.scanned < stop) {
    const recs = port.records(fi.scanned, Math.min(traceCount, fi.scanned + SCAN_CHUNK));
    for (const r of recs) if (matches(r, filter)) fi.hits.push(r.seq);
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

function select(view: TuiView, env: PanelEnv): TimelineData {
  const { port, ui, filter } = env;
  // Tall timelines keep two rows for the selected record in full (rows are cut to the width).
  const detailRows = env.rows >= 12 ? 2 : 0;
  const height = env.rows - detailRows;
  const total = timelineLength(port, view, filter);
  const cursor = Math.max(0, Math.min(total - 1, ui.cursor));
  const start = windowStart(cursor, total, height);
  const end = Math.min(total, start + height);
  const rows: { pos: number; rec: TraceRecord }[] = [];
  if (filter) {
    const hits = filterIndex(port, filter, view.records);
    for (let p = start; p < end; p++) rows.push({ pos: p, rec: port.records(hits[p], hits[p] + 1)[0] });
  } else {
    port.records(start, end).forEach((rec, i) => rows.push({ pos: start + i, rec }));
  }
  const sel = rows.find((r) => r.pos === cursor)?.rec;
  const detail = sel ? `#${sel.seq} t=${sel.t}ns ${sel.kind} ${recordFields(sel)}` : '';
  const scanning = filterScanning(port, filter, view.records);
  return { rows, cursor, total, traceCount: view.records, lastStepFrom: view.lastStepFrom, filter, search: env.search, detail, detailRows, scanning };
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
    { keys: ['f'], scope: 'timeline', command: 'timeline.filter', description: 'Filter the timeline (text or kind=KIND; empty clears)', tag: 'panel', hint: 'filter' },
    { keys: ['F'], scope: 'timeline', command: 'timeline.clear-filter', description: 'Clear the filter', tag: 'panel' },
  ],
  Component: TimelineView,
});
