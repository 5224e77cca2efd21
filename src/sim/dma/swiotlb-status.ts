/**
 * The SWIOTLB pool as plain typed data for the debugger (`info swiotlb`, the SWIOTLB
 * panel): numbers, never text, computed from the state and never written back. Slots are
 * reported in kernel terms (io_tlb_list counts, io_tlb_orig_addr, io_tlb_index).
 */
import type { Machine } from '../machine.ts';
import { type DeviceBase, DEVICES } from '../devices/device.ts';
import { dmaMaxMappingSize } from './api.ts';
import {
  type SwiotlbFull,
  INVALID_PHYS_ADDR,
  IO_TLB_SEGSIZE,
  IO_TLB_SIZE,
  type SwiotlbState,
  isSwiotlbActive,
  swiotlbOf,
} from './swiotlb-state.ts';
import { swiotlbLargestFree } from './swiotlb-slots.ts';

export interface SwiotlbSlotStatus {
  readonly slot: number;
  /** io_tlb_list[slot]: free slots from here to the end of the run, 0 = allocated. */
  readonly free: number;
  readonly owner: string | null;
  /** io_tlb_orig_addr[slot], or null when the slot holds no mapping. */
  readonly orig: number | null;
}

export interface SwiotlbRun {
  readonly slot: number;
  readonly nslots: number;
}

export interface SwiotlbStatus {
  readonly active: boolean; // is_swiotlb_active()
  readonly force: boolean;
  readonly start: number; // io_tlb_start
  readonly end: number; // io_tlb_end (exclusive)
  readonly nslabs: number;
  /** 1 << IO_TLB_SHIFT: bytes per slot. */
  readonly slotSize: number;
  /** IO_TLB_SEGSIZE: slots per segment; a mapping never crosses one. */
  readonly segSize: number;
  readonly used: number;
  readonly freeSlots: number;
  readonly cursor: number; // io_tlb_index
  readonly largest: SwiotlbRun & { readonly bytes: number };
  /** Maximal free runs (they never cross a 128-slot segment), in slot order. */
  readonly runs: readonly SwiotlbRun[];
  /** Run length -> how many free runs have that length. */
  readonly runHistogram: Readonly<Record<number, number>>;
  readonly lastFull: Readonly<SwiotlbFull> | null;
  /** swiotlb_max_mapping_size() */
  readonly maxMappingSize: number;
  /** dma_max_mapping_size() per device (null = SIZE_MAX). */
  readonly deviceMaxMappingSize: Readonly<Record<string, number | null>>;
}

/** Maximal free runs: a run starts where the count is non-zero and the slot before is not in it. */
export function swiotlbFreeRuns(st: SwiotlbState): SwiotlbRun[] {
  const runs: SwiotlbRun[] = [];
  let i = 0;
  while (i < st.nslabs) {
    const n = st.list[i];
    if (n === 0) {
      i++;
      continue;
    }
    runs.push({ slot: i, nslots: n });
    i += n;
  }
  return runs;
}

export function swiotlbStatus(m: Machine): SwiotlbStatus | null {
  const st = swiotlbOf(m);
  if (!st) return null;
  const runs = swiotlbFreeRuns(st);
  const runHistogram: Record<number, number> = {};
  for (const r of runs) runHistogram[r.nslots] = (runHistogram[r.nslots] ?? 0) + 1;
  const largest = swiotlbLargestFree(st);
  const devices = m.findModel(DEVICES)?.list ?? [];
  const deviceMaxMappingSize: Record<string, number | null> = {};
  for (const d of devices as DeviceBase[]) {
    const v = dmaMaxMappingSize(m, d);
    deviceMaxMappingSize[d.name] = Number.isFinite(v) ? v : null;
  }
  return {
    active: isSwiotlbActive(m),
    force: st.force,
    start: st.start,
    end: st.end,
    nslabs: st.nslabs,
    slotSize: IO_TLB_SIZE,
    segSize: IO_TLB_SEGSIZE,
    used: st.used,
    freeSlots: st.nslabs - st.used,
    cursor: st.index,
    largest: { ...largest, bytes: largest.nslots * IO_TLB_SIZE },
    runs,
    runHistogram,
    lastFull: st.lastFull ? { ...st.lastFull } : null,
    maxMappingSize: IO_TLB_SIZE * IO_TLB_SEGSIZE,
    deviceMaxMappingSize,
  };
}

/** The slot map for slots [from, from + count): the panel scrolls through it. */
export function swiotlbSlots(m: Machine, from = 0, count = Infinity): SwiotlbSlotStatus[] {
  const st = swiotlbOf(m);
  if (!st) return [];
  const out: SwiotlbSlotStatus[] = [];
  const end = Math.min(st.nslabs, from + count);
  for (let i = Math.max(0, from); i < end; i++) {
    const o = st.owner[i];
    const orig = st.origAddr[i];
    out.push({
      slot: i,
      free: st.list[i],
      owner: o < 0 ? null : st.owners[o], orig: orig === INVALID_PHYS_ADDR ? null : orig,
    });
  }
  return out;
}

export interface SwiotlbSegmentStatus {
  readonly segment: number;
  readonly firstSlot: number;
  readonly used: number;
  /** Longest free run inside the segment (runs never leave it). */
  readonly largest: number;
  /** Devices owning slots here, in first-slot order. */
  readonly owners: readonly string[];
}

/** One row per 128-slot segment: a 64 MiB pool is 256 rows, what a panel can scroll. */
export function swiotlbSegments(m: Machine): SwiotlbSegmentStatus[] {
  const st = swiotlbOf(m);
  if (!st) return [];
  const out: SwiotlbSegmentStatus[] = [];
  for (let seg = 0; seg * IO_TLB_SEGSIZE < st.nslabs; seg++) {
    const first = seg * IO_TLB_SEGSIZE;
    let used = 0, largest = 0;
    const owners: string[] = [];
    for (let i = first; i < first + IO_TLB_SEGSIZE; i++) {
      if (st.list[i] === 0) used++;
      if (st.list[i] > largest) largest = st.list[i];
      const o = st.owner[i];
      if (o >= 0 && !owners.includes(st.owners[o])) owners.push(st.owners[o]);
    }
    out.push({ segment: seg, firstSlot: first, used, largest, owners });
  }
  return out;
}
