/**
 * The `kmem` section: the kernel's own memory layout (a 32-bit ARM kernel with
 * CONFIG_HIGHMEM: lowmem linearly mapped at PAGE_OFFSET, highmem only through kmap and
 * kmap_atomic) and CONFIG_DEBUG_KMEMLEAK. Devices that need it (s3cmci) get the defaults
 * when the section is absent.
 */
import { z } from 'zod';
import { Addr, Size } from './common.ts';

/** CONFIG_VMSPLIT_3G (default), _3G_OPT, _2G, _1G. */
export const PAGE_OFFSETS = [0xc000_0000, 0xb000_0000, 0x8000_0000, 0x4000_0000] as const;

export const KmemSection = z.strictObject({
  arch: z.literal('arm').default('arm').describe('"arm": 32-bit ARM, 2-level page tables, CONFIG_HIGHMEM (the layout modelled)'),
  pageOffset: Addr.default(0xc000_0000)
    .refine((v) => (PAGE_OFFSETS as readonly number[]).includes(v), { message: 'PAGE_OFFSET is one of 0xc0000000 (VMSPLIT_3G), 0xb0000000, 0x80000000, 0x40000000' })
    .describe('PAGE_OFFSET: where the linear map of lowmem starts'),
  vmalloc: Size.optional().describe('the vmalloc= boot parameter (16M..); default 240M (+ VMALLOC_OFFSET): lowmem then ends 768 MiB above the first DRAM byte with the 3G split'),
  kmemleak: z.boolean().default(false).describe('CONFIG_DEBUG_KMEMLEAK: slab objects are tracked and kmemleak_ignore() of anything else warns'),
});
export type KmemSectionOut = z.output<typeof KmemSection>;
