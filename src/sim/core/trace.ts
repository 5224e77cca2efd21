/**
 * The trace: the one record of what happened. Records are built as objects with
 * seq, t and kind first, matched by breakpoints while fresh, then kept compactly as
 * UTF-8 JSON lines in large chunks (a million records cost ~100 MB, not ~400 MB of objects).
 */
export interface TraceRecord {
  readonly seq: number;
  readonly t: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

const CHUNK_BYTES = 1 << 20;

export interface TraceStore {
  /** JSON text of each record, packed into chunks. */
  chunks: Uint8Array[];
  /** Per record: chunk index and byte offset/length, 3 numbers per record. */
  index: Uint32Array;
  count: number;
  used: number; // bytes used in the last chunk
}

export function traceCreate(): TraceStore {
  return { chunks: [new Uint8Array(CHUNK_BYTES)], index: new Uint32Array(3 * 4096), count: 0, used: 0 };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function traceAppendLine(ts: TraceStore, line: string): void {
  // Records are ASCII (hex strings, names), so encodeInto's byte count equals length;
  // a non-ASCII name still works, it just takes the slower path below.
  let chunk = ts.chunks[ts.chunks.length - 1];
  if (ts.used + line.length * 3 > chunk.length) {
    chunk = new Uint8Array(Math.max(CHUNK_BYTES, line.length * 3));
    ts.chunks.push(chunk);
    ts.used = 0;
  }
  const { written } = encoder.encodeInto(line, chunk.subarray(ts.used));
  if (3 * ts.count + 3 > ts.index.length) {
    const n = new Uint32Array(ts.index.length * 2);
    n.set(ts.index);
    ts.index = n;
  }
  const k = 3 * ts.count++;
  ts.index[k] = ts.chunks.length - 1;
  ts.index[k + 1] = ts.used;
  ts.index[k + 2] = written;
  ts.used += written;
}

export function traceLine(ts: TraceStore, i: number): string {
  const k = 3 * i;
  const chunk = ts.chunks[ts.index[k]];
  return decoder.decode(chunk.subarray(ts.index[k + 1], ts.index[k + 1] + ts.index[k + 2]));
}

export function traceGet(ts: TraceStore, i: number): TraceRecord {
  return JSON.parse(traceLine(ts, i)) as TraceRecord;
}

/** Drop records from `count` on (used when the machine is restored to an earlier point). */
export function traceTruncate(ts: TraceStore, count: number): void {
  if (count >= ts.count) return;
  ts.count = count;
  if (count === 0) {
    ts.chunks.length = 1;
    ts.used = 0;
    return;
  }
  const k = 3 * (count - 1);
  ts.chunks.length = ts.index[k] + 1;
  ts.used = ts.index[k + 1] + ts.index[k + 2];
}

export function traceBytes(ts: TraceStore): number {
  return ts.chunks.length * CHUNK_BYTES + ts.index.byteLength;
}
