/** The `s3cmci` device kind: an SD card behind the s3cmci host's PIO path, fed by block requests. */
import { z } from 'zod';
import { DmaMaskBits, Duration, Name, Offset, Size } from './common.ts';

export const BioPiece = z.strictObject({
  buf: Name.describe('a buffer in memory.buffers'),
  offset: Offset.default(0),
  len: Size.describe('bytes; the block layer makes one bio_vec per page it touches'),
});

export const S3cmciRequestIn = z
  .strictObject({
    op: z.enum(['read', 'write']),
    sector: z.number().int().min(0).describe('first 512-byte sector on the card'),
    bio: z.array(BioPiece).min(1).describe('the request\'s memory, in order (bio_add_page per page)'),
  })
  .describe('one block request: a read or write at `sector` of the bio\'s pieces, in order');

export const S3cmci = z
  .strictObject({
    kind: z.literal('s3cmci'),
    name: Name,
    dmaMask: z
      .union([DmaMaskBits, z.literal('none')])
      .default(32)
      .describe('the host device\'s DMA mask in bits, or "none"; platform_device_register gives DMA_BIT_MASK(32) (setup_pdev_dma_masks, v5.0.1 and v5.4.1)'),
    start: Duration.default(0).describe('virtual time of probe (mmc_setup_queue)'),
    block: Duration.default(40_000).describe('time per 512-byte block: one FIFO interrupt and pio_tasklet run'),
    gap: Duration.default(1000).describe('time between a completion and the next request'),
    requests: z.array(S3cmciRequestIn).min(1),
  })
  .describe('an SD card behind the s3cmci host doing PIO (drivers/mmc/host/s3cmci.c): mmc_setup_queue\'s bounce limit at probe (row mmc-queue-bounce), blk_queue_bounce per request, one FIFO interrupt per 512-byte block; the driver reaches each page through sg_virt() (or kmap_atomic with the patch, row s3cmci-highmem), and a highmem page nobody kmapped oopses. Uses the `kmem` section (its defaults without one)');
export type S3cmciIn = z.output<typeof S3cmci>;
