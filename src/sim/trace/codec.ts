/**
 * A record's JSON line, both ways, derived from its kind's spec: the encoder (one per kind,
 * fields in the spec's order, absent fields left out, as JSON.stringify would), the decoder
 * (a line back into the typed record: "0x1f000" -> 0x1f000), and the text of one field as
 * the debugger prints it (`iova=0x1f000`).
 */
import { SimAssertionError } from '../core/assert.ts';
import { type KindName, type RecordOf, type TraceRecord, TRACE_KINDS, kindSpec } from '../trace-kinds.ts';
import { type Field, fnv32Text, hex32Text, hex64Text, hexText } from './field.ts';
import type { KindSpec } from './spec.ts';
import { ByteWriter, bytesOf } from './writer.ts';

type AnyRecord = { readonly seq: number; readonly t: number; readonly kind: string } & { readonly [f: string]: unknown };
export type Encoder = (w: ByteWriter, r: AnyRecord) => void;

const SEQ = bytesOf('{"seq":');
const T = bytesOf(',"t":');

/** How the generated encoder writes a value `v` of this field. */
function writeCall(f: Field<unknown, boolean>, i: number): string {
  let call: string;
  switch (f.format) {
    case 'str':
      call = 'w.str(v)';
      break;
    case 'int':
      call = 'w.int(v)';
      break;
    case 'bool':
      call = 'w.bool(v)';
      break;
    case 'hex':
      call = 'w.hex(v)';
      break;
    case 'hex32':
      call = 'w.hex32(v)';
      break;
    case 'hex64':
      call = 'w.hex64(v)';
      break;
    case 'fnv32':
      call = 'w.fnv32(v)';
      break;
    case 'text':
      call = `w.str(C[${i}].text(v))`;
      break;
  }
  if (f.words.length) call = `if (typeof v === 'string') w.str(v); else ${call}`;
  if (f.nullable) call = `if (v === null) w.null(); else ${call}`;
  return call;
}

/**
 * The kind's encoder, compiled once from its spec. Generated code (rather than one loop over
 * the fields) keeps each kind's property reads monomorphic: a shared loop would see every
 * kind's record shape at one site and read every field through the megamorphic path.
 */
function compile(spec: KindSpec): Encoder {
  const names = Object.keys(spec.fields);
  const fields = names.map((n) => spec.fields[n]);
  const keys = names.map((n) => bytesOf(`,${JSON.stringify(n)}:`));
  const codecs = fields.map((f) => f.codec);
  const body = [
    'let v;',
    'w.raw(SEQ); w.int(r.seq); w.raw(T); w.int(r.t); w.raw(HEAD);',
    ...names.map((n, i) => `v = r[${JSON.stringify(n)}]; if (v !== undefined) { w.raw(K[${i}]); ${writeCall(fields[i], i)}; }`),
    'w.byte(125);',
  ].join('\n');
  const factory = new Function('SEQ', 'T', 'HEAD', 'K', 'C', `return function encode(w, r) {\n${body}\n};`) as (
    ...a: unknown[]
  ) => Encoder;
  return factory(SEQ, T, bytesOf(`,"kind":${JSON.stringify(spec.kind)}`), keys, codecs);
}

const ENCODERS = new Map<string, Encoder>(TRACE_KINDS.map((k) => [k.kind, compile(k)]));

/** The encoder of a record's kind (the trace store calls it on every kept record). */
export function encoderOf(kind: string): Encoder {
  const e = ENCODERS.get(kind);
  if (!e) throw new SimAssertionError(`record kind "${kind}" has no spec in src/sim/trace-kinds.ts`);
  return e;
}

const scratch = new ByteWriter(4096);
const utf8 = new TextDecoder();

/** A record's JSON line, exactly as `run --json` prints it. */
export function recordLine(r: TraceRecord): string {
  scratch.pos = 0;
  encoderOf(r.kind)(scratch, r as AnyRecord);
  return utf8.decode(scratch.buf.subarray(0, scratch.pos));
}

