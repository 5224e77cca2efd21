/**
 * A record's JSON line, both ways, derived from its kind's spec: the encoder (one per kind,
 * fields in the spec's order, absent fields left out, as JSON.stringify would), the decoder
 * (a line back into the typed record: "0x1f000" -> 0x1f000), and the text of one field as
 * the debugger prints it (`iova=0x1f000`).
 */
import { SimAssertionError } from '../core/assert.ts';
import { type TraceRecord, TRACE_KINDS, kindSpec } from '../trace-kinds.ts';
import { type Field, WORD, fnv32Text, hex32Text, hex64Text, hexText } from './field.ts';
import type { KindSpec } from './spec.ts';
import {
  ByteWriter, NUMBER_ROOM, bytesOf, constWriter, putBool, putFnv32, putHex, putHex32, putHex64, putInt, putNull, putStr, StringCache,
} from './writer.ts';

type AnyRecord = { readonly seq: number; readonly t: number; readonly kind: string } & { readonly [f: string]: unknown };
export type Encoder = (w: ByteWriter, r: AnyRecord) => void;

/** How the generated encoder writes field i's value `v` (a text field is its string by then). */
function writeCall(f: Field<unknown, boolean>, i: number): string {
  let call: string;
  switch (f.format) {
    case 'str':
      // An enum's values are constant bytes: one or two stores instead of a character loop.
      call = f.values
        ? `switch (v) { ${f.values.map((x) => `case ${JSON.stringify(x)}: ${constWriter(bytesOf(JSON.stringify(x)))} break;`).join(' ')} default: p = putStr(b, p, v); }`
        : `p = S[${i}].put(b, d, p, v)`;
      break;
    case 'text':
      // A word: "0x%08x" or "0x%016x" straight into the line, the bytes WORD.text would give.
      call = f.codec === WORD ? `if (typeof v === 'bigint') p = putHex64(b, d, p, v); else if (typeof v === 'number') p = putHex32(b, d, p, v); else p = putStr(b, p, v)` : 'p = putStr(b, p, v)';
      break;
    case 'int':
      call = 'p = putInt(b, d, p, v)';
      break;
    case 'bool':
      call = 'p = putBool(b, p, v)';
      break;
    case 'hex':
      call = 'p = putHex(b, d, p, v)';
      break;
    case 'hex32':
      call = 'p = putHex32(b, d, p, v)';
      break;
    case 'hex64':
      call = 'p = putHex64(b, d, p, v)';
      break;
    case 'fnv32':
      call = 'p = putFnv32(b, d, p, v)';
      break;
  }
  if (f.words.length && f.format !== 'str' && f.format !== 'text') call = `if (typeof v === 'string') p = putStr(b, p, v); else ${call}`;
  if (f.nullable) call = `if (v === null) p = putNull(b, p); else ${call}`;
  return call;
}

/** A field whose room depends on a string's length. */
const stringy = (f: Field<unknown, boolean>): boolean => f.format === 'str' || f.format === 'text' || f.words.length > 0;

/**
 * The kind's encoder, compiled once from its spec into straight-line code: the room for the
 * whole line is reserved once (constant bytes, NUMBER_ROOM per number, 6 per string
 * character), then keys go in four bytes per store and values through the put* writers.
 * Free-text string fields (device and API names) repeat: each has a StringCache of their
 * bytes. Numbers are formatted every time: memos of seq, t and lengths, copied instead,
 * measured no faster (formatting by digit pairs costs about what copying the digits does).
 * Generated code (rather than one loop over the fields) also keeps each kind's property
 * reads monomorphic: a shared loop would see every kind's record shape at one site.
 * Writes `{…}` and leaves room for the store's newline.
 */
function compile(spec: KindSpec): Encoder {
  const names = Object.keys(spec.fields);
  const fields = names.map((n) => spec.fields[n]);
  const codecs = fields.map((f) => f.codec);
  const head = [bytesOf('{"seq":'), bytesOf(',"t":'), bytesOf(`,"kind":${JSON.stringify(spec.kind)}`)];
  const keys = names.map((n) => bytesOf(`,${JSON.stringify(n)}:`));
  let base = head.reduce((a, k) => a + k.length, 0) + 2 * NUMBER_ROOM + 2;
  for (const k of keys) base += k.length + NUMBER_ROOM + 2;
  const lines: string[] = [];
  names.forEach((n, i) => {
    const f = fields[i];
    if (f.format === 'text' && f.codec !== WORD) lines.push(`let v${i} = r[${JSON.stringify(n)}]; if (v${i} != null) v${i} = C[${i}].text(v${i});`);
    else lines.push(`const v${i} = r[${JSON.stringify(n)}];`);
  });
  lines.push(`let need = ${base};`);
  names.forEach((_, i) => {
    if (stringy(fields[i])) lines.push(`if (typeof v${i} === 'string') need += 6 * v${i}.length;`);
  });
  lines.push('w.room(need);', 'const b = w.buf, d = w.dv; let p = w.pos; let v;');
  lines.push(constWriter(head[0]), 'p = putInt(b, d, p, r.seq);', constWriter(head[1]), 'p = putInt(b, d, p, r.t);', constWriter(head[2]));
  names.forEach((_, i) => lines.push(`v = v${i}; if (v !== undefined) { ${constWriter(keys[i])} ${writeCall(fields[i], i)}; }`));
  lines.push('b[p] = 125; w.pos = p + 1;');
  const factory = new Function(
    'C', 'S', 'putInt', 'putHex', 'putHex32', 'putHex64', 'putFnv32', 'putStr', 'putBool', 'putNull',
    `return function encode(w, r) {\n${lines.join('\n')}\n};`,
  ) as (...a: unknown[]) => Encoder;
  // Per field, for the ones writeCall sends through S[i].
  const caches = fields.map((f) => (f.format === 'str' && !f.values ? new StringCache() : undefined));
  return factory(codecs, caches, putInt, putHex, putHex32, putHex64, putFnv32, putStr, putBool, putNull);
}

/** Compiled at a kind's first record: compiling all 82 at load was ~5% of a short `run`. */
const ENCODERS = new Map<string, Encoder>();

/** The encoder of a record's kind (the trace store calls it on every kept record). */
export function encoderOf(kind: string): Encoder {
  let e = ENCODERS.get(kind);
  if (!e) {
    const spec = kindSpec(kind);
    if (!spec) throw new SimAssertionError(`record kind "${kind}" has no spec in src/sim/trace-kinds.ts`);
    ENCODERS.set(kind, (e = compile(spec)));
  }
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
