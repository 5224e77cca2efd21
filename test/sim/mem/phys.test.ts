// Sparse memory must look like real memory: zero until written, little-endian, any address
// below 2^48, and page contents materialised only when written.
import { describe, expect, it } from 'vitest';
import { copy, fill, physCreate, read32, read64, read8, readBytes, write32, write64, write8, writeBytes } from '../../../src/sim/mem/phys.ts';
import { allocatorCreate, physAlloc, physFree, physReserve } from '../../../src/sim/mem/alloc.ts';
import { intBelow, prngFromSeed } from '../../../src/sim/core/prng.ts';

describe('sparse physical memory', () => {
  it('reads zero where nothing was written and does not materialise pages on read', () => {
    const mem = physCreate();
    expect(read32(mem, 0xffff_ffff_f000)).toBe(0);
    expect(readBytes(mem, 2 ** 47, 16)).toEqual(new Uint8Array(16));
    expect(mem.pages.size).toBe(0);
  });

  it('stores little-endian words, across page boundaries and above 4 GiB', () => {
    const mem = physCreate();
    write32(mem, 0x1_2345_6ffe, 0xdeadbeef);
    expect(read8(mem, 0x1_2345_6ffe)).toBe(0xef);
    expect(read8(mem, 0x1_2345_7001)).toBe(0xde);
    expect(read32(mem, 0x1_2345_6ffe)).toBe(0xdeadbeef);
    write64(mem, 0xff_ffff_fff8, 0x0123_4567_89ab_cdefn);
    expect(read64(mem, 0xff_ffff_fff8)).toBe(0x0123_4567_89ab_cdefn);
    expect(mem.pages.size).toBe(3);
  });

  it('copies with memmove semantics and fills without materialising zero pages', () => {
    const mem = physCreate();
    writeBytes(mem, 0x1000, Uint8Array.from([1, 2, 3, 4, 5, 6]));
    copy(mem, 0x1002, 0x1000, 4);
    expect([...readBytes(mem, 0x1000, 6)]).toEqual([1, 2, 1, 2, 3, 4]);
    fill(mem, 0x10_0000, 0x3000, 0);
    expect(mem.pages.size).toBe(1);
    fill(mem, 0x10_0800, 0x1000, 0xaa);
    expect(read8(mem, 0x10_17ff)).toBe(0xaa);
    expect(read8(mem, 0x10_1800)).toBe(0);
  });

  it('refuses addresses beyond 2^48', () => {
    expect(() => write8(physCreate(), 2 ** 48, 1)).toThrow(/beyond 2\^48/);
  });
});

describe('deterministic physical allocator', () => {
  it('is first fit, aligned, zone-limited and merges on free (property test)', () => {
    for (let seed = 0; seed < 10; seed++) {
      const p = prngFromSeed(seed);
      const al = allocatorCreate([{ base: 0x4000_0000, size: 0x100_0000 }, { base: 0x1_0000_0000, size: 0x100_0000 }]);
      const live: { pa: number; size: number }[] = [];
      for (let i = 0; i < 500; i++) {
        if (live.length && intBelow(p, 3) === 0) {
          const [x] = live.splice(intBelow(p, live.length), 1);
          physFree(al, x.pa, x.size);
          continue;
        }
        const size = (1 + intBelow(p, 16)) * 1024, align = 1 << (10 + intBelow(p, 5));
        const limit = intBelow(p, 2) ? 0x1_0000_0000 : undefined;
        const pa = physAlloc(al, size, { align, limit });
        if (pa < 0) continue;
        expect(pa % align).toBe(0);
        if (limit) expect(pa + size).toBeLessThanOrEqual(limit);
        for (const o of live) expect(pa + size <= o.pa || o.pa + o.size <= pa).toBe(true);
        live.push({ pa, size });
      }
      for (const x of live) physFree(al, x.pa, x.size);
      expect(al.free).toEqual([{ start: 0x4000_0000, end: 0x4100_0000 }, { start: 0x1_0000_0000, end: 0x1_0100_0000 }]);
      expect(al.allocated).toBe(0);
    }
  });

  it('reserves fixed ranges and refuses overlaps', () => {
    const al = allocatorCreate([{ base: 0, size: 0x10000 }]);
    expect(physReserve(al, 0x2000, 0x1000)).toBe(true);
    expect(physReserve(al, 0x2800, 0x1000)).toBe(false);
    expect(physAlloc(al, 0x2000, { align: 0x1000, min: 0x1000 })).toBe(0x3000);
  });
});
