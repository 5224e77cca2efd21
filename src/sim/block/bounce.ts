/**
 * Block-layer bouncing on a 32-bit kernel (block/blk-settings.c: blk_queue_bounce_limit;
 * block/bounce.c: blk_queue_bounce, __blk_queue_bounce; v5.0.1 = v5.4.1). A queue's
 * bounce_pfn is the highest page frame its device may be handed; pages above it are
 * replaced by pages from a pool (page_pool: lowmem; isa_page_pool: ZONE_DMA below the
 * limit), copied in for a write and copied back at completion for a read.
 */
import { PAGE_SHIFT } from '../mem/phys.ts';

/** BLK_BOUNCE_ANY >> PAGE_SHIFT in a 32-bit unsigned long: no page is ever above it. */
export const BOUNCE_PFN_ANY = 0xffff_ffff;

export interface BounceLimits {
  /** q->limits.bounce_pfn. */
  readonly bouncePfn: number;
  /** q->bounce_gfp has GFP_DMA: bounce from isa_page_pool (else page_pool). */
  readonly gfpDma: boolean;
}

/** max_low_pfn / max_pfn as the block layer keeps them (blk_max_low_pfn = max_low_pfn - 1). */
export interface PfnLimits {
  readonly maxLowPfn: number;
  readonly maxPfn: number;
}

/** blk_set_default_limits: bounce_pfn = BLK_BOUNCE_ANY >> PAGE_SHIFT, no GFP_DMA. */
export const DEFAULT_BOUNCE: BounceLimits = { bouncePfn: BOUNCE_PFN_ANY, gfpDma: false };

/** BLK_BOUNCE_HIGH: (u64)blk_max_low_pfn << PAGE_SHIFT. */
export function blkBounceHigh(p: PfnLimits): number {
  return (p.maxLowPfn - 1) * 2 ** PAGE_SHIFT;
}

/** blk_queue_bounce_limit, the BITS_PER_LONG == 32 branch. */
export function blkQueueBounceLimit(p: PfnLimits, maxAddr: number): BounceLimits {
  const bPfn = Math.floor(maxAddr / 2 ** PAGE_SHIFT);
  return { bouncePfn: bPfn, gfpDma: bPfn < p.maxLowPfn - 1 };
}

/**
 * blk_queue_bounce's early exit: nothing to do when the pool is page_pool and bounce_pfn
 * reaches the last page frame (blk_max_pfn = max_pfn - 1).
 */
export function blkQueueBounceSkips(q: BounceLimits, p: PfnLimits): boolean {
  return !q.gfpDma && q.bouncePfn >= p.maxPfn - 1;
}

/** __blk_queue_bounce's test for one bvec page. */
export function pageNeedsBounce(q: BounceLimits, pfn: number): boolean {
  return pfn > q.bouncePfn;
}
