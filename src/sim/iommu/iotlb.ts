/**
 * An IOTLB as a finite, deterministic cache of `capacity` slots, looked up linearly, refilled
 * into an invalid slot or else the least recently used one (smallest `lru` stamp, ties to the
 * lowest index). A slot's entry is made at its first fill: slots never filled are invalid, and
 * the first invalid slot is the lowest-numbered one either way, so the cache behaves as if
 * every slot had been there from the start (a machine that translates a few pages makes a few
 * entries, not 64 per cell; lookups and misses scan only the slots ever filled). Plain data,
 * so it snapshots.
 *
 * Each entry remembers where its translation came from (the leaf PTE's address and word,
 * and the level-1 word above it) so the stale-translation checker can tell, on a hit,
 * whether the page table still says the same thing.
 */
export const IOTLB_ENTRIES = 64;

export interface IotlbEntry {
  valid: boolean;
  /** First IOVA the entry covers (aligned to `size`). */
  iova: number;
  /** PA of `iova`; an access at iova + off reaches pa + off. */
  pa: number;
  /** Bytes covered: the leaf's page size (4K, 64K, 1M or 16M). */
  size: number;
  /** Physical address of the leaf PTE word the walk used, and the word it read. */
  ptePa: number;
  pte: number;
  /** The level-1 word on the walk (same as the leaf for a section). */
  l1Pa: number;
  l1: number;
  /** Seq of the last `pte` record for the leaf word when the entry was filled (-1: none). */
  pteSeq: number;
  /** pte generation at which the entry was last known to match the table (-1: never). */
  gen: number;
  /** Recency stamp from the cache's clock. */
  lru: number;
  /** A stale use was already reported for this fill (report once per fill). */
  staleReported: boolean;
}

export interface Iotlb {
  /** The slots filled so far (at most `capacity`), in slot order. */
  entries: IotlbEntry[];
  /** Slots in the cache. */
  capacity: number;
  clock: number;
  hits: number;
  misses: number;
  fills: number;
  evictions: number;
  invalidated: number;
}

export function iotlbCreate(n: number = IOTLB_ENTRIES): Iotlb {
  return { entries: [], capacity: n, clock: 0, hits: 0, misses: 0, fills: 0, evictions: 0, invalidated: 0 };
}

/** Index of the valid entry covering iova, or -1. A hit refreshes the entry's stamp. */
export function iotlbLookup(t: Iotlb, iova: number): number {
  const es = t.entries;
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    if (e.valid && iova >= e.iova && iova < e.iova + e.size) {
      e.lru = ++t.clock;
      t.hits++;
      return i;
    }
  }
  t.misses++;
  return -1;
}

/** The slot a fill takes: the first invalid one (a slot not filled yet gets its entry), else the least recently used. */
function victim(t: Iotlb): number {
  const es = t.entries;
  let best = 0;
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    if (!e.valid) return i;
    if (e.lru < es[best].lru) best = i;
  }
  if (es.length < t.capacity) {
    es.push({ valid: false, iova: 0, pa: 0, size: 0, ptePa: 0, pte: 0, l1Pa: 0, l1: 0, pteSeq: -1, gen: -1, lru: 0, staleReported: false });
    return es.length - 1;
  }
  return best;
}

export type IotlbFill = Omit<IotlbEntry, 'valid' | 'lru' | 'staleReported' | 'gen'> & { gen?: number };
/** The fields iotlbFill copies one by one: a field added to IotlbFill and not copied fails tsc here. */
const FILLED = { iova: 1, pa: 1, size: 1, ptePa: 1, pte: 1, l1Pa: 1, l1: 1, pteSeq: 1, gen: 1 } as const satisfies Record<keyof IotlbFill, 1>;
void FILLED;

export function iotlbFill(t: Iotlb, f: IotlbFill): number {
  const i = victim(t);
  const e = t.entries[i];
  if (e.valid) t.evictions++;
  // Field by field: Object.assign was a quarter of a miss.
  e.iova = f.iova;
  e.pa = f.pa;
  e.size = f.size;
  e.ptePa = f.ptePa;
  e.pte = f.pte;
  e.l1Pa = f.l1Pa;
  e.l1 = f.l1;
  e.pteSeq = f.pteSeq;
  e.gen = f.gen ?? -1;
  e.valid = true;
  e.staleReported = false;
  e.lru = ++t.clock;
  t.fills++;
  return i;
}

/** What every IOTLB model shares (this one, AMD's): entries with a valid bit, a drop count. */
export interface ValidEntries {
  readonly entries: readonly { valid: boolean }[];
  invalidated: number;
}

export function iotlbInvalAll(t: ValidEntries): number {
  let n = 0;
  for (const e of t.entries) {
    if (e.valid) n++;
    e.valid = false;
  }
  t.invalidated += n;
  return n;
}

/** Drop every entry overlapping [start, last] (last inclusive, as INVLD_END_A is). */
export function iotlbInvalRange(t: Iotlb, start: number, last: number): number {
  let n = 0;
  const es = t.entries;
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    if (e.valid && e.iova <= last && e.iova + e.size - 1 >= start) {
      e.valid = false;
      n++;
    }
  }
  t.invalidated += n;
  return n;
}

export function iotlbValidCount(t: Pick<ValidEntries, 'entries'>): number {
  let n = 0;
  for (const e of t.entries) if (e.valid) n++;
  return n;
}
