/**
 * The kernel's IOVA allocator (drivers/iommu/iova.c, v5.0.1 and v5.4.1), shared by
 * dma-iommu (MediaTek), VT-d (intel_alloc_iova) and AMD (dma_ops_alloc_iova). Everything
 * here is in page frames of `granule` bytes, as in the kernel.
 *
 * - The rbtree is a sorted array of [pfn_lo, pfn_hi] ranges with the anchor node (pfn ~0)
 *   last; the search walks it backwards from a cached node exactly like
 *   __alloc_and_insert_iova_range, so the IOVA returned is the kernel's, not just "a free one".
 * - cached_node / cached32_node are kept as copies of the node they point at (so the
 *   v5.0 case where cached32_node keeps pointing at a freed node can be modelled).
 * - The per-CPU range caches ("rcache": magazines of 128 pfns, a depot of 32 magazines per
 *   size bin, bins for 1..32 pages) and the flush queue (256 entries per CPU, a 10 ms
 *   timer in virtual time) behave as in the kernel, because they decide which IOVA comes back.
 * State is plain data (it is snapshotted with the machine); callbacks (flush, entry
 * destructor) are passed in by the driver at the call.
 */

/** The anchor node's pfn (IOVA_ANCHOR = ~0UL): above every usable pfn. */
export const IOVA_ANCHOR = Number.MAX_SAFE_INTEGER;
/** log2 of the largest cached range + 1: bins 0..5 hold 1..32-page ranges (include/linux/iova.h). */
export const IOVA_RANGE_CACHE_MAX_SIZE = 6;
/** Magazines per bin in the depot. */
export const MAX_GLOBAL_MAGS = 32;
export const IOVA_MAG_SIZE = 128;
/** Entries per CPU flush queue, and the flush timer (include/linux/iova.h). */
export const IOVA_FQ_SIZE = 256;
export const IOVA_FQ_TIMEOUT_NS = 10_000_000;

export interface Iova {
  lo: number;
  hi: number;
}

/** Which iova.c: the two changes between v5.0.1 and v5.4.1 that alter behaviour. */
export interface IovaQuirks {
  /**
   * v5.4 (9eed17d37c77 "Remove stale cached32_node"): freeing the node cached32_node points
   * at always moves it on. v5.0 only moves it when the freed node lies below 4 GiB, so a
   * cached32_node that was advanced above 4 GiB keeps pointing at a freed node.
   */
  readonly cached32Fix: boolean;
  /**
   * v5.4 (80ef4464d5e2 "Fix tracking of recently failed iova address"): the early exit for a
   * 32-bit request at least max32_alloc_size does not update max32_alloc_size; v5.0 raises it.
   */
  readonly max32Fix: boolean;
}

export const IOVA_V50: IovaQuirks = { cached32Fix: false, max32Fix: false };
export const IOVA_V54: IovaQuirks = { cached32Fix: true, max32Fix: true };

/**
 * The iova.c of a kernel. Not a behaviour-table row: neither change alters which IOVA the
 * simulator returns (v5.0's stale cached32_node is a use-after-free whose effect depends on
 * slab reuse, and the max32 early exit only changes how fast a doomed request fails), so
 * both are modelled as code and follow the kernel version.
 */
export function iovaQuirksFor(kernel: string): IovaQuirks {
  return kernel === 'v5.4' ? IOVA_V54 : IOVA_V50;
}

export interface IovaCpuRcache {
  loaded: number[];
  prev: number[];
}

export interface IovaRcache {
  depot: number[][];
  cpu: IovaCpuRcache[];
}

export interface IovaFqEntry {
  pfn: number;
  pages: number;
  /** Driver cookie (VT-d: its page-table freelist); passed to the entry destructor. */
  data: number;
  counter: number;
}

export interface IovaFq {
  entries: (IovaFqEntry | null)[];
  head: number;
  tail: number;
}

export interface IovaFlushQueue {
  cpu: IovaFq[];
  flushStartCnt: number;
  flushFinishCnt: number;
  timerOn: boolean;
}

export interface IovaDomain {
  granule: number;
  startPfn: number;
  dma32bitPfn: number;
  max32AllocSize: number;
  /** The rbtree in order; the anchor is always the last node. */
  nodes: Iova[];
  cachedNode: Iova;
  cached32Node: Iova;
  rcaches: IovaRcache[];
  fq: IovaFlushQueue | null;
  quirks: IovaQuirks;
}

