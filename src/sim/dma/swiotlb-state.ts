/**
 * SWIOTLB pool state (kernel/dma/swiotlb.c, v5.0.1 and v5.4.1): the bounce pool is cut
 * into 2 KiB slots ("slabs") grouped in segments of 128; io_tlb_list[i] counts the free
 * slots from i to the end of i's free run (never past its segment), 0 when allocated.
 * Everything is plain data (typed arrays), so the machine snapshot carries it.
 */
import type { Machine } from '../machine.ts';
import { assert } from '../core/assert.ts';
import { modelKey } from '../core/keys.ts';

export const IO_TLB_SHIFT = 11;
export const IO_TLB_SIZE = 1 << IO_TLB_SHIFT; // one slot: 2 KiB
export const IO_TLB_SEGSIZE = 128; // slots per segment: a mapping never spans two
/** io_tlb_orig_addr of a free slot (INVALID_PHYS_ADDR is all-ones in the kernel). */
export const INVALID_PHYS_ADDR = -1;
/** swiotlb_max_mapping_size() (v5.2+): one whole segment, 256 KiB. */
export const IO_TLB_MAX_MAPPING = IO_TLB_SIZE * IO_TLB_SEGSIZE;
export const SWIOTLB_DEFAULT_SIZE = 64 * 1024 * 1024; // IO_TLB_DEFAULT_SIZE

export interface SwiotlbFull {
  dev: string;
  size: number;
  nslots: number;
  t: number;
}

export interface SwiotlbState {
  /** io_tlb_start / io_tlb_end: the pool's physical range [start, end). */
  start: number;
  end: number;
  nslabs: number;
  /** io_tlb_list: free-run counts. */
  list: Uint32Array;
  /** io_tlb_orig_addr: per slot, the original buffer address it bounces (or INVALID). */
  origAddr: Float64Array;
  /** Not in the kernel: per slot, the index into `owners` of the mapping device, or -1. */
  owner: Int32Array;
  owners: string[];
  /** io_tlb_index: where the next search starts. */
  index: number;
  /** io_tlb_used in v5.4 (debugfs); v5.0 has no such counter, dmadbg keeps it for both. */
  used: number;
  /** swiotlb_force == SWIOTLB_FORCE (swiotlb=force, or an encrypted guest). */
  force: boolean;
  /** Not in the kernel: the last request that found no room, for the debugger. */
  lastFull: SwiotlbFull | null;
  /**
   * Not in the kernel: an unmap freed slots past its segment's end (a driver unmapping more
   * than it mapped), after which a count need not be its run's length. The allocator then
   * renumbers slot by slot exactly as the kernel's loops do (see swiotlbClaim).
   */
  crossed: boolean;
}

export const SWIOTLB_MODEL = modelKey<SwiotlbState>('swiotlb');

/** swiotlb_init_with_tbl: every segment starts as 128, 127, ..., 1; all origs invalid. */
export function swiotlbStateCreate(start: number, nslabs: number, force: boolean): SwiotlbState {
  assert(nslabs > 0, 'an empty pool');
  assert(nslabs % IO_TLB_SEGSIZE === 0, 'nslabs must be a multiple of IO_TLB_SEGSIZE');
  const list = new Uint32Array(nslabs);
  for (let i = 0; i < nslabs; i++) list[i] = IO_TLB_SEGSIZE - (i % IO_TLB_SEGSIZE);
  return {
    start,
    end: start + nslabs * IO_TLB_SIZE,
    nslabs,
    list,
    origAddr: new Float64Array(nslabs).fill(INVALID_PHYS_ADDR),
    owner: new Int32Array(nslabs).fill(-1),
    owners: [],
    index: 0,
    used: 0,
    force,
    lastFull: null,
    crossed: false,
  };
}

/** `swiotlb=<size>`: nslabs = ALIGN(size >> IO_TLB_SHIFT, IO_TLB_SEGSIZE). */
export function swiotlbNslabsFor(size: number): number {
  const slabs = Math.ceil(size / IO_TLB_SIZE);
  return Math.ceil(slabs / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
}

export function swiotlbOf(m: Machine): SwiotlbState | undefined {
  return m.findModel(SWIOTLB_MODEL);
}

/** is_swiotlb_active(): io_tlb_end != 0, i.e. a pool was set up. */
export function isSwiotlbActive(m: Machine): boolean {
  const st = swiotlbOf(m);
  return st !== undefined && st.end !== 0;
}

/** is_swiotlb_buffer(pa): io_tlb_start <= pa < io_tlb_end. */
export function isSwiotlbBuffer(st: SwiotlbState | undefined, pa: number): boolean {
  return st !== undefined && pa >= st.start && pa < st.end;
}

/** swiotlb_max_mapping_size() (added in v5.2): 2 KiB x 128 = 256 KiB. */
export function swiotlbMaxMappingSize(): number {
  return IO_TLB_MAX_MAPPING;
}
