/**
 * Writes a record's JSON line as bytes straight into a buffer (the trace store's open chunk,
 * or a scratch buffer when a replayed record is checked). Numbers become digits and hex by
 * table, so no intermediate string is built for a record: that string, and encoding it to
 * UTF-8, cost more than everything else an access does.
 */
import { SimAssertionError } from '../core/assert.ts';

const NIB = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
const utf8 = new TextEncoder();
const TWO32 = 0x1_0000_0000;

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  /** Where the record being written starts (its bytes move with it when the buffer is full). */
  start = 0;
  /** Called when fewer than `n` bytes are left: must leave `buf` with room (see TraceStore). */
  private readonly full: (w: ByteWriter, n: number) => void;

  constructor(size: number, full?: (w: ByteWriter, n: number) => void) {
    this.buf = new Uint8Array(size);
    this.full = full ?? growInPlace;
  }

  /** Make room for n more bytes. */
  room(n: number): void {
    if (this.pos + n > this.buf.length) this.full(this, n);
  }

  /** Bytes known in advance (a key with its punctuation). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = bytes[i];
    this.pos = p;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** A JSON number. */
  int(n: number): void {
    this.room(24);
    if (n >= 0 && n < 0x8000_0000 && (n | 0) === n) return this.u31(n);
    if (Number.isSafeInteger(n)) {
      if (n < 0) {
        this.buf[this.pos++] = 45; // '-'
        n = -n;
      }
      if (n < 0x8000_0000) return this.u31(n);
      const hi = Math.floor(n / 1e9);
      this.int(hi);
      this.digits(n - hi * 1e9, 9);
      return;
    }
    this.ascii(JSON.stringify(n)); // fractions, NaN (null), huge values: as JSON writes them
  }

  private u31(n: number): void {
    let d = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) d++;
    this.digits(n, d);
  }

  /** n (< 1e9) as exactly d decimal digits. */
  private digits(n: number, d: number): void {
    const b = this.buf;
    let p = this.pos + d;
    this.pos = p;
    for (let i = 0; i < d; i++) {
      const q = (n / 10) | 0;
      b[--p] = 48 + n - q * 10;
      n = q;
    }
  }

  /** "0x…": lowercase, no padding (a bigint past 2^53). */
  hex(n: number | bigint): void {
    this.room(24);
    const b = this.buf;
    b[this.pos++] = 34;
    b[this.pos++] = 48;
    b[this.pos++] = 120;
    if (typeof n === 'number' && n >= 0 && n <= 0xffff_ffff) this.nibbles(n >>> 0, false);
    else if (typeof n === 'number' && n > 0 && Number.isSafeInteger(n)) {
      this.nibbles(Math.floor(n / TWO32), false);
      this.nibbles(n % TWO32, true);
    } else {
      this.pos -= 3;
      this.str('0x' + n.toString(16));
      return;
    }
    b[this.pos++] = 34;
  }

  /** "0x%08x". */
  hex32(n: number): void {
    this.room(12);
    const b = this.buf;
    b[this.pos++] = 34;
    b[this.pos++] = 48;
    b[this.pos++] = 120;
    this.nibbles(n >>> 0, true);
    b[this.pos++] = 34;
  }

  /** "0x%016llx". */
  hex64(n: bigint): void {
    this.room(20);
    const b = this.buf;
    const u = BigInt.asUintN(64, n);
    b[this.pos++] = 34;
    b[this.pos++] = 48;
    b[this.pos++] = 120;
    this.nibbles(Number(u >> 32n), true);
    this.nibbles(Number(u & 0xffff_ffffn), true);
    b[this.pos++] = 34;
  }

  /** "%08x" (a checksum). */
  fnv32(n: number): void {
    this.room(10);
    this.buf[this.pos++] = 34;
    this.nibbles(n >>> 0, true);
    this.buf[this.pos++] = 34;
  }

  private nibbles(u: number, pad: boolean): void {
    const b = this.buf;
    let sh = 28;
    if (!pad) while (sh > 0 && (u >>> sh) === 0) sh -= 4;
    for (; sh >= 0; sh -= 4) b[this.pos++] = NIB[(u >>> sh) & 15];
  }

  bool(v: boolean): void {
    this.ascii(v ? 'true' : 'false');
  }

  null(): void {
    this.ascii('null');
  }

  /** A JSON string; printable ASCII is copied as is, anything else goes through JSON.stringify. */
  str(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 34;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c > 126 || c === 34 || c === 92) return this.strEscaped(s);
      b[p++] = c;
    }
    b[p++] = 34;
    this.pos = p;
  }

  private strEscaped(s: string): void {
    const j = JSON.stringify(s);
    this.room(j.length * 3);
    this.pos += utf8.encodeInto(j, this.buf.subarray(this.pos)).written;
  }

  /** Text known to be ASCII. */
  private ascii(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  /** Any JSON value of a field the encoder has no fast path for. */
  json(v: unknown): void {
    const j = JSON.stringify(v);
    if (j === undefined) throw new SimAssertionError(`trace field value ${String(v)} has no JSON form`);
    this.room(j.length * 3);
    this.pos += utf8.encodeInto(j, this.buf.subarray(this.pos)).written;
  }
}

/** A scratch writer's growth: a bigger buffer, contents kept. */
function growInPlace(w: ByteWriter, n: number): void {
  const next = new Uint8Array(Math.max(w.buf.length * 2, w.pos + n));
  next.set(w.buf.subarray(0, w.pos));
  w.buf = next;
}

/** UTF-8 bytes of a fixed piece of a line. */
export function bytesOf(s: string): Uint8Array {
  return utf8.encode(s);
}
