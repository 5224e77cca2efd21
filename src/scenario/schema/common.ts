/**
 * Value types shared by every section of a scenario: addresses and sizes as numbers or
 * strings ("0x4000_0000", "64K", "1M"), durations ("10us"), names and DMA directions.
 */
import { z } from 'zod';

import { parseNumberish } from '../numberish.ts';

export { parseNumberish };

const numberish = (what: string, example: string) =>
  z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      const n = typeof v === 'number' ? v : parseNumberish(v);
      if (!Number.isSafeInteger(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(v)} (write it like ${example})` });
        return z.NEVER;
      }
      return n;
    });

/** A physical or bus address: below 2^48. (`title` names the unit in the schema and docs/scenarios.md.) */
export const Addr = numberish('an address', '"0x80000000"')
  .refine((n) => n < 2 ** 48, { message: 'address beyond 2^48 (the simulated physical address space)' })
  .meta({ title: 'address' });
export const Size = numberish('a size in bytes', '"4096", "64K" or "0x10000"')
  .refine((n) => n > 0, { message: 'size must be greater than zero' })
  .meta({ title: 'size' });
/** A byte offset: zero allowed. */
export const Offset = numberish('a byte offset', '0, "0x100" or "4K"').meta({ title: 'offset' });
export const Count = z.number().int().nonnegative();

const DURATION_UNIT: Record<string, number> = { ns: 1, us: 1_000, ms: 1_000_000, s: 1_000_000_000 };

export function parseDuration(s: string): number {
  const m = /^(\d+)\s*(ns|us|ms|s)$/.exec(s.trim());
  return m ? Number(m[1]) * DURATION_UNIT[m[2]] : NaN;
}

/** Virtual time in integer nanoseconds: 250, "250ns", "10us", "2ms". */
export const Duration = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : parseDuration(v);
    if (!Number.isSafeInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration, got ${JSON.stringify(v)} (write it like 500, "500ns", "10us" or "2ms")` });
      return z.NEVER;
    }
    return n;
  })
  .meta({ title: 'duration' });

/** The `delay` op every scripted device has. */
export const DELAY_OP = 'the next op starts `ns` later (every other op takes 1 ns of virtual time)';

export const Name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { message: 'names start with a letter and use letters, digits, "_", "." or "-"' })
  .meta({ title: 'name' });

export const DmaMaskBits = z.number().int().min(24).max(64);

export const ByteValue = z.number().int().min(0).max(255).meta({ title: 'byte' });

/** A PCI function address, "0000:00:02.0" or "00:02.0" (pci_name()). */
export const BdfText = z.string().refine((s) => /^(?:[0-9a-fA-F]{1,4}:)?[0-9a-fA-F]{1,2}:[0-1]?[0-9a-fA-F]\.[0-7]$/.test(s), {
  message: 'expected a PCI address like "0000:00:02.0" (segment:bus:device.function, hex)',
});
