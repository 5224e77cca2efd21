/** Trace kinds of the MMC block path and the s3cmci PIO host. */
import { bool, hex, int, oneOf, str } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

export const MMC_KINDS = [
  kind('mmc-queue', 'mmc_setup_queue set the request queue limits of an MMC host: the bounce limit and the segment limits.', {
    dev: str('host device name'),
    dmaMask: hex('*dev->dma_mask (null: no DMA mask)').orNull(),
    bounceLimit: hex('the address passed to blk_queue_bounce_limit (null: not called, BLK_BOUNCE_ANY stays)').orNull(),
    bouncePfn: hex('q->limits.bounce_pfn: pages above this frame are bounced'),
    pool: oneOf(['none', 'page_pool', 'isa_page_pool'], 'where bounce pages come from: "page_pool" (lowmem), "isa_page_pool" (GFP_DMA, below the limit) or "none" (blk_queue_bounce returns at once)'),
    maxSegmentSize: int('blk_queue_max_segment_size: round_down(host->max_seg_size, 512)'),
    maxSegments: int('blk_queue_max_segments: host->max_segs'),
    why: str('which rule of mmc_setup_queue applied'),
  }),
  kind('blk-bounce', 'The block layer bounced a highmem page: a pool page stands in for it (copied in for a write), and is copied back (read) and freed at completion.', {
    dev: str('device name'),
    req: int('request number'),
    op: oneOf(['bounce', 'copy-back', 'free'], '"bounce" (__blk_queue_bounce took a pool page), "copy-back" (copy_to_high_bio_irq at read completion) or "free"'),
    orig: hex('physical address of the original bvec'),
    bounce: hex('physical address of the bounce bvec'),
    len: int('bytes'),
  }),
  kind('mmc-sg', 'One scatterlist entry blk_rq_map_sg built for an MMC request.', {
    dev: str('device name'),
    req: int('request number'),
    index: int('entry number'),
    pa: hex('sg_phys(sg): physical address of the first byte'),
    len: int('sg->length in bytes'),
    highmem: bool('the first page is highmem (no permanent kernel mapping)'),
  }),
  kind('pio', 'The host driver moved bytes between its FIFO and memory with the CPU (one contiguous run of one block).', {
    dev: str('device name'),
    req: int('request number'),
    sg: int('scatterlist entry the run belongs to'),
    dir: oneOf(['read', 'write'], '"read" (card to memory: do_pio_read) or "write" (memory to card: do_pio_write)'),
    va: hex('kernel virtual address of the first byte'),
    pa: hex('physical address it reached'),
    len: int('bytes'),
    via: oneOf(['sg_virt', 'kmap_atomic'], 'how the driver got the address: "sg_virt" (page_address + offset) or "kmap_atomic"'),
  }),
] as const;
