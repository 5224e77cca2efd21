// A request that reaches a root complex with no IOMMU behind it keeps its address (outside
// the host bridge's MMIO window, bus address = CPU address), and DRAM or a BAR must decode
// it, else the completion is an Unsupported Request. The router remembers the last range
// that decoded; that memory must belong to one machine: the same address can be DRAM in
// one machine and nothing in another.
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../../src/scenario/build/index.ts';
import { DEVICES } from '../../../src/sim/devices/device.ts';
import type { PciEndpointState } from '../../../src/sim/devices/pci-endpoint.ts';
import { type Translator, translationCreate, translatorKey } from '../../../src/sim/devices/port.ts';
import { scenarioOf } from '../mm/helpers.ts';

function machine(dramBase: string) {
  const { machine: m } = buildMachine(
    scenarioOf({
      kernel: 'v5.4',
      memory: { dram: [{ base: dramBase, size: '256M' }] },
      pci: { hostBridges: [{ vendor: '0x8086', device: '0x2f00', window: { cpu: '0xe0000000', size: '64M' }, children: [{ type: 'root-port', children: [{ type: 'endpoint', name: 'mlx0', driver: 'mlx5_core' }] }] }] },
      devices: [{ kind: 'pci-endpoint', name: 'mlx0', ops: [{ op: 'delay', ns: 1 }] }],
    }),
  );
  const dev = m.model(DEVICES).list[0] as PciEndpointState;
  dev.space = 'bus';
  return { m, dev, t: m.service<Translator>(translatorKey('pci-endpoint')) };
}

describe('root complex decode, two machines', () => {
  it('0x48000000 is DRAM in the first machine and nothing in the second, whichever ran last', () => {
    const a = machine('0x40000000');
    const b = machine('0x80000000');
    const out = translationCreate();
    for (let i = 0; i < 3; i++) {
      expect(a.t(a.m, a.dev, 0x4800_0000 + 64 * i, true, out), `first machine, round ${i}`).toBe(true);
      expect(out.pa).toBe(0x4800_0000 + 64 * i);
      const o2 = translationCreate();
      expect(b.t(b.m, b.dev, 0x4800_0000 + 64 * i, true, o2), `second machine, round ${i}`).toBe(false);
      expect(o2.fault).toBe('unsupported request');
      expect(b.t(b.m, b.dev, 0x8800_0000, true, out)).toBe(true);
    }
  });
});
