/** Timeline rows: one trace record per row, seq / time / kind in columns, the rest key=value. */
import type { TraceRecord } from '../../session-port.ts';

export function formatTime(ns: number): string {
  if (ns < 10_000) return `${ns}ns`;
  if (ns < 10_000_000) return `${(ns / 1000).toFixed(3)}us`;
  return `${(ns / 1_000_000).toFixed(3)}ms`;
}

export function recordFields(r: TraceRecord): string {
  let s = '';
  for (const k in r) {
    if (k === 'seq' || k === 't' || k === 'kind') continue;
    const v = r[k];
    s += `${s ? ' ' : ''}${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
  }
  return s;
}

/** The text filters and searches match (case-insensitively): "kind=dma dev=blit0 addr=…". */
export function recordHaystack(r: TraceRecord): string {
  return `kind=${r.kind} ${recordFields(r)}`.toLowerCase();
}

export function matches(r: TraceRecord, needle: string): boolean {
  return recordHaystack(r).includes(needle.toLowerCase());
}

export interface TimelineCols {
  readonly seq: number;
  readonly time: number;
  readonly kind: number;
}

export function timelineCols(width: number): TimelineCols {
  return width < 60 ? { seq: 5, time: 9, kind: 9 } : { seq: 6, time: 11, kind: 12 };
}

export function recordCells(r: TraceRecord, c: TimelineCols): [string, string, string, string] {
  return [String(r.seq).padStart(c.seq), formatTime(r.t).padStart(c.time), r.kind.padEnd(c.kind), recordFields(r)];
}
