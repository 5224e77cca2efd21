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
import { SimLimitError } from '../../sim/limits.ts';
import { ScenarioError } from '../problems.ts';
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
import { buildVsva } from './vsva.ts';

export const BUILD_STEPS: BuildStep[] = [buildMemory, buildKmem, buildSwiotlb, buildIommu, buildMtk, buildVtd, buildPci, buildProcesses, buildDevices, buildPciLinks, buildSva, buildAmd, buildVsva];

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
  try {
    for (const step of BUILD_STEPS) step(ctx);
  } catch (e) {
    // The scenario's resources are too small for what it asks (the kernel's tables do not
    // fit its DRAM, a workload ends past virtual time): a refusal, not a bug.
    if (e instanceof SimLimitError) {
      const dram = e.message.startsWith('out of simulated DRAM');
      throw new ScenarioError([{ file: ctx.file, path: dram ? 'memory.dram' : 'limits', message: e.message, hint: dram ? 'add DRAM (memory.dram) or ask for less' : '`dmadbg info limits` lists every limit' }]);
    }
    throw e;
  }
  return { machine: m, scenario: s, buffers: ctx.buffers };
}
