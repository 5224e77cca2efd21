/**
 * Deterministic physical allocation for page-table pages, bounce pools and buffers:
 * address-ordered first fit over the DRAM ranges, with a zone limit (an L1 table from
 * ZONE_DMA32 must sit below 4 GiB) and power-of-two alignment. Same calls, same addresses.
 */
import { assert } from '../core/assert.ts';
import { SimLimitError } from '../limits.ts';

export interface FreeRange {
  start: number;
  end: number; // exclusive
}

export interface PhysAllocator {
  free: FreeRange[]; // sorted by start, never adjacent (merged)
  allocated: number; // bytes in use, for the devices panel
}

export function allocatorCreate(dram: readonly { base: number; size: number }[]): PhysAllocator {
  const free = dram
    .map((r) => ({ start: r.base, end: r.base + r.size }))
    .sort((x, y) => x.start - y.start);
  return { free, allocated: 0 };
}

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

/** First fit at or above `min` and ending at or below `limit`; -1 when nothing fits. */
export function physAlloc(
  al: PhysAllocator,
  size: number,
  opts: { align?: number; limit?: number; min?: number } = {},
): number {
  const align = opts.align ?? 4096;
  const limit = opts.limit ?? Infinity;
  const min = opts.min ?? 0;
  assert(size > 0 && Number.isSafeInteger(size), `bad allocation size ${size}`);
  assert(align > 0 && Number.isInteger(Math.log2(align)), `bad alignment ${align}`);
  for (let i = 0; i < al.free.length; i++) {
    const r = al.free[i];
    const start = alignUp(Math.max(r.start, min), align);
    const end = start + size;
    if (end > r.end || end > limit) continue;
    carve(al, i, start, end);
    al.allocated += size;
    return start;
  }
  return -1;
}

/** Take a fixed range (a scenario's named buffer); false if any of it is not free. */
export function physReserve(al: PhysAllocator, start: number, size: number): boolean {
  const end = start + size;
  const i = al.free.findIndex((r) => r.start <= start && end <= r.end);
  if (i < 0) return false;
  carve(al, i, start, end);
  al.allocated += size;
  return true;
}

function carve(al: PhysAllocator, i: number, start: number, end: number): void {
  const r = al.free[i];
  const parts: FreeRange[] = [];
  if (r.start < start) parts.push({ start: r.start, end: start });
  if (end < r.end) parts.push({ start: end, end: r.end });
  al.free.splice(i, 1, ...parts);
}

export function physFree(al: PhysAllocator, start: number, size: number): void {
  const end = start + size;
  let i = 0;
  while (i < al.free.length && al.free[i].start < start) i++;
  const prev = al.free[i - 1];
  const next = al.free[i];
  assert(!prev || prev.end <= start, `double free at 0x${start.toString(16)}`);
  assert(!next || end <= next.start, `double free at 0x${start.toString(16)}`);
  al.allocated -= size;
  if (prev && prev.end === start && next && next.start === end) {
    prev.end = next.end;
    al.free.splice(i, 1);
  } else if (prev && prev.end === start) {
    prev.end = end;
  } else if (next && next.start === end) {
    next.start = start;
  } else {
    al.free.splice(i, 0, { start, end });
  }
}

/**
 * physAlloc for the kernel's own boot-time tables (root tables, rings, queues): the scenario's
 * DRAM is too small for them, which the build reports against memory.dram.
 */
export function physAllocOrLimit(al: PhysAllocator, size: number, opts: { align?: number; limit?: number; min?: number }, what: string): number {
  const pa = physAlloc(al, size, opts);
  if (pa < 0) throw new SimLimitError(`out of simulated DRAM for ${what} (${size} bytes; ${al.allocated} bytes already allocated)`);
  return pa;
}
