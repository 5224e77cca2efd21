// The IOVA allocator against drivers/iommu/iova.c (v5.0.1 and v5.4.1). Every expected pfn
// below is worked out by hand from __alloc_and_insert_iova_range(), the cached-node updates,
// the magazine code and queue_iova(); the derivation is in the comments.
import { describe, expect, it } from 'vitest';
import {
  IOVA_FQ_SIZE,
  IOVA_MAG_SIZE,
  IOVA_V50,
  IOVA_V54,
  type IovaDomain,
  allocIova,
  allocIovaFast,
  findIova,
  freeIova,
  freeIovaFast,
  initIovaDomain,
  initIovaFlushQueue,
  iovaFqPending,
  iovaFqTimeout,
  iovaRanges,
  queueIova,
  reserveIova,
} from '../../../src/sim/iommu/iova.ts';
import { intBelow, prngFromSeed } from '../../../src/sim/core/prng.ts';

const LIMIT32 = 0xfffff; // IOVA_PFN(DMA_BIT_MASK(32)) with 4 KiB granule

describe('alloc_iova (iova.c __alloc_and_insert_iova_range)', () => {
  it('walks down from the cached node, size-aligned, and restarts above a freed node', () => {
    const d = initIovaDomain(4096, 1, IOVA_V54);
    // cached32 = anchor: limit = min(0x100000, ~0) = 0x100000; (0x100000 - 2) & ~1 = 0xffffe.
    expect(allocIova(d, 2, LIMIT32, true)?.lo).toBe(0xffffe);
    // cached32 = the 0xffffe node: limit = 0xffffe; 0xffffe - 1 = 0xffffd; no node below.
    expect(allocIova(d, 1, LIMIT32, true)?.lo).toBe(0xffffd);
    // cached32 = 0xffffd: align mask ~0 << fls(255) = ~0xff; (0xffffd - 0x100) & ~0xff = 0xffe00.
    expect(allocIova(d, 256, LIMIT32, true)?.lo).toBe(0xffe00);
    // Freeing 0xffffe (below 4 GiB, above cached32 0xffe00) moves cached32 to rb_next = anchor.
    expect(freeIova(d, 0xffffe)).toBe(true);
    // From the anchor: 0x100000 - 1 = 0xfffff; rb_prev(anchor) = 0xffffd, hi 0xffffd < 0xfffff: fits.
    expect(allocIova(d, 1, LIMIT32, true)?.lo).toBe(0xfffff);
    // Size 3, align 4 (fls(2) = 2): from 0xfffff, (0xfffff - 3) & ~3 = 0xffffc collides with
    // 0xffffd (hi 0xffffd); limit = 0xffffc, (0xffffc - 3) & ~3 = 0xffff8 clears 0xffe00..0xffeff.
    const n = allocIova(d, 3, LIMIT32, true);
    expect(n).toEqual({ lo: 0xffff8, hi: 0xffffa });
    expect(iovaRanges(d).map((r) => r.lo)).toEqual([0xffe00, 0xffff8, 0xffffd, 0xfffff]);
  });

  it('fails below start_pfn and remembers the failed size for 32-bit requests (max32_alloc_size)', () => {
    for (const q of [IOVA_V50, IOVA_V54]) {
      const d = initIovaDomain(4096, 1, q);
      // limit_pfn + 1 = 16: (16 - 8) & ~7 = 8.
      expect(allocIova(d, 8, 15, true)?.lo).toBe(8);
      // From node 8: (8 - 8) = 0 < start_pfn 1 -> -ENOMEM, max32_alloc_size = 8.
      expect(allocIova(d, 8, 15, true)).toBeNull();
      expect(d.max32AllocSize).toBe(8);
      // A smaller request still searches: (8 - 4) & ~3 = 4.
      expect(allocIova(d, 4, 15, true)?.lo).toBe(4);
      // Size 16 >= max32_alloc_size: the early exit. v5.0's iova32_full label raises the
      // remembered size to 16; v5.4 (80ef4464d5e2) leaves it at 8.
      expect(allocIova(d, 16, 15, true)).toBeNull();
      expect(d.max32AllocSize).toBe(q.max32Fix ? 8 : 16);
    }
  });

  it('v5.4 moves cached32_node off a freed node above 4 GiB; v5.0 keeps pointing at it', () => {
    for (const q of [IOVA_V50, IOVA_V54]) {
      const d = initIovaDomain(4096, 1, q);
      const a = allocIova(d, 1, LIMIT32, true)!; // 0xfffff, cached32 = A
      const b = allocIova(d, 1, 0x3fffff, true)!; // from cached_node (anchor): 0x3fffff
      expect([a.lo, b.lo]).toEqual([0xfffff, 0x3fffff]);
      freeIova(d, a.lo); // A is cached32 and below 4 GiB: cached32 = rb_next(A) = B
      expect(d.cached32Node.lo).toBe(0x3fffff);
      freeIova(d, b.lo); // B.hi >= dma_32bit_pfn: only v5.4's `free == cached_iova` moves it
      expect(d.cached32Node.lo).toBe(q.cached32Fix ? Number.MAX_SAFE_INTEGER : 0x3fffff);
      // Either way the next 32-bit request lands at the top of the 32-bit space.
      expect(allocIova(d, 1, LIMIT32, true)?.lo).toBe(0xfffff);
    }
  });

  it('reserve_iova keeps ranges out and merges overlaps', () => {
    const d = initIovaDomain(4096, 1, IOVA_V54);
    reserveIova(d, 0xfee00, 0xfeeff); // the MSI window, as AMD and VT-d reserve it
    reserveIova(d, 0xfee80, 0xfef7f); // overlaps the top: grows into a second node above it
    expect(iovaRanges(d)).toEqual([
      { lo: 0xfee00, hi: 0xfeeff },
      { lo: 0xfef00, hi: 0xfef7f },
    ]);
    expect(findIova(d, 0xfeea0)).toEqual({ lo: 0xfee00, hi: 0xfeeff });
  });
});

