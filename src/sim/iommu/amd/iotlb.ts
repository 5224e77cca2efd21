/**
 * An AMD IOMMU's IOTLB: translations tagged with the domain ID the device table entry
 * gave the walk, so INVALIDATE_IOMMU_PAGES (which names a domain ID) reaches exactly the
 * entries of that domain, and only on the IOMMUs it is sent to. A fixed array, looked up
 * linearly, refilled into an invalid slot or else the least recently used one (ties to the
 * lowest index): deterministic. Plain data, so it snapshots.
 */
import type { AmdIotlb, AmdIotlbEntry } from './state.ts';
import { iotlbInvalAll, iotlbValidCount } from '../iotlb.ts';

export const AMD_IOTLB_ENTRIES = 64;

function emptyEntry(): AmdIotlbEntry {
  return { valid: false, domid: 0, iova: 0, pa: 0, size: 0, ir: false, iw: false, path: [], pteSeq: -1, gen: -1, lru: 0, staleReported: false, filledBy: -1 };
}

export function amdIotlbCreate(n: number = AMD_IOTLB_ENTRIES): AmdIotlb {
  return { entries: Array.from({ length: n }, emptyEntry), clock: 0, hits: 0, misses: 0, fills: 0, evictions: 0, invalidated: 0 };
}

/** Index of the valid entry of `domid` covering iova, or -1. A hit refreshes its stamp. */
export function amdIotlbLookup(t: AmdIotlb, domid: number, iova: number): number {
  const es = t.entries;
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    if (e.valid && e.domid === domid && iova >= e.iova && iova < e.iova + e.size) {
      e.lru = ++t.clock;
      t.hits++;
      return i;
    }
  }
  t.misses++;
  return -1;
}

export type AmdIotlbFill = Pick<AmdIotlbEntry, 'domid' | 'iova' | 'pa' | 'size' | 'ir' | 'iw' | 'path' | 'pteSeq' | 'gen' | 'filledBy'>;

export function amdIotlbFill(t: AmdIotlb, f: AmdIotlbFill): number {
  let slot = 0;
  for (let i = 0; i < t.entries.length; i++) {
    const e = t.entries[i];
    if (!e.valid) {
      slot = i;
      break;
    }
    if (e.lru < t.entries[slot].lru) slot = i;
  }
  const e = t.entries[slot];
  if (e.valid) t.evictions++;
  e.domid = f.domid;
  e.iova = f.iova;
  e.pa = f.pa;
  e.size = f.size;
  e.ir = f.ir;
  e.iw = f.iw;
  // The walk's words are copied into the entry's own array (no allocation per fill).
  const p = e.path;
  p.length = f.path.length;
  for (let i = 0; i < f.path.length; i++) p[i] = f.path[i];
  e.pteSeq = f.pteSeq;
  e.gen = f.gen;
  e.filledBy = f.filledBy;
  e.valid = true;
  e.staleReported = false;
  e.lru = ++t.clock;
  t.fills++;
  return slot;
}

/**
 * Drop the entries of `domid` overlapping [start, end) (`end` exclusive); start/end
 * undefined: all of the domain's entries. Returns how many went.
 */
export function amdIotlbInvalidate(t: AmdIotlb, domid: number, start?: number, end?: number): number {
  let n = 0;
  for (const e of t.entries) {
    if (!e.valid || e.domid !== domid) continue;
    if (start !== undefined && end !== undefined && !(e.iova < end && e.iova + e.size > start)) continue;
    e.valid = false;
    n++;
  }
  t.invalidated += n;
  return n;
}

/** INVALIDATE_IOMMU_ALL: every entry. */
export const amdIotlbInvalidateAll: (t: AmdIotlb) => number = iotlbInvalAll;

export const amdIotlbValid: (t: AmdIotlb) => number = iotlbValidCount;
