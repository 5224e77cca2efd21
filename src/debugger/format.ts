/**
 * Text helpers for the debugger's output: time and addresses in the units engineers type
 * (10us, 0x1f000, 16K), and the trace table row (the same columns as `dmadbg run`).
 */
import type { TraceRecord } from '../sim/core/trace.ts';
import { fieldNames, fieldText, recordFieldsText } from '../sim/trace/codec.ts';

export function formatTime(ns: number): string {
  if (ns < 10_000) return `${ns}ns`;
  if (ns < 10_000_000) return `${(ns / 1000).toFixed(3)}us`;
  return `${(ns / 1_000_000).toFixed(3)}ms`;
}

/** `dev=blit0 addr=0x1000 len=64 …`: the fields in trace order, addresses in hex. */
export function formatFields(r: TraceRecord): string {
  return recordFieldsText(r);
}

export function formatRecordRow(r: TraceRecord): string {
  return `${String(r.seq).padStart(7)} ${formatTime(r.t).padStart(12)}  ${r.kind.padEnd(18)} ${formatFields(r)}`;
}

const UNITS: Record<string, number> = { ns: 1, us: 1_000, ms: 1_000_000, s: 1_000_000_000 };

/** "10us", "1.5ms", "250" (ns) -> integer ns; undefined when it is not a time. */
export function parseTime(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s)?$/.exec(s);
  if (!m) return undefined;
  const v = Math.round(Number(m[1]) * UNITS[m[2] ?? 'ns']);
  return Number.isSafeInteger(v) ? v : undefined;
}

const SIZE: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "0x1f000", "4096", "16K" -> number; undefined when it is not one. */
export function parseNum(s: string): number | undefined {
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(s)) v = parseInt(s.slice(2), 16);
  else if (/^\d+$/.test(s)) v = Number(s);
  else {
    const m = /^(\d+)([kmg])$/i.exec(s);
    if (!m) return undefined;
    v = Number(m[1]) * SIZE[m[2].toLowerCase()];
  }
  return Number.isSafeInteger(v) ? v : undefined;
}

/** A field value as a number when it is one (numbers, "0x..." strings); else undefined. */
export function fieldNum(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return parseNum(v);
  return undefined;
}

/** Half-open range [lo, hi): "LO..HI" or "LO+SIZE"; a single address is [a, a+1). */
export function parseRange(s: string): { lo: number; hi: number } | undefined {
  const dots = s.indexOf('..');
  if (dots > 0) {
    const lo = parseNum(s.slice(0, dots));
    const hi = parseNum(s.slice(dots + 2));
    return lo !== undefined && hi !== undefined && hi > lo ? { lo, hi } : undefined;
  }
  const plus = s.indexOf('+');
  if (plus > 0) {
    const lo = parseNum(s.slice(0, plus));
    const n = parseNum(s.slice(plus + 1));
    return lo !== undefined && n !== undefined && n > 0 ? { lo, hi: lo + n } : undefined;
  }
  const a = parseNum(s);
  return a === undefined ? undefined : { lo: a, hi: a + 1 };
}

export function hexOf(n: number): string {
  return '0x' + n.toString(16);
}

/** The record's fields in trace order as [name, text] (the record view lists them one per line). */
export function formatFieldEntries(r: TraceRecord): [string, string][] {
  return fieldNames(r).map((n) => [n, fieldText(r, n) ?? '']);
}