describe('alloc_iova_fast / free_iova_fast (the per-CPU range cache)', () => {
  it('hands back the most recently freed range of the same size class first', () => {
    const d = initIovaDomain(4096, 1, IOVA_V54);
    expect(allocIovaFast(d, 2, LIMIT32, true)).toBe(0xffffe);
    expect(allocIovaFast(d, 2, LIMIT32, true)).toBe(0xffffc);
    freeIovaFast(d, 0xffffe, 2); // bin order_base_2(2) = 1, loaded = [0xffffe]
    freeIovaFast(d, 0xffffc, 2); // loaded = [0xffffe, 0xffffc]
    expect(allocIovaFast(d, 2, LIMIT32, true)).toBe(0xffffc); // magazine pop from the top
    expect(allocIovaFast(d, 2, LIMIT32, true)).toBe(0xffffe);
    // The cache is empty; the tree still holds both nodes, cached32 = 0xffffc: 0xffffa.
    expect(allocIovaFast(d, 2, LIMIT32, true)).toBe(0xffffa);
  });

  it('skips a cached pfn above the caller limit and never caches more than 32 pages', () => {
    const d = initIovaDomain(4096, 1, IOVA_V54);
    const high = allocIovaFast(d, 1, 0x3fffff, true);
    expect(high).toBe(0x3fffff);
    freeIovaFast(d, high, 1);
    // iova_rcache_get(limit 0xfffff + 1 - 1): pfns[0] = 0x3fffff > 0xfffff and i == 0 -> 0.
    expect(allocIovaFast(d, 1, LIMIT32, true)).toBe(0xfffff);
    const big = allocIovaFast(d, 64, LIMIT32, true); // order 6 >= IOVA_RANGE_CACHE_MAX_SIZE
    freeIovaFast(d, big, 64);
    expect(findIova(d, big)).toBeUndefined(); // went straight back to the tree
  });

  it('swaps to the previous magazine, then parks full magazines in the depot', () => {
    const d = initIovaDomain(4096, 1, IOVA_V54);
    const pfns: number[] = [];
    for (let i = 0; i < 2 * IOVA_MAG_SIZE + 1; i++) pfns.push(allocIovaFast(d, 1, LIMIT32, true));
    for (const p of pfns) freeIovaFast(d, p, 1);
    const c = d.rcaches[0];
    // 128 fill `loaded`; the 129th swaps (prev empty); 256 full both; the 257th parks
    // `loaded` in the depot and starts a new one.
    expect(c.depot.length).toBe(1);
    expect(c.cpu[0].loaded).toEqual([pfns[2 * IOVA_MAG_SIZE]]);
    expect(c.cpu[0].prev.length).toBe(IOVA_MAG_SIZE);
  });

  it('flushes the CPU caches and retries when the tree is full (flush_rcache)', () => {
    const d = initIovaDomain(4096, 1, IOVA_V54);
    // A 16-page space above start_pfn 1: pfns 1..15 usable.
    const got: number[] = [];
    for (let p = allocIovaFast(d, 1, 15, true); p; p = allocIovaFast(d, 1, 15, true)) got.push(p);
    expect(got).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    freeIovaFast(d, 15, 1); // cached in bin 0, still a node in the tree
    // A 2-page request: bin 1 is empty; the tree exits early (the last failure left
    // max32_alloc_size = 1 <= 2). flush_rcache: free_cpu_cached_iovas() returns 15 to the tree
    // (cached32 -> anchor, max32 reset); the retry walks down from 16: every aligned pair
    // collides with a live page until limit 1 < size 2 -> 0.
    expect(allocIovaFast(d, 2, 15, true)).toBe(0);
    expect(findIova(d, 15)).toBeUndefined();
    // The single page is allocatable again from the tree.
    expect(allocIovaFast(d, 1, 15, true)).toBe(15);
  });
});

