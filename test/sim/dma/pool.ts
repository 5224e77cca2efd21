/** A bare machine with a SWIOTLB pool and dma-direct, for tests that drive the DMA API directly. */
import { Machine } from '../../../src/sim/machine.ts';
import { provideDirectTranslator } from '../../../src/sim/devices/port.ts';
import { provideDmaDirect } from '../../../src/sim/dma/direct.ts';
import { SWIOTLB_MODEL, type SwiotlbState, swiotlbStateCreate } from '../../../src/sim/dma/swiotlb-state.ts';
import { type DeviceBase, type DevicesState, DEVICES } from '../../../src/sim/devices/device.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';

export const POOL_START = 0x4000_0000;

/** `pool: false` leaves swiotlb out (is_swiotlb_active() false). */
export function poolMachine(opts: { nslabs?: number; force?: boolean; start?: number; kernel?: KernelVersion; dramTop?: number; pool?: boolean } = {}): {
  m: Machine;
  st: SwiotlbState;
  dev: (name: string, maskBits?: number, segBoundaryMask?: number) => DeviceBase;
} {
  const m = new Machine({
    scenario: 'test',
    seed: 1,
    kernel: opts.kernel ?? 'v5.4',
    overrides: {},
    dram: [{ base: POOL_START, size: (opts.dramTop ?? 0x2_4000_0000) - POOL_START }],
  });
  provideDirectTranslator(m);
  provideDmaDirect(m);
  const st = swiotlbStateCreate(opts.start ?? POOL_START, opts.nslabs ?? 256, opts.force ?? false);
  if (opts.pool !== false) m.addModel(SWIOTLB_MODEL, st);
  const devices: DevicesState = { list: [] };
  m.addModel(DEVICES, devices);
  const dev = (name: string, maskBits = 32, segBoundaryMask?: number): DeviceBase => {
    const d: DeviceBase = { name, kind: 'test', dmaMaskBits: maskBits, dmaOps: 'dma-direct', translator: 'direct', maxSegmentSize: 0 };
    if (segBoundaryMask !== undefined) d.segBoundaryMask = segBoundaryMask;
    devices.list.push(d);
    return d;
  };
  return { m, st, dev };
}

/** Records emitted since the last call (and forget them). */
export function drain(m: Machine): Record<string, unknown>[] {
  const out = m.stepRecords.map((r) => ({ ...r }));
  m.stepRecords.length = 0;
  return out;
}
