/**
 * The scenario file. `version` guards the format; `kernel` picks the behaviour table's
 * column; each model adds its own section. Unknown fields are errors everywhere.
 */
import { z } from 'zod';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';
import { Name } from './common.ts';
import { Memory } from './memory.ts';
import { Device } from './devices.ts';
import { Process, Sva } from './mm.ts';
import { MtkSection } from './mtk.ts';
import { AmdSection } from './amd.ts';
import { Swiotlb } from './swiotlb.ts';
import { KmemSection } from './kmem.ts';
import { PciSection } from './pci.ts';
import { VtdSection } from './vtd.ts';
import { SwarmSection } from './swarm.ts';

export const SCENARIO_VERSION = 1;

export const Scenario = z.strictObject({
  $schema: z.string().optional().describe('path of the JSON Schema, for editors'),
  version: z.literal(SCENARIO_VERSION).describe('scenario format version'),
  name: Name.describe('short name, as listed by `dmadbg list`'),
  description: z.string().min(1).describe('one line a user reads in `dmadbg list`'),
  kernel: z
    .enum(KERNEL_VERSIONS)
    .default('v5.4')
    .describe('kernel whose behaviour is modelled; `dmadbg info kernels` lists what it changes'),
  seed: z.number().int().min(0).max(0xffff_ffff).default(1).describe('PRNG seed (u32)'),
  overrides: z
    .record(z.string(), z.string())
    .default({})
    .describe('per-behaviour choices that override the kernel column (what-if runs)'),
  limits: z
    .strictObject({
      maxEvents: z.number().int().min(1).default(10_000_000).describe('stop after this many events'),
    })
    .default({ maxEvents: 10_000_000 })
    .describe('how long a run may go (`dmadbg info limits` lists what dmadbg accepts)'),
  memory: Memory.describe('physical memory: DRAM ranges and named buffers in them'),
  kmem: KmemSection.optional().describe('kernel memory layout (32-bit ARM, highmem) and kmemleak; s3cmci devices get the defaults without it'),
  processes: z.array(Process).default([]).describe('processes: address spaces, notifier subscribers, scheduled mm operations'),
  mtk: MtkSection.optional().describe('MediaTek M4U + SMI (mt2712, mt8173, mt8183)'),
  vtd: VtdSection.optional().describe('Intel VT-d DMA remapping: intel_iommu= options and DMAR units; devices join with a `bdf`'),
  amd: AmdSection.optional().describe('AMD IOMMUs and the devices behind them (the amd_iommu DMA path)'),
  swiotlb: Swiotlb.optional().describe('SWIOTLB bounce pool; absent = no pool (swiotlb inactive)'),
  devices: z.array(Device).default([]).describe('the DMA masters and their workloads, in order; `kind` picks the model'),
  sva: Sva.optional().describe('shared virtual addressing: device <-> process bindings and the PASID allocator'),
  pci: PciSection.optional().describe('PCI topology: host bridges, root ports, switches, endpoints with BARs, ACS and p2pmem'),
  swarm: SwarmSection.optional().describe('`dmadbg swarm`: what a seed may vary (device subset, values, kernel behaviours); a plain run ignores it'),
});

export type ScenarioIn = z.input<typeof Scenario>;
export type ScenarioOut = z.output<typeof Scenario>;
