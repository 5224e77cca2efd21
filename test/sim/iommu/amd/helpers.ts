/** Test machines with AMD IOMMUs: bus-master devices behind them, booted (the probe ran). */
import { Scenario } from '../../../../src/scenario/schema/index.ts';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import type { KernelVersion } from '../../../../src/sim/kernel.ts';
import type { Machine } from '../../../../src/sim/machine.ts';
import { type AmdState, amdState } from '../../../../src/sim/iommu/amd/state.ts';
import { DEVICES, type DeviceBase } from '../../../../src/sim/devices/device.ts';

export interface AmdTestOpts {
  kernel?: KernelVersion;
  overrides?: Record<string, string>;
  iommus?: string[];
  devices?: { name: string; bdf: string; iommu?: string; group?: string; dmaMask?: number; segment?: number }[];
  fullflush?: boolean;
  iotlbEntries?: number;
  mapPageEnomem?: number[];
  buffers?: { name: string; size: string }[];
  barWindows?: { start: string; size: string }[];
  ops?: unknown[];
}

export function amdMachine(o: AmdTestOpts = {}): { m: Machine; s: AmdState; dev: (name: string) => DeviceBase } {
  const devices = o.devices ?? [{ name: 'nic0', bdf: '0000:01:00.0' }];
  const scenario = Scenario.parse({
    version: 1,
    name: 'amd-test',
    description: 'amd test machine',
    kernel: o.kernel ?? 'v5.4',
    overrides: o.overrides ?? {},
    memory: { dram: [{ base: '0x80000000', size: '256M' }], buffers: o.buffers ?? [{ name: 'buf', size: '1M' }] },
    devices: devices.map((d) => ({ kind: 'bus-master', name: d.name, dmaMask: d.dmaMask ?? 32, start: '1s', ops: [{ op: 'delay', ns: 1 }] })),
    amd: {
      iommus: (o.iommus ?? ['iommu0']).map((name, i) => ({ name, devid: `${(i * 0x40).toString(16).padStart(2, '0')}:00.2` })),
      devices: devices.map((d) => ({ dev: d.name, bdf: d.bdf, ...(d.iommu ? { iommu: d.iommu } : {}), ...(d.group ? { group: d.group } : {}), driver: 'drv' })),
      fullflush: o.fullflush ?? false,
      iotlbEntries: o.iotlbEntries ?? 64,
      barWindows: o.barWindows ?? [],
      ops: o.ops ?? [],
      inject: { mapPageEnomem: o.mapPageEnomem ?? [] },
    },
  });
  const { machine: m } = buildMachine(scenario);
  m.step(); // the probe: default domains attached
  const list = m.model(DEVICES).list;
  return { m, s: amdState(m), dev: (name) => list.find((d) => d.name === name)! };
}

/** Every record of the machine's trace, parsed. */
export function records(m: Machine): Record<string, unknown>[] {
  return Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as Record<string, unknown>);
}
