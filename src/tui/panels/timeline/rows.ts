/**
 * Timeline text: one trace record per row, seq / time / kind in columns, the rest
 * key=value. Every record reaches the screen through `fieldText` / `recordFields`, the one
 * place that turns record values into text (typed records will change only this file).
 */
import type { TraceRecord } from '../../session-port.ts';
import { formatFieldEntries, formatFields } from '../../../debugger/format.ts';

export function formatTime(ns: number): string {
  if (ns < 10_000) return `${ns}ns`;
  if (ns < 10_000_000) return `${(ns / 1000).toFixed(3)}us`;
  return `${(ns / 1_000_000).toFixed(3)}ms`;
}

/** The record's fields after seq, t and kind, in trace order, as [name, text]. */
export function recordEntries(r: TraceRecord): [string, string][] {
  return formatFieldEntries(r);
}

/** `dev=blit0 addr=0x1000 …`: the fields in trace order, as the debugger prints them. */
export function recordFields(r: TraceRecord): string {
  return formatFields(r);
}

/** An M4U port's dt-binding name on this SoC (include/dt-bindings/memory/mtNNNN-larb-port.h). */
export type PortNamer = (larb: number, port: number) => string | undefined;

/**
 * `port=3` becomes `port=3(M4U_PORT_HW_VDEC_AVC_MV_EXT)` in records that carry a larb and a
 * port: the displayed text only (the record, filters and searches keep the number).
 */
export function withPortName(r: TraceRecord, text: string, namer?: PortNamer): string {
  if (!namer) return text;
  const { larb, port } = r as { larb?: unknown; port?: unknown };
  if (typeof larb !== 'number' || typeof port !== 'number') return text;
  const name = namer(larb, port);
  return name ? text.replace(new RegExp(`(^| )port=${port}(?= |$)`), `$1port=${port}(${name})`) : text;
}

/** The whole record on one line, as the timeline's detail rows show it. */
export function recordText(r: TraceRecord, namer?: PortNamer): string {
  return `#${r.seq} t=${r.t}ns ${r.kind} ${withPortName(r, recordFields(r), namer)}`;
}

/** The text filters and searches match (case-insensitively): "kind=dma dev=blit0 addr=…". */
export function recordHaystack(r: TraceRecord): string {
  return `kind=${r.kind} ${recordFields(r)}`.toLowerCase();
}

export function matches(r: TraceRecord, needle: string): boolean {
  return recordHaystack(r).includes(needle.toLowerCase());
}

export interface SearchPattern {
  readonly test: (r: TraceRecord) => boolean;
  /** Why the text is searched literally (it is not a valid regular expression). */
  readonly literal?: string;
}

const patterns = new Map<string, SearchPattern>();

/**
 * `/` search: a regular expression (case-insensitive) over "kind=KIND field=value ...",
 * as less and vim search; text that is not a valid one is searched for literally.
 */
export function searchPattern(needle: string): SearchPattern {
  let p = patterns.get(needle);
  if (p) return p;
  try {
    const re = new RegExp(needle, 'i');
    p = { test: (r) => re.test(`kind=${r.kind} ${recordFields(r)}`) };
  } catch (e) {
    p = { test: (r) => matches(r, needle), literal: (e as Error).message.replace(/^Invalid regular expression: /, '') };
  }
  if (patterns.size > 64) patterns.clear();
  patterns.set(needle, p);
  return p;
}

export interface TimelineCols {
  readonly seq: number;
  readonly time: number;
  readonly kind: number;
}

export function timelineCols(width: number): TimelineCols {
  return width < 60 ? { seq: 5, time: 9, kind: 9 } : { seq: 6, time: 11, kind: 12 };
}

export function recordCells(r: TraceRecord, c: TimelineCols, namer?: PortNamer): [string, string, string, string] {
  return [String(r.seq).padStart(c.seq), formatTime(r.t).padStart(c.time), r.kind.padEnd(c.kind), withPortName(r, recordFields(r), namer)];
}
