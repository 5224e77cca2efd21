/**
 * The SWIOTLB bounce pool. Present means is_swiotlb_active(); the pool comes from DRAM below
 * `below` (the kernel takes it low, below 4 GiB, so 32-bit devices reach it).
 *
 * Two ways to size it, never confused:
 * - the kernel's own form, `"swiotlb": "1000"` or `"1000,force"` or `"force"`: what follows
 *   `swiotlb=` on the command line, a count of 2 KiB slabs (io_tlb_nslabs), or in the object
 *   form `nslabs`;
 * - `bytes` in the object form: a pool size, which the kernel has no parameter for.
 */
import { z } from 'zod';
import { IO_TLB_SEGSIZE, IO_TLB_SIZE, SWIOTLB_DEFAULT_SIZE, swiotlbNslabsFor } from '../../sim/dma/swiotlb-state.ts';
import { Addr, Size } from './common.ts';

const BELOW_4G = 0x1_0000_0000;

/** ALIGN(n, IO_TLB_SEGSIZE); 0 means swiotlb_init's default (IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT). */
export function nslabsFromParam(n: number): number {
  const aligned = Math.ceil(n / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
  return aligned === 0 ? SWIOTLB_DEFAULT_SIZE / IO_TLB_SIZE : aligned;
}


// simple_strtoul(str, &str, 0): "0x" + hex digit -> hex, a leading 0 -> octal, else decimal.
const NUMBER = '(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)';
const PARAM = new RegExp(`^(?:(${NUMBER})(?:,?(force))?|(force))$`);

function parseParam(v: string, ctx: z.RefinementCtx): { nslabs: number; force: boolean } | typeof z.NEVER {
  const m = PARAM.exec(v.trim());
  if (!m) {
    const noforce = /(^|,)noforce$/.test(v.trim());
    ctx.addIssue({
      code: 'custom',
      message: noforce
        ? 'swiotlb=noforce (never bounce, a 1-slab pool) is not modelled (leave the swiotlb section out: no pool, nothing bounces)'
        : `expected swiotlb=<nslabs>[,force] as on the kernel command line (2 KiB slabs), got ${JSON.stringify(v)} (write "1000", "1000,force" or "force"; a byte size is {"bytes": "64M"})`,
    });
    return z.NEVER;
  }
  const text = m[1];
  const n = text === undefined ? 0 : /^0[xX]/.test(text) ? parseInt(text.slice(2), 16) : /^0/.test(text) ? parseInt(text, 8) : Number(text);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: `${text} slabs is beyond what dmadbg can model (give a pool that fits in DRAM below "below")` });
    return z.NEVER;
  }
  return { nslabs: nslabsFromParam(n), force: m[2] !== undefined || m[3] !== undefined };
}

const SwiotlbParam = z
  .string()
  .meta({
    pattern: PARAM.source,
    description:
      'swiotlb=<nslabs>[,force] as on the kernel command line: a count of 2 KiB slabs, rounded up to a multiple of 128 (IO_TLB_SEGSIZE), so "1000" is 1024 slabs (2 MiB); 0 or no number = the default 64 MiB; ",force" bounces every dma-direct mapping; hex (0x..) and octal (leading 0) as the kernel reads them',
  })
  .transform(parseParam);

const SwiotlbObject = z
  .strictObject({
    nslabs: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('io_tlb_nslabs, the number swiotlb=<nslabs> gives: 2 KiB slabs, rounded up to a multiple of 128; 0 = the default 64 MiB'),
    bytes: Size.optional().describe('pool size in bytes (no kernel parameter takes this): rounded up to whole 2 KiB slabs, then to a multiple of 128 slabs. Default: 64M'),
    force: z.boolean().default(false).describe('swiotlb=force: bounce every dma-direct mapping (also what an encrypted guest does)'),
    below: Addr.default(BELOW_4G).describe('allocate the pool below this physical address (default 4 GiB)'),
  })
  .refine((o) => o.nslabs === undefined || o.bytes === undefined, { message: 'give nslabs or bytes, not both' });

export const Swiotlb = z
  .union([SwiotlbParam, SwiotlbObject])
  .transform((v): SwiotlbIn => {
    if ('below' in v) {
      const nslabs = v.bytes !== undefined ? swiotlbNslabsFor(v.bytes) : nslabsFromParam(v.nslabs ?? 0);
      return { nslabs, force: v.force, below: v.below };
    }
    return { nslabs: v.nslabs, force: v.force, below: BELOW_4G };
  });

/** The section after parsing: the kernel's io_tlb_nslabs as swiotlb_init uses it. */
export interface SwiotlbIn {
  nslabs: number;
  force: boolean;
  below: number;
}
