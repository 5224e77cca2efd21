/**
 * The SWIOTLB slot allocator, pure over SwiotlbState: the search, claim and release parts
 * of swiotlb_tbl_map_single / swiotlb_tbl_unmap_single (kernel/dma/swiotlb.c, identical
 * in v5.0.1 and v5.4.1 apart from v5.4's io_tlb_used early-out, which never changes the
 * answer). No trace, no memory: the tests and the bench drive these directly.
 */
import { assert } from '../core/assert.ts';
import { PAGE_SHIFT } from '../mem/phys.ts';
import {
  INVALID_PHYS_ADDR,
  IO_TLB_SEGSIZE,
  IO_TLB_SHIFT,
  IO_TLB_SIZE,
  type SwiotlbState,
} from './swiotlb-state.ts';

const SEG_LAST = IO_TLB_SEGSIZE - 1;
/** PAGE_SIZE and the stride of a page-sized mapping, as constants (`2 **` is a call per use). */
const PAGE_BYTES = 1 << PAGE_SHIFT;
const PAGE_STRIDE = 1 << (PAGE_SHIFT - IO_TLB_SHIFT);

/** The geometry of one request, computed as swiotlb_tbl_map_single does before locking. */
export interface SlotRequest {
  nslots: number;
  /** 2 for mappings of PAGE_SIZE or more (page-aligned in the pool), else 1. */
  stride: number;
  /** offset_slots: the pool's dma address (masked by the boundary) in slots. */
  offsetSlots: number;
  /** max_slots: the device's segment boundary (mask + 1) in slots. */
  maxSlots: number;
}

/** nslots, stride, offset_slots and max_slots for a mapping of `size` bytes. */
export function slotRequest(
  size: number,
  tblDmaAddr: number,
  segBoundaryMask: number,
): SlotRequest {
  assert(size > 0, 'BUG_ON(!nslots)');
  const boundary = segBoundaryMask + 1; // a power of two; 2^64 when the mask is ~0UL
  // tbl_dma_addr &= mask, without 32-bit bit operators (nor `%`, a call into fmod on doubles)
  const tbl = tblDmaAddr - Math.floor(tblDmaAddr / boundary) * boundary;
  return {
    nslots: Math.ceil(size / IO_TLB_SIZE),
    stride: size >= PAGE_BYTES ? PAGE_STRIDE : 1,
    offsetSlots: Math.ceil(tbl / IO_TLB_SIZE),
    // ALIGN(mask + 1, 2K) >> 11; the kernel's "mask + 1 == 0" case is 2^64 >> 11 here too.
    maxSlots: Math.ceil(boundary / IO_TLB_SIZE),
  };
}

/** iommu_is_span_boundary(index, nr, shift, boundary_size): would the run cross it? */
export function iommuIsSpanBoundary(
  index: number,
  nr: number,
  shift: number,
  boundarySize: number,
): boolean {
  return ((shift + index) % boundarySize) + nr > boundarySize;
}

/**
 * The search loop of swiotlb_tbl_map_single: from ALIGN(io_tlb_index, stride), stepping
 * by stride and wrapping at nslabs, the first index whose free count is at least nslots
 * and whose run does not cross the device's segment boundary. -1 when it comes back to
 * where it started ("swiotlb buffer is full").
 */
export function swiotlbFindSlots(st: SwiotlbState, rq: SlotRequest): number {
  const { nslots, stride, offsetSlots, maxSlots } = rq;
  const nslabs = st.nslabs;
  const list = st.list;
  let index = Math.ceil(st.index / stride) * stride;
  if (index >= nslabs) index = 0;
  const wrap = index;
  do {
    while (iommuIsSpanBoundary(index, nslots, offsetSlots, maxSlots)) {
      index += stride;
      if (index >= nslabs) index = 0;
      if (index === wrap) return -1;
    }
    if (list[index] >= nslots) return index;
    index += stride;
    if (index >= nslabs) index = 0;
  } while (index !== wrap);
  return -1;
}

/** RAMP[n]: the counts of a whole free run of n slots, n, n-1, ..., 1 (views of one array, made once). */
const RAMP: readonly Uint32Array[] = (() => {
  const down = new Uint32Array(IO_TLB_SEGSIZE);
  for (let i = 0; i < IO_TLB_SEGSIZE; i++) down[i] = IO_TLB_SEGSIZE - i;
  const views: Uint32Array[] = [];
  for (let n = 0; n <= IO_TLB_SEGSIZE; n++) views.push(down.subarray(IO_TLB_SEGSIZE - n));
  return views;
})();

/** Counts n, ..., 2, 1 from slot `start`: a short run by hand, a long one in one copy (a call costs ~25 ns). */
function writeRamp(list: Uint32Array, start: number, n: number): void {
  if (n > 16) list.set(RAMP[n], start);
  else for (let i = 0; i < n; i++) list[start + i] = n - i;
}

