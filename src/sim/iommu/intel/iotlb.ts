/**
 * The DMAR unit's IOTLB: a fixed number of entries tagged (domain id, PASID, page), each
 * caching one leaf of the second-level walk (4 KiB, 2 MiB or 1 GiB) with its R/W rights.
 * Fully associative, looked up linearly; a fill takes the first invalid slot, else the least
 * recently used (lowest stamp; ties to the lowest index), so eviction is deterministic.
 * Typed arrays keep it flat, cheap to scan and plain data for snapshots. Each entry also
 * keeps the page-table words its walk read (top level first) for the stale checker.
 */
export const VTD_IOTLB_ENTRIES = 64;
/** Words a second-level walk reads: at most five levels (agaw 3). */
export const VTD_WALK_SL = 5;
/**
 * Words a nested walk reads (a unit with ECAP.NEST): each of four first-level words through a
 * second-level walk, then the output's: 4 x (5 + 1) + 5. Only such units keep room for them.
 */
export const VTD_WALK_MAX = 29;

export interface VtdIotlb {
  size: number;
  /** Room per entry for its walk's words (VTD_WALK_SL, or VTD_WALK_MAX on a nesting unit). */
  walkMax: number;
  /** -1: invalid. */
  did: Int32Array;
  pasid: Int32Array;
  /** First pfn the entry covers and how many 4 KiB pages (1, 512, 262144). */
  pfn: Float64Array;
  pages: Float64Array;
  /** PA of that first page. */
  pa: Float64Array;
  /** DMA_PTE_READ | DMA_PTE_WRITE as the walk found them (ANDed over the levels). */
  perm: Uint8Array;
  lru: Float64Array;
  clock: number;
  /** The walk: `walkN[i]` words at i * walkMax in walkPa / walkWord. */
  walkN: Uint8Array;
  walkPa: Float64Array;
  walkWord: Float64Array;
  /** Seq of the last `pte` record for the leaf when filled (-1: none); pte generation last found current. */
  pteSeq: Float64Array;
  gen: Float64Array;
  staleReported: Uint8Array;
  hits: number;
  misses: number;
  fills: number;
  evictions: number;
  invalidated: number;
}

export function vtdIotlbCreate(n = VTD_IOTLB_ENTRIES, walkMax = VTD_WALK_SL): VtdIotlb {
  return {
    size: n,
    walkMax,
    did: new Int32Array(n).fill(-1),
    pasid: new Int32Array(n),
    pfn: new Float64Array(n),
    pages: new Float64Array(n),
    pa: new Float64Array(n),
    perm: new Uint8Array(n),
    lru: new Float64Array(n),
    clock: 0,
    walkN: new Uint8Array(n),
    walkPa: new Float64Array(n * walkMax),
    walkWord: new Float64Array(n * walkMax),
    pteSeq: new Float64Array(n).fill(-1),
    gen: new Float64Array(n).fill(-1),
    staleReported: new Uint8Array(n),
    hits: 0,
    misses: 0,
    fills: 0,
    evictions: 0,
    invalidated: 0,
  };
}

/** The entry for (did, pasid) covering pfn, or -1; a hit refreshes its stamp. */
export function vtdIotlbLookup(t: VtdIotlb, did: number, pasid: number, pfn: number): number {
  const d = t.did;
  for (let i = 0; i < t.size; i++) {
    if (d[i] === did && t.pasid[i] === pasid && pfn >= t.pfn[i] && pfn < t.pfn[i] + t.pages[i]) {
      t.lru[i] = ++t.clock;
      t.hits++;
      return i;
    }
  }
  t.misses++;
  return -1;
}

export interface VtdIotlbFill {
  did: number;
  pasid: number;
  pfn: number;
  pages: number;
  pa: number;
  perm: number;
  /** The walk's entry addresses and words, top level first. */
  walkPa: readonly number[];
  walkWord: readonly number[];
  pteSeq: number;
  gen: number;
}

export function vtdIotlbFill(t: VtdIotlb, f: VtdIotlbFill): number {
  return vtdIotlbFillAt(t, f.did, f.pasid, f.pfn, f.pages, f.pa, f.perm, f.walkPa, f.walkWord, f.walkPa.length, f.pteSeq, f.gen);
}

/** vtdIotlbFill with the fields as arguments (the miss path allocates nothing). */
export function vtdIotlbFillAt(
  t: VtdIotlb, did: number, pasid: number, pfn: number, pages: number, pa: number, perm: number,
  walkPa: ArrayLike<number>, walkWord: ArrayLike<number>, n: number, pteSeq: number, gen: number,
): number {
  let v = -1;
  for (let i = 0; i < t.size; i++) {
    if (t.did[i] < 0) {
      v = i;
      break;
    }
    if (v < 0 || t.lru[i] < t.lru[v]) v = i;
  }
  if (t.did[v] >= 0) t.evictions++;
  t.did[v] = did;
  t.pasid[v] = pasid;
  t.pfn[v] = pfn;
  t.pages[v] = pages;
  t.pa[v] = pa;
  t.perm[v] = perm;
  t.lru[v] = ++t.clock;
  const at = v * t.walkMax;
  t.walkN[v] = n;
  for (let k = 0; k < n; k++) {
    t.walkPa[at + k] = walkPa[k];
    t.walkWord[at + k] = walkWord[k];
  }
  t.pteSeq[v] = pteSeq;
  t.gen[v] = gen;
  t.staleReported[v] = 0;
  t.fills++;
  return v;
}

/** Drop entries matching `keep(i) === false`; returns how many valid ones went. */
function drop(t: VtdIotlb, match: (i: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < t.size; i++) {
    if (t.did[i] >= 0 && match(i)) {
      t.did[i] = -1;
      n++;
    }
  }
  t.invalidated += n;
  return n;
}

/** Global invalidation. */
export const vtdIotlbInvalAll = (t: VtdIotlb): number => drop(t, () => true);

/** Domain-selective: every entry tagged with did, whatever its PASID. */
export const vtdIotlbInvalDomain = (t: VtdIotlb, did: number): number => drop(t, (i) => t.did[i] === did);

/** Page-selective: entries of did overlapping the 2^am pages from pfn (pfn aligned to them). */
export function vtdIotlbInvalPages(t: VtdIotlb, did: number, pfn: number, am: number): number {
  const last = pfn + 2 ** am - 1;
  return drop(t, (i) => t.did[i] === did && t.pfn[i] <= last && t.pfn[i] + t.pages[i] - 1 >= pfn);
}

/** PASID-based: entries tagged (did, pasid), all of them or those overlapping 2^am pages from pfn. */
export function vtdIotlbInvalPasid(t: VtdIotlb, did: number, pasid: number, range?: { pfn: number; am: number }): number {
  if (!range) return drop(t, (i) => t.did[i] === did && t.pasid[i] === pasid);
  const last = range.pfn + 2 ** range.am - 1;
  return drop(t, (i) => t.did[i] === did && t.pasid[i] === pasid && t.pfn[i] <= last && t.pfn[i] + t.pages[i] - 1 >= range.pfn);
}

export function vtdIotlbValid(t: VtdIotlb): number {
  let n = 0;
  for (let i = 0; i < t.size; i++) if (t.did[i] >= 0) n++;
  return n;
}
