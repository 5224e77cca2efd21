/**
 * Exporting records [from, to] of a run: as a Perfetto trace (./perfetto.ts) or as the
 * JSON Lines `run --json` prints. The bytes go to a writer the front end provides (the
 * debugger does no file I/O of its own; a session without one cannot export).
 */
import type { TraceRecord } from '../../sim/core/trace.ts';
import { type ExportStats, PerfettoExport, type PerfettoOptions } from './perfetto.ts';

export const EXPORT_FORMATS = ['perfetto', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Hands an export's bytes, in order, to `write`; the writer says where they went or why not. */
export type ExportWriter = (path: string, produce: (write: (bytes: Uint8Array) => void) => void) => { path: string } | { error: string };

export interface RecordSource {
  record(seq: number): TraceRecord;
  line(seq: number): string;
}

const utf8 = new TextEncoder();

/** Write records [from, to] to `write` in `format`; the Perfetto tally, or the record count for jsonl. */
export function exportRecords(src: RecordSource, from: number, to: number, format: ExportFormat, write: (bytes: Uint8Array) => void, opts: PerfettoOptions = {}): ExportStats | { records: number } {
  if (format === 'jsonl') {
    // Lines are gathered into ~64 KiB writes.
    let batch: string[] = [];
    let size = 0;
    for (let seq = from; seq <= to; seq++) {
      const l = src.line(seq);
      batch.push(l);
      size += l.length + 1;
      if (size >= 1 << 16) {
        write(utf8.encode(batch.join('\n') + '\n'));
        batch = [];
        size = 0;
      }
    }
    if (batch.length) write(utf8.encode(batch.join('\n') + '\n'));
    return { records: to - from + 1 };
  }
  const x = new PerfettoExport(write, opts);
  for (let seq = from; seq <= to; seq++) x.add(src.record(seq));
  return x.end();
}

/** One line saying what a Perfetto export holds. */
export function describeExport(s: ExportStats | { records: number }): string {
  if (!('tracks' in s)) return `${s.records} records as JSON Lines`;
  return `${s.records} records as a Perfetto trace: ${s.tracks} tracks, ${s.instants} instants, ${s.slices} slices, ${s.flows} flows, ${s.counterValues} counter values (open it in ui.perfetto.dev)`;
}
