import { z } from 'zod';
import { Addr, ByteValue, Name, Offset, Size } from './common.ts';

/** A DRAM range of the machine (physical addresses). */
export const DramRange = z
  .strictObject({
    base: Addr.describe('first physical address of the range'),
    size: Size.describe('bytes in the range'),
  })
  .describe('one DRAM range; ranges may not overlap, and all lie below 2^48');

/**
 * A named buffer in physical memory: fixed at `addr`, or allocated first-fit from DRAM
 * (below `below` when given, e.g. "0x100000000" for a 32-bit device's buffers).
 */
export const Buffer = z.strictObject({
  name: Name.describe('what ops and sections call it'),
  size: Size.describe('bytes'),
  addr: Addr.optional().describe('fixed physical address; omit to allocate'),
  below: Addr.optional().describe('allocate below this physical address'),
  above: Addr.optional().describe('allocate at or above this physical address'),
  fill: ByteValue.optional().describe('initial byte value of every byte'),
});

export const Memory = z.strictObject({
  dram: z.array(DramRange).min(1, { message: 'at least one DRAM range is needed' }).describe('the machine\'s DRAM'),
  buffers: z.array(Buffer).default([]).describe('named buffers: fixed ones (addr) are placed first, the rest allocated first-fit in order, 4 KiB aligned'),
});

/** Where an operation points: a buffer (plus offset) or a raw physical address. */
export const Place = z.union([
  z.strictObject({ buf: Name, offset: Offset.optional() }),
  z.strictObject({ addr: Addr }),
]);
export type PlaceIn = z.output<typeof Place>;
