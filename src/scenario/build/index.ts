/**
 * Scenario -> Machine. Each step builds one section; the order is fixed so the PRNG
 * forks and allocations come out the same every time: memory, then the translation
 * hardware, then bounce buffers and processes, then the devices that use them.
 */
import { Machine } from '../../sim/machine.ts';
import { provideDirectTranslator } from '../../sim/devices/port.ts';
import { provideDmaDirect } from '../../sim/dma/direct.ts';
import type { KernelVersion } from '../../sim/kernel.ts';
import type { ScenarioOut } from '../schema/index.ts';
import type { BuildContext, BuildStep } from './context.ts';
import { buildMemory } from './memory.ts';
import { buildDevices } from './devices.ts';
import { buildProcesses } from './processes.ts';
import { buildSva } from './sva.ts';
import { buildIommu } from './iommu.ts';
import { buildMtk } from './mtk.ts';
import { buildSwiotlb } from './swiotlb.ts';
import { buildKmem } from './kmem.ts';
import { buildPci, buildPciLinks } from './pci.ts';
import { buildVtd } from './vtd.ts';
import { buildAmd } from './amd.ts';

export const BUILD_STEPS: BuildStep[] = [buildMemory, buildKmem, buildSwiotlb, buildIommu, buildMtk, buildVtd, buildPci, buildProcesses, buildDevices, buildPciLinks, buildSva, buildAmd];

export interface BuildOptions {
  file?: string;
  seed?: number;
  kernel?: KernelVersion;
}

export interface Built {
  machine: Machine;
  scenario: ScenarioOut;
  buffers: ReadonlyMap<string, { pa: number; size: number }>;
}

export function buildMachine(s: ScenarioOut, opts: BuildOptions = {}): Built {
  const m = new Machine({
    scenario: s.name,
    seed: opts.seed ?? s.seed,
    kernel: opts.kernel ?? s.kernel,
    overrides: s.overrides,
    dram: s.memory.dram,
  });
  provideDirectTranslator(m);
  provideDmaDirect(m);
  const ctx: BuildContext = { m, s, file: opts.file ?? s.name, buffers: new Map() };
  for (const step of BUILD_STEPS) step(ctx);
  return { machine: m, scenario: s, buffers: ctx.buffers };
}
