/** Timeline rows: one trace record per row, seq / time / kind in columns, the rest key=value. */
import type { TraceRecord } from '../../session-port.ts';
import { formatFields } from '../../../debugger/format.ts';

export function formatTime(ns: number): string {
  if (ns < 10_000) return `${ns}ns`;
  if (ns < 10_000_000) return `${(ns / 1000).toFixed(3)}us`;
  return `${(ns / 1_000_000).toFixed(3)}ms`;
}

/** `dev=blit0 addr=0x1000 …`: the fields in trace order, as the debugger prints them. */
export function recordFields(r: TraceRecord): string {
  return formatFields(r);
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