describe('queue_iova (the flush queue)', () => {
  it('frees nothing until a flush; a full ring flushes once and frees what was queued', () => {
    const d = initIovaDomain(4096, 1, IOVA_V54);
    initIovaFlushQueue(d);
    let flushes = 0;
    const flush = (): void => void flushes++;
    const pfns: number[] = [];
    for (let i = 0; i < IOVA_FQ_SIZE; i++) pfns.push(allocIovaFast(d, 1, 0x3fffff, true));
    const armed: boolean[] = [];
    // The ring holds IOVA_FQ_SIZE - 1 entries (full when tail + 1 == head).
    for (let i = 0; i < IOVA_FQ_SIZE - 1; i++) armed.push(queueIova(d, pfns[i], 1, 0, flush));
    expect(armed[0]).toBe(true); // the first queue arms the 10 ms timer
    expect(armed.slice(1).every((a) => !a)).toBe(true);
    expect(flushes).toBe(0);
    expect(iovaFqPending(d).length).toBe(IOVA_FQ_SIZE - 1);
    // The next one finds the ring full: iova_domain_flush(), then the 255 entries (counter 0 <
    // finish count 1) go to the range cache, then it is queued with counter 1.
    queueIova(d, pfns[IOVA_FQ_SIZE - 1], 1, 0, flush);
    expect(flushes).toBe(1);
    expect(iovaFqPending(d).map((e) => e.pfn)).toEqual([pfns[IOVA_FQ_SIZE - 1]]);
    // The timer: flush again, free the last entry (counter 1 < finish count 2).
    iovaFqTimeout(d, flush);
    expect(flushes).toBe(2);
    expect(iovaFqPending(d)).toEqual([]);
    expect(d.fq!.timerOn).toBe(false);
  });

  it('passes each freed entry to the destructor (VT-d frees its page-table freelist there)', () => {
    const d = initIovaDomain(4096, 1, IOVA_V54);
    initIovaFlushQueue(d);
    const freed: number[] = [];
    queueIova(d, allocIovaFast(d, 1, LIMIT32, true), 1, 7, () => {}, (data) => freed.push(data));
    iovaFqTimeout(d, () => {}, (data) => freed.push(data));
    expect(freed).toEqual([7]);
  });
});

describe('properties', () => {
  /** An independent model: the allocated ranges, checked against the tree after every step. */
  function check(d: IovaDomain, live: Map<number, number>): string | undefined {
    const ranges = iovaRanges(d);
    for (let i = 1; i < ranges.length; i++) if (ranges[i].lo <= ranges[i - 1].hi) return `nodes overlap at ${ranges[i].lo}`;
    for (const [lo, size] of live) {
      const n = findIova(d, lo);
      if (n?.lo !== lo || n.hi - n.lo + 1 < size) return `live range ${lo}+${size} not in the tree`;
    }
    return undefined;
  }

  it('never hands out an overlapping, misaligned or out-of-limit range (random alloc/free)', () => {
    const bad: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const rng = prngFromSeed(seed);
      const d = initIovaDomain(4096, 1, seed % 2 ? IOVA_V50 : IOVA_V54);
      initIovaFlushQueue(d);
      const live = new Map<number, number>();
      const limit = 0x3ff; // a 4 MiB space, so it fills and frees often
      for (let step = 0; step < 400; step++) {
        const r = intBelow(rng, 10);
        if (r < 6) {
          const size = 1 + intBelow(rng, 8);
          const rounded = 2 ** Math.ceil(Math.log2(size));
          const pfn = allocIovaFast(d, rounded, limit, true);
          if (!pfn) continue;
          if (pfn + rounded - 1 > limit || pfn % rounded !== 0) bad.push(`seed ${seed}: ${pfn}+${rounded} misaligned or past the limit`);
          for (const [lo, s] of live) if (!(pfn + rounded <= lo || lo + s <= pfn)) bad.push(`seed ${seed}: ${pfn}+${rounded} overlaps ${lo}+${s}`);
          live.set(pfn, rounded);
        } else if (live.size) {
          const keys = [...live.keys()];
          const lo = keys[intBelow(rng, keys.length)];
          const size = live.get(lo)!;
          live.delete(lo);
          if (r < 8) freeIovaFast(d, lo, size);
          else if (queueIova(d, lo, size, 0, () => {})) iovaFqTimeout(d, () => {});
        }
        const why = check(d, live);
        if (why) bad.push(`seed ${seed} step ${step}: ${why}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
