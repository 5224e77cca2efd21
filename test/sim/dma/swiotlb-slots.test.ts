// Slot choice must be the kernel's, slot for slot: a user compares our trace with a real
// machine's "swiotlb buffer is full" or with debugfs, so each sequence below is computed by
// hand from swiotlb_tbl_map_single / swiotlb_tbl_unmap_single (kernel/dma/swiotlb.c,
// v5.0.1 and v5.4.1) and checked against the allocator.
import { describe, expect, it } from 'vitest';
import { swiotlbStateCreate } from '../../../src/sim/dma/swiotlb-state.ts';
import { slotRequest, swiotlbClaim, swiotlbFindSlots, swiotlbRelease } from '../../../src/sim/dma/swiotlb-slots.ts';

const POOL = 0x4000_0000;
const KB = 1024;

function fresh(nslabs = 256) {
  return swiotlbStateCreate(POOL, nslabs, false);
}

/** swiotlb_tbl_map_single's slot part: find, then claim; -1 when full. */
function map(st: ReturnType<typeof fresh>, size: number, mask = 0xffff_ffff, tbl = st.start): number {
  const rq = slotRequest(size, tbl, mask);
  const index = swiotlbFindSlots(st, rq);
  if (index >= 0) swiotlbClaim(st, index, rq.nslots, 0x1_0000_0000, 0);
  return index;
}

function unmap(st: ReturnType<typeof fresh>, index: number, size: number): void {
  swiotlbRelease(st, index, Math.ceil(size / 2048));
}

const slice = (st: ReturnType<typeof fresh>, a: number, b: number) => Array.from(st.list.subarray(a, b));

describe('swiotlb_tbl_map_single slot choice', () => {
  it('init: each segment counts down 128..1 [swiotlb_init_with_tbl]', () => {
    const st = fresh();
    expect(slice(st, 0, 3)).toEqual([128, 127, 126]);
    expect(slice(st, 126, 130)).toEqual([2, 1, 128, 127]);
  });

  it('stride 2 for size >= PAGE_SIZE: a 4 KiB map after a 2 KiB one skips the odd slot [swiotlb_tbl_map_single]', () => {
    const st = fresh();
    expect(map(st, 2 * KB)).toBe(0); // stride 1, nslots 1; io_tlb_index = 1
    expect(st.index).toBe(1);
    expect(map(st, 4 * KB)).toBe(2); // ALIGN(1, 2) = 2; nslots 2
    // Backward fix-up from slot 1: the free run 1..1 now ends at the allocation.
    expect(slice(st, 0, 5)).toEqual([0, 1, 0, 0, 124]);
    expect(st.index).toBe(4);
    expect(map(st, 100)).toBe(4); // stride 1 starts right at the cursor
    expect(map(st, 4097)).toBe(6); // 3 slots, stride 2: ALIGN(5, 2) = 6
    expect(st.index).toBe(9);
  });

  it('claiming mid-segment renumbers the free run before it back to the segment start [swiotlb_tbl_map_single]', () => {
    const st = fresh();
    st.index = 10;
    expect(map(st, 8 * KB)).toBe(10);
    expect(slice(st, 0, 15)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 114]);
  });

  it('a run never crosses a 128-slot segment: 256 KiB after one slot goes to the next segment [swiotlb_tbl_map_single]', () => {
    const st = fresh();
    expect(map(st, 16)).toBe(0);
    // nslots 128, stride 2: index 2 has 126 free; 4, 6, ... fewer; 128 has 128.
    expect(map(st, 256 * KB)).toBe(128);
    expect(st.index).toBe(0); // 128 + 128 == nslabs -> 0
    expect(map(st, 256 * KB + 1)).toBe(-1); // 129 slots never fit
  });

  it('the device segment boundary (iommu_is_span_boundary) skips runs that would cross it [swiotlb_tbl_map_single]', () => {
    const st = fresh();
    const mask = 0xffff; // 64 KiB boundary: max_slots = 32, offset_slots = 0
    expect(map(st, 2 * KB, mask)).toBe(0);
    // 64 KiB = 32 slots, stride 2: from 2, (2 % 32) + 32 > 32 ... until index 32.
    expect(map(st, 64 * KB, mask)).toBe(32);
    // A 6 KiB map (3 slots, stride 2) from cursor 64 fits at 64.
    expect(map(st, 6 * KB, mask)).toBe(64);
  });

  it("offset_slots: the pool's own offset in the boundary shifts where runs start [swiotlb_tbl_map_single]", () => {
    // The pool starts 32 KiB past a 64 KiB boundary: offset_slots = 16, max_slots = 32.
    const st = swiotlbStateCreate(POOL + 32 * KB, 256, false);
    const mask = 0xffff;
    // 40 KiB = 20 slots, stride 2: (16 + 0) % 32 + 20 = 36 > 32, ... first fit at 16.
    expect(map(st, 40 * KB, mask)).toBe(16);
    // 32 KiB = 16 slots from cursor 36: (16+36)%32+16 = 36 > 32 ... index 48: (64%32)+16 = 16 ok.
    expect(map(st, 32 * KB, mask)).toBe(48);
  });

  it('wraps around to slot 0 when nothing fits between the cursor and the end [swiotlb_tbl_map_single]', () => {
    const st = fresh();
    st.index = 250;
    expect(map(st, 16 * KB)).toBe(0); // 250: 6, 252: 4, 254: 2, wrap -> 0: 128
    expect(st.index).toBe(8);
    st.index = 255; // ALIGN(255, 2) = 256 >= nslabs -> 0
    expect(map(st, 4 * KB)).toBe(8);
  });

  it('full: the cursor stays where it was [swiotlb_tbl_map_single]', () => {
    const st = fresh(128);
    expect(map(st, 200 * KB)).toBe(0); // 100 slots
    st.index = 7;
    expect(map(st, 60 * KB)).toBe(-1); // 30 slots, only 28 left
    expect(st.index).toBe(7);
    expect(map(st, 56 * KB)).toBe(100); // 28 slots: exactly the tail
  });
});

