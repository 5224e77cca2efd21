/**
 * Buffers a device access borrows for the length of one call: what an engine reads only to
 * checksum it or write it elsewhere, and the constant bytes of a pattern write. Not machine
 * state (nothing keeps them past the call), so one of each serves every machine, and an
 * access no longer allocates (a 16 KiB zeroed array per copy was a fifth of the demo's time).
 */

let scratch = new Uint8Array(16 * 1024);
let pattern = new Uint8Array(0);
let patternByte = -1;

/** `len` bytes to read into (deviceReadInto writes all of them); valid until the next call. */
export function readScratch(len: number): Uint8Array {
  if (scratch.length < len) scratch = new Uint8Array(Math.max(len, 2 * scratch.length));
  return scratch.subarray(0, len);
}

/** `len` bytes of `byte` (a pattern write); kept while the same pattern repeats, never written to. */
export function patternBytes(len: number, byte: number): Uint8Array {
  if (pattern.length !== len || patternByte !== byte) {
    pattern = new Uint8Array(len).fill(byte);
    patternByte = byte;
  }
  return pattern;
}
