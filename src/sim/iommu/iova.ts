/**
 * A deterministic IOVA allocator in the spirit of drivers/iommu/iova.c alloc_iova(): page
 * granule, size-aligned (size_aligned=true rounds the alignment up to a power of two),
 * top-down from the domain's limit. Allocations are kept as a sorted list of [start, end).
 */
export interface IovaDomain {
  /** Lowest and one-past-highest IOVA the allocator hands out. */
  start: number;
  limit: number;
  /** Sorted by start, non-overlapping, end exclusive. */
  allocs: { start: number; end: number }[];
}

export const IOVA_GRANULE = 4096;

export function iovaDomainInit(start: number, limit: number): IovaDomain {
  return { start, limit, allocs: [] };
}

const pow2Up = (n: number): number => 2 ** Math.ceil(Math.log2(n));

/** alloc_iova(size_aligned): the highest free aligned range; -1 when the space is full. */
export function allocIova(d: IovaDomain, size: number): number {
  const len = Math.ceil(size / IOVA_GRANULE) * IOVA_GRANULE;
  const align = pow2Up(len / IOVA_GRANULE) * IOVA_GRANULE;
  let ceiling = d.limit;
  for (let i = d.allocs.length; i >= 0; i--) {
    const floor = i > 0 ? d.allocs[i - 1].end : d.start;
    const cand = Math.floor((ceiling - len) / align) * align;
    if (cand >= floor && cand + len <= ceiling) {
      d.allocs.splice(i, 0, { start: cand, end: cand + len });
      return cand;
    }
    if (i > 0) ceiling = d.allocs[i - 1].start;
  }
  return -1;
}

/** free_iova(): drop the allocation starting at iova; false if there is none. */
export function freeIova(d: IovaDomain, iova: number): boolean {
  const i = d.allocs.findIndex((a) => a.start === iova);
  if (i < 0) return false;
  d.allocs.splice(i, 1);
  return true;
}

export function findIova(d: IovaDomain, iova: number): { start: number; end: number } | undefined {
  return d.allocs.find((a) => a.start <= iova && iova < a.end);
}
