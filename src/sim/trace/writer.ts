/**
 * Writes a record's JSON line as bytes straight into a buffer (the trace store's open chunk,
 * or a scratch buffer when a replayed record is checked). The per-kind encoders
 * (./codec.ts) reserve room for the whole line once, then write with the put* functions
 * below: constant text, digits and hex go in two bytes at a time from tables, so no
 * intermediate string is built for a record (that string, and encoding it to UTF-8, cost
 * more than everything else a device access does).
 *
 * Each put* takes the buffer, a DataView on it and the write position, and returns the new
 * position; the caller has reserved enough room (see the bounds next to each). Strings that
 * repeat from record to record (device and API names) are kept encoded (StringCache) and
 * copied four bytes at a time.
 */

const utf8 = new TextEncoder();

/** Two ASCII characters per entry, first in the low byte (setUint16 little-endian). */
const pair = (a: number, b: number): number => a | (b << 8);
const HEXC = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];
/** "00".."ff" */
const HEX2 = Uint16Array.from({ length: 256 }, (_, i) => pair(HEXC[i >> 4], HEXC[i & 15]));
/** "00".."99" */
const DEC2 = Uint16Array.from({ length: 100 }, (_, i) => pair(48 + Math.floor(i / 10), 48 + (i % 10)));
const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i);
const TWO32 = 0x1_0000_0000;

/** Room a number of any format takes at most (a JSON number, "0x" and 16 digits, ...). */
export const NUMBER_ROOM = 26;

const EMPTY = new Uint8Array(0);
const EMPTY_DV = new DataView(EMPTY.buffer);

export class ByteWriter {
  buf: Uint8Array;
  dv: DataView;
  pos = 0;
  /** Where the record being written starts (its bytes move with it when the buffer is full). */
  start = 0;
  /** Called when fewer than `n` bytes are left: must leave `buf` with room (see TraceStore). */
  private readonly full: (w: ByteWriter, n: number) => void;

  constructor(size: number, full?: (w: ByteWriter, n: number) => void) {
    // An empty writer (a machine's store before its first record) shares one empty buffer.
    this.buf = size === 0 ? EMPTY : new Uint8Array(size);
    this.dv = size === 0 ? EMPTY_DV : new DataView(this.buf.buffer);
    this.full = full ?? growInPlace;
  }

  /** Make room for n more bytes (the partial record may move to a new buffer). */
  room(n: number): void {
    if (this.pos + n > this.buf.length) this.full(this, n);
  }

