/**
 * The IOTLB is a finite deterministic cache: fills take the first invalid slot, then the
 * least recently used one (lowest stamp); hits refresh the stamp; range invalidation drops
 * every entry overlapping [start, last] (last inclusive, as INVLD_END_A). The IOVA allocator
 * is top-down and size-aligned, and reuses freed ranges.
 */
import { describe, expect, it } from 'vitest';
import { intBelow, prngFromSeed } from '../../../src/sim/core/prng.ts';
import { iotlbCreate, iotlbFill, iotlbInvalAll, iotlbInvalRange, iotlbLookup, iotlbValidCount } from '../../../src/sim/iommu/iotlb.ts';

const fill = (iova: number, size = 0x1000) => ({ iova, pa: iova + 0x4000_0000, size, ptePa: 0, pte: 0, l1Pa: 0, l1: 0, pteSeq: -1 });

describe('iotlb', () => {
  it('evicts the least recently used entry, deterministically', () => {
    const t = iotlbCreate(4);
    for (let i = 0; i < 4; i++) iotlbFill(t, fill(i * 0x1000));
    expect(iotlbLookup(t, 0x0)).toBe(0); // refresh slot 0
    expect(iotlbFill(t, fill(0x10000))).toBe(1); // slot 1 is now the oldest
    expect(iotlbLookup(t, 0x1000)).toBe(-1);
    expect(t.evictions).toBe(1);
    expect(iotlbLookup(t, 0x10fff)).toBe(1);
  });

  it('range invalidation drops overlapping entries, large pages included', () => {
    const t = iotlbCreate(8);
    iotlbFill(t, fill(0x100000, 0x100000)); // a 1 MiB section
    iotlbFill(t, fill(0x300000));
    expect(iotlbInvalRange(t, 0x1f0000, 0x1fffff)).toBe(1);
    expect(iotlbValidCount(t)).toBe(1);
    expect(iotlbInvalRange(t, 0x301000, 0x301fff)).toBe(0);
    expect(iotlbInvalAll(t)).toBe(1);
    expect(t.invalidated).toBe(2);
  });

  // The cache makes a slot's entry at its first fill. A plain model with every slot there from
  // the start (the textbook cache: first invalid slot, else the smallest stamp, lowest index
  // on a tie) must answer every lookup, fill and invalidation the same, slot for slot.
  it('behaves as a cache with every slot made up front (random operations, 200 seeds)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const p = prngFromSeed(seed);
      const capacity = 1 + intBelow(p, 8);
      const t = iotlbCreate(capacity);
      const ref = Array.from({ length: capacity }, () => ({ valid: false, iova: 0, size: 0, lru: 0 }));
      let clock = 0;
      for (let op = 0; op < 300; op++) {
        const page = intBelow(p, 12) * 0x1000;
        const what = intBelow(p, 10);
        if (what < 5) {
          let want = -1;
          for (let i = 0; i < capacity; i++) {
            const e = ref[i];
            if (e.valid && page >= e.iova && page < e.iova + e.size) {
              e.lru = ++clock;
              want = i;
              break;
            }
          }
          expect(iotlbLookup(t, page), `seed ${seed} op ${op}: lookup ${page.toString(16)}`).toBe(want);
        } else if (what < 8) {
          let want = ref.findIndex((e) => !e.valid);
          if (want < 0) want = ref.reduce((best, e, i) => (e.lru < ref[best].lru ? i : best), 0);
          ref[want] = { valid: true, iova: page, size: 0x1000, lru: ++clock };
          expect(iotlbFill(t, fill(page)), `seed ${seed} op ${op}: fill ${page.toString(16)}`).toBe(want);
        } else if (what < 9) {
          const last = page + intBelow(p, 3) * 0x1000 + 0xfff;
          let want = 0;
          for (const e of ref) if (e.valid && e.iova <= last && e.iova + e.size - 1 >= page) (e.valid = false), want++;
          expect(iotlbInvalRange(t, page, last)).toBe(want);
        } else {
          const want = ref.filter((e) => e.valid).length;
          for (const e of ref) e.valid = false;
          expect(iotlbInvalAll(t)).toBe(want);
        }
        expect(iotlbValidCount(t)).toBe(ref.filter((e) => e.valid).length);
        expect(t.entries.length).toBeLessThanOrEqual(capacity);
      }
    }
  });
});