/**
 * The kernel's renumbering loop, as written: from index - 1 down, `io_tlb_list[i] = ++count`
 * until the previous segment's last slot or an allocated slot. OFFSET(i, IO_TLB_SEGSIZE) for
 * i = -1 is 127 with the kernel's unsigned AND, and with JS's & too.
 */
function renumberBefore(list: Uint32Array, index: number, count: number): void {
  for (let i = index - 1; (i & SEG_LAST) !== SEG_LAST && list[i] !== 0; i--) list[i] = ++count;
}

/**
 * The first slot of the free run that ends just before `index` (index itself when slot
 * index - 1 is allocated or in the previous segment): where the kernel's renumbering loop
 * stops, `for (i = index - 1; OFFSET(i, IO_TLB_SEGSIZE) != IO_TLB_SEGSIZE - 1 && io_tlb_list[i]; i--)`.
 * When the segment's first run reaches index (its count says how far it goes), that is the
 * segment start, found without walking.
 */
function freeRunStart(list: Uint32Array, index: number): number {
  const seg = index - (index & SEG_LAST);
  const first = list[seg];
  if (first !== 0 && seg + first >= index) return seg;
  let s = index;
  while (s > seg && list[s - 1] !== 0) s--;
  return s;
}

/**
 * The "found" branch: zero the claimed counts, then rewrite the free run just before it
 * as 1, 2, 3, ... back to its start (stopping at the previous segment's last slot or an
 * allocated slot), and move io_tlb_index past the allocation (0 at the end of the pool).
 *
 * The kernel's loop (`io_tlb_list[i] = ++count` from index - 1 down) leaves that run
 * reading k, ..., 2, 1: while every count is its run's length (always, unless an unmap
 * crossed a segment: st.crossed), the run is found from its segment's first count and
 * written in one copy; otherwise the loop runs as the kernel's does.
 */
export function swiotlbClaim(
  st: SwiotlbState,
  index: number,
  nslots: number,
  orig: number,
  owner: number,
): void {
  const list = st.list;
  // Messages are built only on failure: a template literal in assert() costs on every call.
  if (list[index] < nslots) assert(false, `claim of ${nslots} at ${index}: ${list[index]} free`);
  for (let i = index; i < index + nslots; i++) {
    list[i] = 0;
    st.origAddr[i] = orig + (i - index) * IO_TLB_SIZE; // orig_addr + (i << IO_TLB_SHIFT)
    st.owner[i] = owner;
  }
  if (st.crossed) renumberBefore(list, index, 0);
  else if ((index & SEG_LAST) !== 0 && list[index - 1] !== 0) {
    // A free run ends right before the claim (else the kernel's loop stops at once).
    const start = freeRunStart(list, index);
    writeRamp(list, start, index - start);
  }
  st.index = index + nslots < st.nslabs ? index + nslots : 0;
  st.used += nslots;
}

/**
 * The free half of swiotlb_tbl_unmap_single: the freed slots take the count of the free
 * run that follows them (if it is in the same segment) plus their own, and the free run
 * before them is renumbered to end at the merged run, back to the segment start.
 *
 * The kernel counts up (`io_tlb_list[i] = ++count`) from the count of the run after the
 * freed slots through them and the run before them, so the merged run reads L, ..., 2, 1
 * from its start; while counts are run lengths (not st.crossed) the run after already
 * reads the tail of that, and the whole run is written in one copy.
 */
export function swiotlbRelease(st: SwiotlbState, index: number, nslots: number): void {
  const list = st.list;
  if (index < 0 || index + nslots > st.nslabs) assert(false, `release ${index}+${nslots}: outside`);
  for (let i = index; i < index + nslots; i++) {
    if (list[i] !== 0) assert(false, `slot ${i} freed twice`);
  }
  const end = index + nslots;
  const segEnd = index - (index & SEG_LAST) + IO_TLB_SEGSIZE; // ALIGN(index + 1, 128), in integers
  if (end > segEnd) st.crossed = true;
  let count = end < segEnd ? list[end] : 0;
  if (st.crossed || (index & SEG_LAST) === 0 || list[index - 1] === 0) {
    // The kernel's two steps as written; with no free run before (and counts that are run
    // lengths) the second stops at once.
    for (let i = end - 1; i >= index; i--) {
      list[i] = ++count;
      st.origAddr[i] = INVALID_PHYS_ADDR;
      st.owner[i] = -1;
    }
    if (st.crossed) renumberBefore(list, index, count);
  } else {
    for (let i = index; i < end; i++) {
      st.origAddr[i] = INVALID_PHYS_ADDR;
      st.owner[i] = -1;
    }
    const start = freeRunStart(list, index);
    writeRamp(list, start, end - start + count);
  }
  st.used -= nslots;
}

/** The longest free run anywhere: the largest count (a count is the run length from there). */
export function swiotlbLargestFree(st: SwiotlbState): { slot: number; nslots: number } {
  let best = 0, slot = -1;
  const list = st.list;
  for (let i = 0; i < st.nslabs; i++) {
    if (list[i] > best) {
      best = list[i];
      slot = i;
    }
  }
  return { slot, nslots: best };
}