  setBuf(buf: Uint8Array): void {
    this.buf = buf;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

/** A scratch writer's growth: a bigger buffer, contents kept. */
function growInPlace(w: ByteWriter, n: number): void {
  const next = new Uint8Array(Math.max(w.buf.length * 2, w.pos + n));
  next.set(w.buf.subarray(0, w.pos));
  w.setBuf(next);
}

/** UTF-8 bytes of a fixed piece of a line. */
export function bytesOf(s: string): Uint8Array {
  return utf8.encode(s);
}

/** Text known to be ASCII. */
function putAscii(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** A non-negative integer below 2^31, in decimal: int32 arithmetic only. */
function putSmall(b: Uint8Array, d: DataView, p: number, n: number): number {
  let len = 1;
  while (len < 10 && n >= POW10[len]) len++;
  const end = p + len;
  let q = end;
  while (n >= 100) {
    const hi = (n / 100) | 0;
    q -= 2;
    d.setUint16(q, DEC2[n - hi * 100], true);
    n = hi;
  }
  if (n >= 10) d.setUint16(q - 2, DEC2[n], true);
  else b[q - 1] = 48 + n;
  return end;
}

/** Exactly eight digits, leading zeros kept (n below 10^8). */
function putEight(d: DataView, p: number, n: number): number {
  for (let q = p + 8; q > p; q -= 2) {
    const hi = (n / 100) | 0;
    d.setUint16(q - 2, DEC2[n - hi * 100], true);
    n = hi;
  }
  return p + 8;
}

/**
 * A non-negative integer below 2^53, in decimal. Past 2^31 (virtual times in ns, big
 * addresses) it is printed as two int32 halves: `%` on a double is a call into fmod, which
 * made this the most expensive line of a record.
 */
function putDecimal(b: Uint8Array, d: DataView, p: number, n: number): number {
  if (n < 0x8000_0000) return putSmall(b, d, p, n | 0);
  const hi = Math.floor(n / 1e8); // below 2^53 / 1e8 < 2^31
  return putEight(d, putSmall(b, d, p, hi), n - hi * 1e8);
}

/** A JSON number. At most NUMBER_ROOM bytes. */
export function putInt(b: Uint8Array, d: DataView, p: number, n: number): number {
  // Most numbers in a record (seq, lengths, slots) are non-negative int32s: one check each.
  if ((n | 0) === n && n >= 0) return putSmall(b, d, p, n);
  if (n >= 0 && Number.isSafeInteger(n)) return putDecimal(b, d, p, n);
  if (Number.isSafeInteger(n)) {
    b[p] = 45; // '-'
    return putDecimal(b, d, p + 1, -n);
  }
  return putAscii(b, p, JSON.stringify(n)); // fractions, NaN (null), huge values: as JSON writes them
}

/** The hex digits of a u32, `pad`ded to 8 or without leading zeros. */
function putU32Hex(b: Uint8Array, d: DataView, p: number, u: number, pad: boolean): number {
  const digits = pad ? 8 : u === 0 ? 1 : 8 - (Math.clz32(u) >>> 2);
  const end = p + digits;
  let q = end;
  for (let left = digits; left > 0; left -= 2) {
    if (left === 1) {
      b[q - 1] = HEXC[u & 15];
      break;
    }
    q -= 2;
    d.setUint16(q, HEX2[u & 255], true);
    u >>>= 8;
  }
  return end;
}

/** "0x…", lowercase, no padding; a bigint or a number past 2^53 as its own toString(16). */
export function putHex(b: Uint8Array, d: DataView, p: number, n: number | bigint): number {
  if (typeof n === 'number' && n >>> 0 === n) {
    d.setUint16(p, pair(34, 48), true); // "0
    b[p + 2] = 120; // x
    p = putU32Hex(b, d, p + 3, n, false);
  } else if (typeof n === 'number' && n > 0 && Number.isSafeInteger(n)) {
    d.setUint16(p, pair(34, 48), true);
    b[p + 2] = 120;
    const hi = Math.floor(n / TWO32);
    p = putU32Hex(b, d, p + 3, hi, false);
    p = putU32Hex(b, d, p, n - hi * TWO32, true); // not `%`: a double's modulo is a call into fmod
  } else {
    const s = '0x' + n.toString(16);
    if (s.length > NUMBER_ROOM - 2) throw new RangeError(`trace address ${s.slice(0, 24)}… does not fit 64 bits`);
    b[p++] = 34;
    p = putAscii(b, p, s);
  }
  b[p] = 34;
  return p + 1;
}

/** "0x%08x". */
export function putHex32(b: Uint8Array, d: DataView, p: number, n: number): number {
  d.setUint16(p, pair(34, 48), true);
  b[p + 2] = 120;
  p = putU32Hex(b, d, p + 3, n >>> 0, true);
  b[p] = 34;
  return p + 1;
}

/** "0x%016llx". */
export function putHex64(b: Uint8Array, d: DataView, p: number, n: bigint): number {
  const u = BigInt.asUintN(64, n);
  d.setUint16(p, pair(34, 48), true);
  b[p + 2] = 120;
  p = putU32Hex(b, d, p + 3, Number(u >> 32n), true);
  p = putU32Hex(b, d, p, Number(u & 0xffff_ffffn), true);
  b[p] = 34;
  return p + 1;
}

/** "%08x" (a checksum). */
export function putFnv32(b: Uint8Array, d: DataView, p: number, n: number): number {
  b[p] = 34;
  p = putU32Hex(b, d, p + 1, n >>> 0, true);
  b[p] = 34;
  return p + 1;
}

export function putBool(b: Uint8Array, p: number, v: boolean): number {
  return putAscii(b, p, v ? 'true' : 'false');
}

export function putNull(b: Uint8Array, p: number): number {
  return putAscii(b, p, 'null');
}

/**
 * A JSON string: printable ASCII copied as is, anything else through JSON.stringify.
 * At most 6 * s.length + 2 bytes (an escaped control character is 6; UTF-8 at most 3).
 */
export function putStr(b: Uint8Array, p: number, s: string): number {
  const start = p;
  b[p++] = 34;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || c === 34 || c === 92) return start + utf8.encodeInto(JSON.stringify(s), b.subarray(start)).written;
    b[p++] = c;
  }
  b[p] = 34;
  return p + 1;
}

/** How many strings a StringCache remembers, and the longest (JSON bytes, quotes included). */
const CACHED_STRINGS = 4;
const CACHED_BYTES = 32;

/**
 * The JSON bytes of the last few strings one field took: device names, API names and ops
 * repeat on nearly every record, and copying their bytes four at a time costs a fraction of
 * checking each character for escapes (putStr was the most expensive part of a record).
 * Strings are compared by value (===), so equal text built anew still hits.
 */
export class StringCache {
  private readonly keys: (string | undefined)[] = new Array<string | undefined>(CACHED_STRINGS).fill(undefined);
  private readonly lens = new Int32Array(CACHED_STRINGS);
  /** Slot k's bytes as little-endian words at [k * CACHED_BYTES / 4, ...). */
  private readonly words = new Uint32Array((CACHED_STRINGS * CACHED_BYTES) / 4);
  private next = 0;

  /** Write s as putStr does; may write up to 3 bytes of garbage past the end (within putStr's room). */
  put(b: Uint8Array, d: DataView, p: number, s: string): number {
    const keys = this.keys;
    for (let k = 0; k < CACHED_STRINGS; k++) {
      if (keys[k] === s) {
        const len = this.lens[k];
        const w = this.words;
        for (let i = 0, j = k * (CACHED_BYTES / 4); i < len; i += 4, j++) d.setUint32(p + i, w[j], true);
        return p + len;
      }
    }
    const end = putStr(b, p, s);
    if (end - p <= CACHED_BYTES) this.remember(s, b, p, end);
    return end;
  }

  private remember(s: string, b: Uint8Array, from: number, to: number): void {
    const k = this.next;
    this.next = (k + 1) % CACHED_STRINGS;
    this.keys[k] = s;
    this.lens[k] = to - from;
    const at = k * CACHED_BYTES;
    for (let i = 0; i < to - from; i += 4) {
      const word = b[from + i] | (b[from + i + 1] << 8) | (b[from + i + 2] << 16) | (b[from + i + 3] << 24);
      this.words[(at + i) / 4] = word;
    }
  }
}

/** Constant bytes (a key and its punctuation), four at a time. */
export function constWriter(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4) {
    const word = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    out += `d.setUint32(p + ${i}, ${word}, true); `;
  }
  for (; i < bytes.length; i++) out += `b[p + ${i}] = ${bytes[i]}; `;
  return `${out}p += ${bytes.length};`;
}
