/**
 * The IOTLB is a finite deterministic cache: fills take the first invalid slot, then the
 * least recently used one (lowest stamp); hits refresh the stamp; range invalidation drops
 * every entry overlapping [start, last] (last inclusive, as INVLD_END_A). The IOVA allocator
 * is top-down and size-aligned, and reuses freed ranges.
 */
import { describe, expect, it } from 'vitest';
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

});
