/** The `v7s-selftest` device kind: the kernel's ARM v7s io-pgtable selftest, one step per event. */
import { z } from 'zod';
import { Duration, Name } from './common.ts';

export const V7sSelftest = z
  .strictObject({
    kind: z.literal('v7s-selftest'),
    name: Name.describe('device name; also the domain name in pte records'),
    start: Duration.default(0).describe('virtual time of the first step (alloc_io_pgtable_ops)'),
    period: Duration.default(1000).describe('virtual time between steps'),
  })
  .describe('the kernel\'s ARM v7s io-pgtable selftest (arm_v7s_do_selftests, drivers/iommu/io-pgtable-arm-v7s.c) on a page table of its own, one step per event; ends with "self test ok" or the first failed check. Needs no other section');
export type V7sSelftestIn = z.output<typeof V7sSelftest>;
