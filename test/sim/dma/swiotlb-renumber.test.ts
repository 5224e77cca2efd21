// swiotlbClaim and swiotlbRelease write a renumbered free run in one copy instead of the
// kernel's slot-by-slot loops. The counts are what users see (`info swiotlb`, debugfs), so
// they must come out exactly as the kernel's loops leave them, in every state the kernel
// can reach: including after a driver unmaps more than it mapped and the freed slots run
// past their segment, when counts stop being run lengths. The reference below is the
// kernel's code, transcribed: kernel/dma/swiotlb.c (v5.0.1 and v5.4.1),
// swiotlb_tbl_map_single's "found" branch and swiotlb_tbl_unmap_single's two steps.
import { describe, expect, it } from 'vitest';
import { intBelow, intBetween, prngFromSeed, type Prng } from '../../../src/sim/core/prng.ts';
import { IO_TLB_SEGSIZE, swiotlbStateCreate } from '../../../src/sim/dma/swiotlb-state.ts';
import { swiotlbClaim, swiotlbRelease } from '../../../src/sim/dma/swiotlb-slots.ts';

const OFFSET = (i: number) => i & (IO_TLB_SEGSIZE - 1); // OFFSET(i, IO_TLB_SEGSIZE), unsigned for i = -1
const ALIGN = (x: number, a: number) => Math.ceil(x / a) * a;

/** swiotlb_tbl_map_single, found: zero the slots, then `io_tlb_list[i] = ++count` backwards. */
function kernelClaim(list: Uint32Array, index: number, nslots: number): void {
  let count = 0;
  for (let i = index; i < index + nslots; i++) list[i] = 0;
  for (let i = index - 1; OFFSET(i) !== IO_TLB_SEGSIZE - 1 && list[i]; i--) list[i] = ++count;
}

/** swiotlb_tbl_unmap_single: count from the run after, step 1 the freed slots, step 2 the run before. */
function kernelRelease(list: Uint32Array, index: number, nslots: number): void {
  let count = index + nslots < ALIGN(index + 1, IO_TLB_SEGSIZE) ? list[index + nslots] : 0;
  for (let i = index + nslots - 1; i >= index; i--) list[i] = ++count;
  for (let i = index - 1; OFFSET(i) !== IO_TLB_SEGSIZE - 1 && list[i]; i--) list[i] = ++count;
}

/**
 * Random claims (anywhere the kernel's test `io_tlb_list[index] >= nslots` passes) and
 * releases of allocated slots; with `overrun`, some releases run past the segment end.
 */
function run(p: Prng, steps: number, overrun: boolean): { crossedAt: number } {
  const nslabs = IO_TLB_SEGSIZE * intBetween(p, overrun ? 2 : 1, 3);
  const st = swiotlbStateCreate(0x4000_0000, nslabs, false);
  const ref = Uint32Array.from(st.list);
  let crossedAt = -1;
  for (let step = 0; step < steps; step++) {
    // With overrun, often near a segment boundary, where a release can cross it.
    const near = overrun && intBelow(p, 2) === 0;
    const index = near ? (IO_TLB_SEGSIZE * intBelow(p, nslabs / IO_TLB_SEGSIZE) + nslabs - 8 + intBelow(p, 16)) % nslabs : intBelow(p, nslabs);
    if (intBelow(p, 2) === 0) {
      const nslots = intBetween(p, 1, 8);
      if (ref[index] < nslots) continue;
      kernelClaim(ref, index, nslots);
      swiotlbClaim(st, index, nslots, 0x1_0000_0000, 0);
    } else {
      // The longest allocated stretch from index, maybe past the segment end.
      const segEnd = ALIGN(index + 1, IO_TLB_SEGSIZE);
      let n = 0;
      while (index + n < nslabs && ref[index + n] === 0 && (overrun || index + n < segEnd)) n++;
      if (n === 0) continue;
      const nslots = near ? n : intBetween(p, 1, n);
      if (index + nslots > segEnd && crossedAt < 0) crossedAt = step;
      kernelRelease(ref, index, nslots);
      swiotlbRelease(st, index, nslots);
    }
    const bad = ref.findIndex((w, i) => st.list[i] !== w);
    if (bad >= 0) expect(st.list[bad], `step ${step}: io_tlb_list[${bad}]`).toBe(ref[bad]);
    expect(st.crossed).toBe(crossedAt >= 0);
  }
  return { crossedAt };
}

describe('swiotlb renumbering, against the kernel loops transcribed', () => {
  it('gives the kernel counts after every claim and release (200 seeds x 400 steps)', () => {
    for (let seed = 1; seed <= 200; seed++) run(prngFromSeed(seed), 400, false);
  });

  it('still does after an unmap runs past its segment end (the kernel leaves counts that are not run lengths)', () => {
    let crossed = 0;
    for (let seed = 1; seed <= 200; seed++) if (run(prngFromSeed(1000 + seed), 400, true).crossedAt >= 0) crossed++;
    expect(crossed, 'seeds where a release crossed a segment').toBeGreaterThan(40);
  });

  it('renumbers the run before a mid-segment claim back to the segment start, and merges it back on release', () => {
    const st = swiotlbStateCreate(0x4000_0000, 256, false);
    swiotlbClaim(st, 130, 2, 0, 0);
    expect(Array.from(st.list.subarray(127, 134))).toEqual([1, 2, 1, 0, 0, 124, 123]);
    swiotlbRelease(st, 130, 2);
    expect(Array.from(st.list.subarray(127, 134))).toEqual([1, 128, 127, 126, 125, 124, 123]);
  });
});
