/**
 * The `swarm` section: how `dmadbg swarm` lets each seed vary the configuration, in the
 * style of swarm testing (each run enables a random part of the features, so bugs that
 * one feature's presence hides still show up in some runs). A seed picks, from its own
 * PRNG stream, how many and which devices to keep, one value for each `vary` entry and,
 * for each listed kernel behaviour, one of its choices or the kernel's own.
 */
import { z } from 'zod';

export const SwarmSection = z.strictObject({
  devices: z
    .strictObject({
      min: z.number().int().min(0).default(1).describe('fewest devices a seed keeps'),
      max: z.number().int().min(0).optional().describe('most devices a seed keeps (default: all)'),
    })
    .optional()
    .describe('a seed keeps a random subset of the devices, in file order (absent: every seed keeps them all)'),
  vary: z
    .array(
      z.strictObject({
        path: z.string().min(1).describe('where in this file, e.g. "mtk.iotlbEntries", "devices[1].start", "swiotlb.nslabs"'),
        choices: z.array(z.unknown()).min(1).describe('the values a seed picks from (as they would be written in the file)'),
      }),
    )
    .default([])
    .describe('values a seed picks, one per entry'),
  overrides: z
    .record(z.string(), z.array(z.string()).min(1))
    .default({})
    .describe('kernel behaviours a seed may override: per row id, the choices it picks from (or none: the kernel column)'),
});
export type SwarmSectionOut = z.output<typeof SwarmSection>;