/** init_iova_domain(iovad, granule, start_pfn) with `cpus` per-CPU caches. */
export function initIovaDomain(granule: number, startPfn: number, quirks: IovaQuirks, cpus = 1): IovaDomain {
  const anchor: Iova = { lo: IOVA_ANCHOR, hi: IOVA_ANCHOR };
  const dma32bitPfn = 2 ** (32 - Math.log2(granule));
  const rcaches: IovaRcache[] = [];
  for (let i = 0; i < IOVA_RANGE_CACHE_MAX_SIZE; i++) {
    rcaches.push({ depot: [], cpu: Array.from({ length: cpus }, () => ({ loaded: [], prev: [] })) });
  }
  return {
    granule,
    startPfn,
    dma32bitPfn,
    max32AllocSize: dma32bitPfn,
    nodes: [anchor],
    cachedNode: anchor,
    cached32Node: anchor,
    rcaches,
    fq: null,
    quirks,
  };
}

/** fls_long(x): position of the highest set bit, 1-based (0 for 0). */
function fls(x: number): number {
  return x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1;
}

/** order_base_2(n): ceil(log2(n)). */
export function orderBase2(n: number): number {
  return n <= 1 ? 0 : fls(n - 1);
}

export function roundupPowOfTwo(n: number): number {
  return 2 ** orderBase2(n);
}