describe('swiotlb_tbl_unmap_single merging', () => {
  it('merges with the following free run and renumbers the preceding one [swiotlb_tbl_unmap_single]', () => {
    const st = fresh();
    const a = map(st, 4 * KB); // 0..1
    const b = map(st, 4 * KB); // 2..3
    const c = map(st, 4 * KB); // 4..5
    expect([a, b, c]).toEqual([0, 2, 4]);
    unmap(st, b, 4 * KB); // next slot (4) is allocated: count starts at 0
    expect(slice(st, 0, 7)).toEqual([0, 0, 2, 1, 0, 0, 122]);
    unmap(st, c, 4 * KB); // merges 2..3 + 4..5 + 6..127
    expect(slice(st, 0, 7)).toEqual([0, 0, 126, 125, 124, 123, 122]);
    unmap(st, a, 4 * KB);
    expect(slice(st, 0, 4)).toEqual([128, 127, 126, 125]);
    expect(st.used).toBe(0);
  });

  it('does not merge across a segment boundary in either direction [swiotlb_tbl_unmap_single]', () => {
    const st = fresh();
    st.index = 126;
    expect(map(st, 4 * KB)).toBe(126); // the last two slots of segment 0
    expect(map(st, 4 * KB)).toBe(128); // the first two of segment 1
    unmap(st, 128, 4 * KB);
    // Slot 127 (allocated) is the previous segment's last slot: the walk stops there anyway.
    expect(slice(st, 126, 131)).toEqual([0, 0, 128, 127, 126]);
    unmap(st, 126, 4 * KB);
    // index + nslots == 128 == ALIGN(127, 128): the following run is another segment's: count 0.
    expect(slice(st, 124, 129)).toEqual([4, 3, 2, 1, 128]);
  });

  it('a double free is a dmadbg assertion, not silent corruption [swiotlb_tbl_unmap_single]', () => {
    const st = fresh();
    map(st, 2 * KB);
    unmap(st, 0, 2 * KB);
    expect(() => unmap(st, 0, 2 * KB)).toThrow(/freed twice/);
  });
});
