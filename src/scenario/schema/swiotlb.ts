/**
 * The SWIOTLB bounce pool (`swiotlb=<size>[,force]` on the kernel command line). Present
 * means is_swiotlb_active(); the pool comes from DRAM below `below` (the kernel takes it
 * low, below 4 GiB, so 32-bit devices reach it).
 */
import { z } from 'zod';
import { Addr, Size } from './common.ts';

export const Swiotlb = z.strictObject({
  size: Size.default(64 * 1024 * 1024).describe('pool bytes (default 64M), aligned up to 128 slots of 2 KiB'),
  force: z.boolean().default(false).describe('swiotlb=force: bounce every dma-direct mapping (also what an encrypted guest does)'),
  below: Addr.default(0x1_0000_0000).describe('allocate the pool below this physical address (default 4 GiB)'),
});
export type SwiotlbIn = z.output<typeof Swiotlb>;