/** Index of the node whose pfn_lo is `lo`, or where it would be inserted (~rb position). */
function indexOf(d: IovaDomain, lo: number): number {
  let a = 0;
  let b = d.nodes.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (d.nodes[mid].lo < lo) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** rb_prev of a (possibly freed) node: the last node in the tree below its pfn_lo. */
function prevNode(d: IovaDomain, n: Iova): Iova | undefined {
  const i = indexOf(d, n.lo);
  return i > 0 ? d.nodes[i - 1] : undefined;
}

/** rb_next of a node that is in the tree. */
function nextNode(d: IovaDomain, n: Iova): Iova {
  const i = indexOf(d, n.lo);
  return d.nodes[i + 1];
}

function cachedRbnode(d: IovaDomain, limitPfn: number): Iova {
  return limitPfn <= d.dma32bitPfn ? d.cached32Node : d.cachedNode;
}

function cachedRbnodeInsertUpdate(d: IovaDomain, n: Iova): void {
  if (n.hi < d.dma32bitPfn) d.cached32Node = n;
  else d.cachedNode = n;
}

/** __cached_rbnode_delete_update(), called before the node leaves the tree. */
function cachedRbnodeDeleteUpdate(d: IovaDomain, free: Iova): void {
  const c32 = d.cached32Node;
  const isCached32 = free === c32 || (free.lo === c32.lo && free.hi === c32.hi);
  if ((d.quirks.cached32Fix && isCached32) || (free.hi < d.dma32bitPfn && free.lo >= c32.lo)) {
    d.cached32Node = nextNode(d, free);
    d.max32AllocSize = d.dma32bitPfn;
  }
  if (free.lo >= d.cachedNode.lo) d.cachedNode = nextNode(d, free);
}

function insertNode(d: IovaDomain, n: Iova): void {
  d.nodes.splice(indexOf(d, n.lo), 0, n);
}

function eraseNode(d: IovaDomain, n: Iova): void {
  const i = indexOf(d, n.lo);
  if (d.nodes[i] === n || (d.nodes[i] && d.nodes[i].lo === n.lo)) d.nodes.splice(i, 1);
}

/**
 * __alloc_and_insert_iova_range(): walk backwards from the cached node; limitPfn is
 * exclusive (alloc_iova passes limit_pfn + 1). Returns the new node or null (-ENOMEM).
 */
function allocAndInsertRange(d: IovaDomain, size: number, limitPfn: number, sizeAligned: boolean): Iova | null {
  const alignShift = sizeAligned ? fls(size - 1) : 0;
  const align = (pfn: number): number => (alignShift ? Math.floor(pfn / 2 ** alignShift) * 2 ** alignShift : pfn);
  if (limitPfn <= d.dma32bitPfn && size >= d.max32AllocSize) {
    if (!d.quirks.max32Fix) d.max32AllocSize = size; // v5.0: the iova32_full label updates it
    return null;
  }
  let curr: Iova | undefined = cachedRbnode(d, limitPfn);
  let limit = limitPfn;
  let newPfn: number;
  do {
    limit = Math.min(limit, curr.lo);
    newPfn = align(limit - size);
    curr = prevNode(d, curr);
  } while (curr && newPfn <= curr.hi);
  if (limit < size || newPfn < d.startPfn) {
    d.max32AllocSize = size;
    return null;
  }
  const n: Iova = { lo: newPfn, hi: newPfn + size - 1 };
  insertNode(d, n);
  cachedRbnodeInsertUpdate(d, n);
  return n;
}

/** alloc_iova(iovad, size, limit_pfn, size_aligned): limit_pfn inclusive. */
export function allocIova(d: IovaDomain, size: number, limitPfn: number, sizeAligned: boolean): Iova | null {
  return allocAndInsertRange(d, size, limitPfn + 1, sizeAligned);
}

/** find_iova(): the node containing pfn. */
export function findIova(d: IovaDomain, pfn: number): Iova | undefined {
  let a = 0;
  let b = d.nodes.length - 1;
  while (a <= b) {
    const mid = (a + b) >>> 1;
    const n = d.nodes[mid];
    if (pfn < n.lo) b = mid - 1;
    else if (pfn > n.hi) a = mid + 1;
    else return n.lo === IOVA_ANCHOR ? undefined : n;
  }
  return undefined;
}

/** __free_iova() / private_free_iova(). */
export function freeIovaNode(d: IovaDomain, n: Iova): void {
  cachedRbnodeDeleteUpdate(d, n);
  eraseNode(d, n);
}

/** free_iova(iovad, pfn): frees the node containing pfn; nothing if none. */
export function freeIova(d: IovaDomain, pfn: number): boolean {
  const n = findIova(d, pfn);
  if (!n) return false;
  freeIovaNode(d, n);
  return true;
}

// ---- range caches ----------------------------------------------------------------------

/** iova_magazine_pop(): the topmost pfn <= limit, swapped out; 0 when none fits. */
function magazinePop(mag: number[], limitPfn: number): number {
  let i = mag.length - 1;
  for (; mag[i] > limitPfn; i--) if (i === 0) return 0;
  const pfn = mag[i];
  mag[i] = mag[mag.length - 1];
  mag.length--;
  return pfn;
}

function magazineFreePfns(d: IovaDomain, mag: number[]): void {
  for (const pfn of mag) {
    const n = findIova(d, pfn);
    // BUG_ON(!iova) in the kernel: a cached pfn always has its node.
    if (n) freeIovaNode(d, n);
  }
  mag.length = 0;
}

/** iova_rcache_insert(): false when the range is too big to cache. */
function rcacheInsert(d: IovaDomain, pfn: number, size: number, cpu: number): boolean {
  const bin = orderBase2(size);
  if (bin >= IOVA_RANGE_CACHE_MAX_SIZE) return false;
  const rcache = d.rcaches[bin];
  const c = rcache.cpu[cpu];
  let toFree: number[] | undefined;
  if (c.loaded.length < IOVA_MAG_SIZE) {
    /* room in the loaded magazine */
  } else if (c.prev.length < IOVA_MAG_SIZE) {
    [c.loaded, c.prev] = [c.prev, c.loaded];
  } else {
    if (rcache.depot.length < MAX_GLOBAL_MAGS) rcache.depot.push(c.loaded);
    else toFree = c.loaded;
    c.loaded = [];
  }
  c.loaded.push(pfn);
  if (toFree) magazineFreePfns(d, toFree);
  return true;
}

/** iova_rcache_get(iovad, size, limit_pfn): limit_pfn exclusive, as alloc_iova_fast passes it. */
function rcacheGet(d: IovaDomain, size: number, limitPfn: number, cpu: number): number {
  const bin = orderBase2(size);
  if (bin >= IOVA_RANGE_CACHE_MAX_SIZE) return 0;
  const rcache = d.rcaches[bin];
  const c = rcache.cpu[cpu];
  let has = false;
  if (c.loaded.length) has = true;
  else if (c.prev.length) {
    [c.loaded, c.prev] = [c.prev, c.loaded];
    has = true;
  } else if (rcache.depot.length) {
    c.loaded = rcache.depot.pop()!;
    has = true;
  }
  return has ? magazinePop(c.loaded, limitPfn - size) : 0;
}

/** free_cpu_cached_iovas(cpu, iovad): the CPU's magazines go back to the tree (not the depot). */
export function freeCpuCachedIovas(d: IovaDomain, cpu: number): void {
  for (const rcache of d.rcaches) {
    magazineFreePfns(d, rcache.cpu[cpu].loaded);
    magazineFreePfns(d, rcache.cpu[cpu].prev);
  }
}

/**
 * alloc_iova_fast(iovad, size, limit_pfn, flush_rcache): the range cache first, then the
 * tree (size-aligned); on failure with flush_rcache, empty every CPU's cache and retry once.
 * Returns the pfn, 0 on failure; `from.rcache` says whether the range cache served it.
 */
export function allocIovaFast(d: IovaDomain, size: number, limitPfn: number, flushRcache: boolean, cpu = 0, from?: { rcache: boolean }): number {
  const cached = rcacheGet(d, size, limitPfn + 1, cpu);
  if (from) from.rcache = cached !== 0;
  if (cached) return cached;
  for (;;) {
    const n = allocIova(d, size, limitPfn, true);
    if (n) return n.lo;
    if (!flushRcache) return 0;
    flushRcache = false;
    for (let c = 0; c < d.rcaches[0].cpu.length; c++) freeCpuCachedIovas(d, c);
  }
}

/** free_iova_fast(iovad, pfn, size): into the range cache, else free_iova(pfn). */
export function freeIovaFast(d: IovaDomain, pfn: number, size: number, cpu = 0): void {
  if (rcacheInsert(d, pfn, size, cpu)) return;
  freeIova(d, pfn);
}

/** reserve_iova(): mark [lo, hi] used, merging with overlapping nodes as the kernel does. */
export function reserveIova(d: IovaDomain, lo: number, hi: number): Iova {
  let overlap = false;
  for (const n of d.nodes) {
    if (lo <= n.hi && hi >= n.lo) {
      // __adjust_overlap_range(): grow the node down, continue above it.
      if (lo < n.lo) n.lo = lo;
      if (hi > n.hi) lo = n.hi + 1;
      if (lo >= n.lo && hi <= n.hi) return n;
      overlap = true;
    } else if (overlap) break;
  }
  const n: Iova = { lo, hi };
  insertNode(d, n);
  return n;
}

/** copy_reserved_iova(from, to). */
export function copyReservedIova(from: IovaDomain, to: IovaDomain): void {
  for (const n of from.nodes) if (n.lo !== IOVA_ANCHOR) reserveIova(to, n.lo, n.hi);
}

// ---- flush queue -----------------------------------------------------------------------

/** init_iova_flush_queue(). */
export function initIovaFlushQueue(d: IovaDomain): void {
  const cpus = d.rcaches[0].cpu.length;
  d.fq = {
    cpu: Array.from({ length: cpus }, () => ({ entries: new Array<IovaFqEntry | null>(IOVA_FQ_SIZE).fill(null), head: 0, tail: 0 })),
    flushStartCnt: 0,
    flushFinishCnt: 0,
    timerOn: false,
  };
}

export type IovaFlushCb = (d: IovaDomain) => void;
export type IovaEntryDtor = (data: number) => void;

/** fq_ring_free(): free the entries whose flush has finished. */
function fqRingFree(d: IovaDomain, fq: IovaFq, dtor: IovaEntryDtor | undefined, cpu: number): void {
  const counter = d.fq!.flushFinishCnt;
  for (let i = fq.head; i !== fq.tail; i = (i + 1) % IOVA_FQ_SIZE) {
    const e = fq.entries[i]!;
    if (e.counter >= counter) break;
    dtor?.(e.data);
    freeIovaFast(d, e.pfn, e.pages, cpu);
    fq.entries[i] = null;
    fq.head = (fq.head + 1) % IOVA_FQ_SIZE;
  }
}

/** iova_domain_flush(). */
function iovaDomainFlush(d: IovaDomain, flush: IovaFlushCb): void {
  d.fq!.flushStartCnt++;
  flush(d);
  d.fq!.flushFinishCnt++;
}

/**
 * queue_iova(): defer freeing [pfn, pfn+pages) until an IOTLB flush. Returns true when the
 * caller must arm the flush timer (IOVA_FQ_TIMEOUT_NS from now, then call iovaFqTimeout).
 */
export function queueIova(d: IovaDomain, pfn: number, pages: number, data: number, flush: IovaFlushCb, dtor?: IovaEntryDtor, cpu = 0): boolean {
  const fq = d.fq!.cpu[cpu];
  fqRingFree(d, fq, dtor, cpu);
  if ((fq.tail + 1) % IOVA_FQ_SIZE === fq.head) {
    iovaDomainFlush(d, flush);
    fqRingFree(d, fq, dtor, cpu);
  }
  const idx = fq.tail;
  fq.tail = (idx + 1) % IOVA_FQ_SIZE;
  fq.entries[idx] = { pfn, pages, data, counter: d.fq!.flushStartCnt };
  if (d.fq!.timerOn) return false;
  d.fq!.timerOn = true;
  return true;
}

/** fq_flush_timeout(): the timer fired: flush, then free every CPU's flushed entries. */
export function iovaFqTimeout(d: IovaDomain, flush: IovaFlushCb, dtor?: IovaEntryDtor): void {
  d.fq!.timerOn = false;
  iovaDomainFlush(d, flush);
  d.fq!.cpu.forEach((fq, cpu) => fqRingFree(d, fq, dtor, cpu));
}

/** Entries waiting in the flush queues (for views). */
export function iovaFqPending(d: IovaDomain): IovaFqEntry[] {
  const out: IovaFqEntry[] = [];
  for (const fq of d.fq?.cpu ?? []) for (let i = fq.head; i !== fq.tail; i = (i + 1) % IOVA_FQ_SIZE) out.push(fq.entries[i]!);
  return out;
}

/** Allocated ranges (without the anchor), for views and tests. */
export function iovaRanges(d: IovaDomain): readonly Iova[] {
  return d.nodes.slice(0, -1);
}
