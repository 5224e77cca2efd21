/**
 * A record's fields as Perfetto debug annotations ("args" in the UI): addresses and words
 * as pointers (shown in hex), counts as integers, flags as booleans, the rest as the text
 * the trace line carries.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { TraceRecord } from '../../sim/core/trace.ts';
import { fieldNames, fieldText } from '../../sim/trace/codec.ts';
import { kindSpec } from '../../sim/trace-kinds.ts';
import type { DebugAnnotationSchema } from './gen/perfetto/trace_subset_pb.ts';

type Annotation = MessageInitShape<typeof DebugAnnotationSchema>;

const toU64 = (v: number | bigint): bigint => BigInt.asUintN(64, BigInt(v));

export function annotation(name: string, r: TraceRecord): Annotation {
  const v = (r as unknown as Record<string, unknown>)[name];
  const format = kindSpec(r.kind)?.fields[name]?.format;
  const nameField = { case: 'name' as const, value: name };
  if ((format === 'hex' || format === 'hex32' || format === 'hex64') && (typeof v === 'number' || typeof v === 'bigint')) {
    return { nameField, value: { case: 'pointerValue', value: toU64(v) } };
  }
  if (format === 'int' && typeof v === 'number') return { nameField, value: { case: 'intValue', value: BigInt(v) } };
  if (typeof v === 'boolean') return { nameField, value: { case: 'boolValue', value: v } };
  return { nameField, value: { case: 'stringValue', value: fieldText(r, name) ?? '' } };
}

/** Every field the record carries, after its seq. `prefix` names an ending record's fields apart. */
export function recordArgs(r: TraceRecord, prefix = ''): Annotation[] {
  const out: Annotation[] = [{ nameField: { case: 'name', value: `${prefix}seq` }, value: { case: 'intValue', value: BigInt(r.seq) } }];
  for (const n of fieldNames(r)) {
    const a = annotation(n, r);
    out.push(prefix ? { ...a, nameField: { case: 'name', value: prefix + n } } : a);
  }
  return out;
}
