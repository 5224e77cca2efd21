/** The readable trace table: seq, time and kind in columns, the rest as key=value. */
import type { TraceRecord } from '../sim/core/trace.ts';

export function formatTime(ns: number): string {
  if (ns < 10_000) return `${ns}ns`;
  if (ns < 10_000_000) return `${(ns / 1000).toFixed(3)}us`;
  return `${(ns / 1_000_000).toFixed(3)}ms`;
}

export function formatFields(r: TraceRecord): string {
  const parts: string[] = [];
  for (const k in r) {
    if (k === 'seq' || k === 't' || k === 'kind') continue;
    const v = r[k];
    parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return parts.join(' ');
}

export function formatRecordRow(r: TraceRecord): string {
  return `${String(r.seq).padStart(7)} ${formatTime(r.t).padStart(12)}  ${r.kind.padEnd(18)} ${formatFields(r)}`;
}

export const TABLE_HEADER = `${'seq'.padStart(7)} ${'time'.padStart(12)}  ${'kind'.padEnd(18)} fields`;
