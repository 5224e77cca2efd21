/**
 * mmc_setup_queue (drivers/mmc/core/queue.c): the bounce limit and segment limits an MMC
 * host's request queue gets. v5.0.1 bounces at BLK_BOUNCE_HIGH only when the host device
 * has no DMA mask and otherwise at dma_max_pfn(dev) << PAGE_SHIFT; v5.4.1 calls
 * blk_queue_bounce_limit(BLK_BOUNCE_HIGH) only without a DMA mask and otherwise leaves
 * the default, BLK_BOUNCE_ANY: a PIO host with a DMA mask then gets highmem pages.
 */
import type { Machine } from '../machine.ts';
import { MMC_QUEUE_BOUNCE } from '../kernel.ts';
import { PAGE_SHIFT, PAGE_SIZE } from '../mem/phys.ts';
import { BLK_SEG_BOUNDARY_MASK, type QueueLimits } from '../block/blk-map-sg.ts';
import {
  type BounceLimits, DEFAULT_BOUNCE, type PfnLimits, blkBounceHigh, blkQueueBounceLimit, blkQueueBounceSkips,
} from '../block/bounce.ts';

export interface MmcHostLimits {
  /** *mmc_dev(host)->dma_mask; 0 when the device has none. */
  readonly dmaMask: number;
  readonly maxSegSize: number;
  readonly maxSegs: number;
}

export interface MmcQueue {
  readonly bounce: BounceLimits;
  readonly limits: QueueLimits;
}

/** arm's dma_max_pfn(dev) = dma_to_pfn(dev, *dev->dma_mask): the mask's frame (dma_pfn_offset 0). */
const dmaMaxPfn = (mask: number): number => Math.floor(mask / 2 ** PAGE_SHIFT);

/** blk_queue_max_segment_size: below one page it is raised to PAGE_SIZE. */
const maxSegmentSize = (bytes: number): number => (bytes < PAGE_SIZE ? PAGE_SIZE : bytes);

export function mmcSetupQueue(m: Machine, dev: string, host: MmcHostLimits, pfn: PfnLimits): MmcQueue {
  const rule = m.behaviour(MMC_QUEUE_BOUNCE);
  let limit: number | null = null;
  let why: string;
  if (!host.dmaMask) {
    limit = blkBounceHigh(pfn);
    why = 'no DMA mask: BLK_BOUNCE_HIGH';
  } else if (rule === 'dma-max-pfn') {
    limit = dmaMaxPfn(host.dmaMask) * 2 ** PAGE_SHIFT;
    why = 'DMA mask: dma_max_pfn(dev) << PAGE_SHIFT';
  } else {
    why = 'DMA mask: blk_queue_bounce_limit not called (BLK_BOUNCE_ANY)';
  }
  const bounce = limit === null ? DEFAULT_BOUNCE : blkQueueBounceLimit(pfn, limit);
  const limits: QueueLimits = {
    maxSegmentSize: maxSegmentSize(Math.floor(host.maxSegSize / 512) * 512),
    maxSegments: host.maxSegs,
    segBoundaryMask: BLK_SEG_BOUNDARY_MASK,
  };
  const pool = blkQueueBounceSkips(bounce, pfn) ? 'none' : bounce.gfpDma ? 'isa_page_pool' : 'page_pool';
  m.emit('mmc-queue', {
    dev, dmaMask: host.dmaMask || null, bounceLimit: limit, bouncePfn: bounce.bouncePfn, pool,
    maxSegmentSize: limits.maxSegmentSize, maxSegments: limits.maxSegments, why,
  });
  return { bounce, limits };
}
