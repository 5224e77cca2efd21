// The `sum` of dev-op records is FNV-1a (32-bit: offset basis 0x811c9dc5, prime 0x01000193)
// over the bytes of a memory range. checksum() hashes in place and remembers per-page runs;
// it must always equal the plain definition over a copy of the bytes, whatever writes,
// copies, fills, snapshots and rewrites of identical bytes happened in between.
import { describe, expect, it } from 'vitest';
import { checksum, copy, fill, fnv1a, physCreate, readBytes, write32, write8, writeBytes, type PhysMem } from '../../../src/sim/mem/phys.ts';
import { intBelow, prngFromSeed } from '../../../src/sim/core/prng.ts';

/** The definition, byte by byte, with no shortcut. */
function fnvReference(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul((h ^ b) >>> 0, 0x01000193) >>> 0;
  return h;
}

const firstDifference = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
};

const RANGES: readonly [number, number][] = [[0, 4 * 4096], [0x100, 0x2000], [0x3000, 0x1800], [5 * 4096, 4096]];

describe('checksum (FNV-1a over memory)', () => {
  it('known values: empty, one byte, and 16 KiB never written', () => {
    expect(fnv1a(new Uint8Array(0))).toBe(0x811c9dc5);
    expect(fnv1a(Uint8Array.of(0x61))).toBe(0xe40c292c); // FNV-1a 32 of "a"
    const zeros = fnvReference(new Uint8Array(16384));
    expect(checksum(physCreate(), 0x4000_0000, 16384)).toBe(zeros);
  });

  it('equals FNV-1a of a copy of the bytes after any mix of writes (property test)', () => {
    for (let seed = 0; seed < 8; seed++) {
      const p = prngFromSeed(seed);
      let mem: PhysMem = physCreate();
      const base = 0x4000_0000;
      const span = 6 * 4096;
      const shadow = new Uint8Array(span); // what memory must hold, kept the obvious way
      const at = () => intBelow(p, span);
      for (let i = 0; i < 200; i++) {
        const op = intBelow(p, 8);
        const a = at();
        // Half the writes short (a log line, a descriptor), half up to three pages.
        const n = Math.min(1 + intBelow(p, intBelow(p, 2) ? 96 : 3 * 4096), span - a);
        if (op === 0 || op === 1) {
          // new bytes, or the bytes already there written again
          const data = op === 0 ? new Uint8Array(n).fill(intBelow(p, 256)) : shadow.slice(a, a + n);
          writeBytes(mem, base + a, data);
          shadow.set(data, a);
        } else if (op === 2) {
          const v = intBelow(p, 3) === 0 ? 0 : intBelow(p, 256);
          fill(mem, base + a, n, v);
          shadow.fill(v, a, a + n);
        } else if (op === 3) {
          const d = at();
          const cn = Math.min(n, span - d);
          copy(mem, base + d, base + a, cn);
          shadow.copyWithin(d, a, a + cn);
        } else if (op === 4) {
          const w = a & ~3;
          const v = intBelow(p, 2 ** 32);
          write32(mem, base + w, v);
          for (let k = 0; k < 4; k++) shadow[w + k] = (v >>> (8 * k)) & 0xff;
        } else if (op === 5) {
          const v = intBelow(p, 256);
          write8(mem, base + a, v);
          shadow[a] = v;
        } else if (op === 6) mem = structuredClone(mem); // a restored snapshot
        else {
          // the bytes already there with one of them changed: a write that is almost a rewrite
          const data = shadow.slice(a, a + n);
          data[intBelow(p, n)] ^= 1 + intBelow(p, 255);
          writeBytes(mem, base + a, data);
          shadow.set(data, a);
        }
        // A few fixed ranges, hashed again and again across the writes (as a device's
        // dev-op sum is), so remembered page runs are reused and must be dropped on change.
        const [ca, cn] = RANGES[intBelow(p, RANGES.length)];
        expect(checksum(mem, base + ca, cn)).toBe(fnvReference(shadow.subarray(ca, ca + cn)));
        expect(firstDifference(readBytes(mem, base + ca, cn), shadow.subarray(ca, ca + cn))).toBe(-1);
      }
    }
  });
});
