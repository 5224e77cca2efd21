/**
 * Trace record fields: what a field holds in memory (a TypeScript type) and how it reads in
 * the JSON line. Models emit numbers and bigints; the hex text exists only in the encoded
 * line, in the debugger's output and in the docs. A field is built once, in its kind's spec
 * (see ./spec.ts), and everything else is derived from it: the types `emit` checks, the
 * encoder, the decoder, docs/trace.md, the JSON Schema and the breakpoint vocabulary.
 */

/**
 * How a value is written:
 * - str: a JSON string (an enum when `values` lists the literals)
 * - int: a JSON number
 * - bool: true / false
 * - hex: an address, "0x1f000" (lowercase, no padding); a bigint where the value passes 2^53
 * - hex32: a 32-bit word, "0x00000c7f"
 * - hex64: a 64-bit word (bigint in memory), "0x0000000000000c7f"
 * - fnv32: a 32-bit checksum, 8 hex digits without "0x" ("811c9dc5")
 * - text: a composite value written as one string by the field's own `text` (and read back
 *   by its `parse`), e.g. "pa=0x1000 rw" from { pa: 0x1000, write: true }
 */
export type Format = 'str' | 'int' | 'bool' | 'hex' | 'hex32' | 'hex64' | 'fnv32' | 'text';

/** A composite field's two directions; `parse(text(v))` gives v back. */
export interface TextCodec<T> {
  text(v: T): string;
  parse(s: string): T;
  /** What the text looks like, for the docs (e.g. `"pa=0x… rw|ro"`). */
  readonly shape: string;
  /** A regular expression the text always matches (JSON Schema `pattern`). */
  readonly pattern?: string;
  /** The value is a number (or bigint) shown in a text form: filters may compare it (`new>=0x1000`). */
  readonly numeric?: boolean;
}

export class Field<T, Opt extends boolean = false> {
  /** Phantom members: they carry the types, nothing is stored. */
  declare readonly _type: T;
  declare readonly _opt: Opt;

  constructor(
    readonly format: Format,
    readonly doc: string,
    readonly optional: boolean,
    /** str: the only values it takes, in the order the docs list them. */
    readonly values: readonly string[] | undefined,
    /** JSON null is a value too (e.g. "no original buffer"). */
    readonly nullable: boolean,
    /** String literals the field may hold instead of its format's value (atc-inval's "all"). */
    readonly words: readonly string[],
    readonly codec: TextCodec<unknown> | undefined,
  ) {}

  /** Absent from records where it does not apply. */
  opt(): Field<T, true> {
    return new Field(this.format, this.doc, true, this.values, this.nullable, this.words, this.codec);
  }

  /** May be JSON null. */
  orNull(): Field<T | null, Opt> {
    return new Field(this.format, this.doc, this.optional, this.values, true, this.words, this.codec);
  }

  /** May be one of these string literals instead. */
  or<const W extends string>(...words: W[]): Field<T | W, Opt> {
    return new Field(this.format, this.doc, this.optional, this.values, this.nullable, [...this.words, ...words], this.codec);
  }
}

const field = <T>(format: Format, doc: string, values?: readonly string[], codec?: TextCodec<unknown>): Field<T> =>
  new Field<T>(format, doc, false, values, false, [], codec);

export const str = (doc: string): Field<string> => field('str', doc);
/** A string from a closed set: the record's TypeScript type is the union of the literals. */
export const oneOf = <const L extends readonly string[]>(values: L, doc: string): Field<L[number]> => field('str', doc, values);
export const int = (doc: string): Field<number> => field('int', doc);
export const bool = (doc: string): Field<boolean> => field('bool', doc);
export const hex = (doc: string): Field<number> => field('hex', doc);
/** An address that can be ULONG_MAX (exit_mmap's range end): a bigint past 2^53. */
export const hexU64 = (doc: string): Field<number | bigint> => field('hex', doc);
export const hex32 = (doc: string): Field<number> => field('hex32', doc);
export const hex64 = (doc: string): Field<bigint> => field('hex64', doc);
export const fnv32 = (doc: string): Field<number> => field('fnv32', doc);
export const text = <T>(doc: string, codec: TextCodec<T>): Field<T> => field('text', doc, undefined, codec as TextCodec<unknown>);

/**
 * A page-table, descriptor or register word whose width depends on the model: a number is a
 * 32-bit word ("0x%08x", ARM v7s), a bigint a 64-bit one ("0x%016x", VT-d, AMD).
 */
export const word = (doc: string): Field<number | bigint> => text(doc, WORD);

// ---- the text of a value, shared by the encoder's slow path, the decoder and `info` ------

const NIB = '0123456789abcdef';

/** Unpadded lowercase hex of a non-negative integer (number or bigint), with "0x". */
export function hexText(n: number | bigint): string {
  if (typeof n === 'bigint') return '0x' + n.toString(16);
  if (n >>> 0 === n) return '0x' + u32Hex(n, false);
  if (n > 0xffff_ffff && Number.isSafeInteger(n)) {
    return '0x' + u32Hex(Math.floor(n / 0x1_0000_0000), false) + u32Hex(n % 0x1_0000_0000, true);
  }
  return '0x' + n.toString(16);
}

/** "0x%08x". */
export function hex32Text(n: number): string {
  return '0x' + u32Hex(n >>> 0, true);
}

/** "0x%016llx". */
export function hex64Text(n: bigint): string {
  return '0x' + BigInt.asUintN(64, n).toString(16).padStart(16, '0');
}

/** "%08x", FNV-1a as the trace prints it. */
export function fnv32Text(n: number): string {
  return u32Hex(n >>> 0, true);
}

/** Table-driven: Number#toString(16) is slow for values that are not small integers. */
function u32Hex(n: number, pad: boolean): string {
  let s = '';
  let started = pad;
  for (let sh = 28; sh >= 0; sh -= 4) {
    const d = (n >>> sh) & 15;
    if (d || started || sh === 0) {
      s += NIB[d];
      started = true;
    }
  }
  return s;
}

/** The codec of `word` fields; the encoder writes these words itself (no string built). */
export const WORD: TextCodec<number | bigint> = {
  text: (v) => (typeof v === 'bigint' ? hex64Text(v) : hex32Text(v)),
  parse: (s) => (s.length > 10 ? BigInt(s) : parseInt(s.slice(2), 16)),
  shape: '32-bit word "0x%08x" or 64-bit word "0x%016x"',
  pattern: '^0x([0-9a-f]{8}|[0-9a-f]{16})$',
  numeric: true,
};

/** "0x…" -> number, or a bigint when it does not fit a double exactly. */
export function parseHex(s: string): number | bigint {
  const n = parseInt(s.slice(2), 16);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}