/** The record as plain JSON data (hex as strings), for JSON output that embeds records. */
export function recordWire(r: TraceRecord): Record<string, unknown> {
  return JSON.parse(recordLine(r)) as Record<string, unknown>;
}

// ---- decoding ----------------------------------------------------------------------------

/** "0x…" back to what the model emitted: a number, or a bigint where a number would not print the same. */
function parseHexField(s: string): number | bigint {
  const n = parseInt(s.slice(2), 16);
  return hexText(n) === s ? n : BigInt(s);
}

function decodeValue(f: Field<unknown, boolean>, v: unknown): unknown {
  if (typeof v !== 'string' || f.words.includes(v)) return v;
  switch (f.format) {
    case 'hex':
      return parseHexField(v);
    case 'hex32':
      return parseInt(v.slice(2), 16);
    case 'hex64':
      return BigInt(v);
    case 'fnv32':
      return parseInt(v, 16);
    case 'text':
      return f.codec!.parse(v);
    default:
      return v;
  }
}

type Decoder = [name: string, field: Field<unknown, boolean>][];
const DECODERS = new Map<string, Decoder>(
  TRACE_KINDS.map((k) => [k.kind, Object.entries(k.fields as KindSpec['fields']).filter(([, f]) => f.format !== 'str' && f.format !== 'int' && f.format !== 'bool')]),
);

/** A JSON line of the trace back into its typed record. */
export function decodeLine(line: string): TraceRecord {
  const o = JSON.parse(line) as Record<string, unknown>;
  const dec = DECODERS.get(o.kind as string);
  if (!dec) throw new SimAssertionError(`trace line of unknown kind: ${line.slice(0, 80)}`);
  for (const [name, f] of dec) if (name in o) o[name] = decodeValue(f, o[name]);
  return o as unknown as TraceRecord;
}

// ---- reading fields by name (the debugger's predicates, `print`, the timeline) -------------

function specField(kind: string, name: string): Field<unknown, boolean> | undefined {
  return kindSpec(kind)?.fields[name];
}

/** A field's text as the debugger shows it (`iova=0x1f000`, `write=true`); undefined when absent. */
export function fieldText(r: TraceRecord, name: string): string | undefined {
  const v = (r as AnyRecord)[name];
  if (v === undefined) return undefined;
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  const f = specField(r.kind, name);
  switch (f?.format) {
    case 'hex':
      return hexText(v as number | bigint);
    case 'hex32':
      return hex32Text(v as number);
    case 'hex64':
      return hex64Text(v as bigint);
    case 'fnv32':
      return fnv32Text(v as number);
    case 'text':
      return f.codec!.text(v);
    default:
      return typeof v === 'bigint' ? hexText(v) : JSON.stringify(v);
  }
}

/**
 * A field as predicates compare it: numbers (addresses and words included) and booleans as
 * themselves, 64-bit words as bigints, everything else as its text.
 */
export function fieldValue(r: TraceRecord, name: string): number | bigint | boolean | string | undefined {
  const v = (r as AnyRecord)[name];
  if (v === undefined || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    const fmt = specField(r.kind, name)?.format;
    return fmt === 'fnv32' ? fnv32Text(v) : v;
  }
  return fieldText(r, name);
}

/** The fields a record carries, in line order (seq, t and kind not included). */
export function fieldNames(r: TraceRecord): string[] {
  const spec = kindSpec(r.kind);
  if (!spec) return [];
  return Object.keys(spec.fields).filter((n) => (r as AnyRecord)[n] !== undefined);
}

/** `dev=blit0 addr=0x1000 len=64 …`: a record's fields as the timeline and `run` show them. */
export function recordFieldsText(r: TraceRecord): string {
  let s = '';
  for (const n of fieldNames(r)) s += `${s ? ' ' : ''}${n}=${fieldText(r, n)}`;
  return s;
}

/** Narrow a record to one kind. */
export function isKind<K extends KindName>(r: TraceRecord, k: K): r is Extract<TraceRecord, { kind: K }> & RecordOf<K> {
  return r.kind === k;
}
