// Mistakes in the `amd` section come back as one problem each at the exact JSON path.
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';

function problems(amd: Record<string, unknown>, devices: unknown[] = [{ kind: 'bus-master', name: 'nic0', ops: [{ op: 'delay', ns: 1 }] }]): string[] {
  const s = {
    version: 1,
    name: 't',
    description: 'test',
    memory: { dram: [{ base: '0x80000000', size: '64M' }], buffers: [{ name: 'b', size: '64K' }] },
    devices,
    amd,
  };
  const r = parseScenarioText(JSON.stringify(s), 'x.json');
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
}

describe('amd section checks', () => {
  it('a device that does not exist, or cannot sit behind the IOMMU', () => {
    expect(problems({ devices: [{ dev: 'nic1', bdf: '01:00.0' }] })).toEqual(['amd.devices[0].dev: no device named "nic1" (did you mean "nic0"?)']);
    const engine = [{ kind: 'dma-engine', name: 'eng', ops: [{ op: 'delay', ns: 1 }] }];
    expect(problems({ devices: [{ dev: 'eng', bdf: '01:00.0' }] }, engine)[0]).toMatch(/^amd\.devices\[0\]\.dev: "eng" is a dma-engine/);
  });

  it('a bad PCI address, a shared one, an unknown IOMMU', () => {
    expect(problems({ devices: [{ dev: 'nic0', bdf: '01:00' }] })[0]).toMatch(/^amd\.devices\[0\]\.bdf: expected a PCI address/);
    const two = [
      { kind: 'bus-master', name: 'a', ops: [{ op: 'delay', ns: 1 }] },
      { kind: 'bus-master', name: 'b', ops: [{ op: 'delay', ns: 1 }] },
    ];
    expect(problems({ devices: [{ dev: 'a', bdf: '01:00.0' }, { dev: 'b', bdf: '0000:01:00.0' }] }, two)).toEqual([
      "amd.devices[1].bdf: 0000:01:00.0 is also amd.devices[0]'s PCI function",
    ]);
    expect(problems({ devices: [{ dev: 'nic0', bdf: '01:00.0', iommu: 'iommu9' }] })).toEqual(['amd.devices[0].iommu: no IOMMU named "iommu9" (did you mean "iommu0"?)']);
  });

  it('ops: a domain used before it is allocated, an unaligned iova, a buffer overrun', () => {
    const devices = [{ dev: 'nic0', bdf: '01:00.0' }];
    expect(problems({ devices, ops: [{ op: 'attach', at: '1us', dev: 'nic0', domain: 'vfio0' }, { op: 'domain-alloc', at: '2us', domain: 'vfio0' }] })).toEqual([
      'amd.ops[0].domain: no domain "vfio0" at 1000 ns (allocate it with an earlier "domain-alloc" op)',
    ]);
    expect(problems({ devices, ops: [{ op: 'iommu-map', at: 0, domain: 'dma-nic0', iova: '0x1800', buf: 'b', size: '4K' }] })[0]).toMatch(
      /^amd\.ops\[0\]\.iova: iova 0x1800 is not 4 KiB aligned/,
    );
    expect(problems({ devices, ops: [{ op: 'iommu-map', at: 0, domain: 'dma-nic0', iova: '0x1000', buf: 'b', size: '128K' }] })).toEqual([
      'amd.ops[0].size: 131072 bytes from offset 0 overrun buffer "b" (65536 bytes)',
    ]);
    expect(problems({ devices, ops: [{ op: 'detach', at: 0, dev: 'nic9' }] })[0]).toMatch(/^amd\.ops\[0\]\.dev: "nic9" is not a device in amd\.devices/);
  });

  it('a minimal section with an injection is clean', () => {
    expect(problems({ devices: [{ dev: 'nic0', bdf: '0000:01:00.0', driver: 'e1000e' }], inject: { mapPageEnomem: [3] } })).toEqual([]);
  });
  it('a device op past the transfer limit is refused before the run (fuzz seed 2024007918 crashed the run with a 2^52-byte dev-write)', () => {
    const devices = [{ dev: 'nic0', bdf: '01:00.0' }];
    expect(problems({ devices, ops: [{ op: 'dev-write', at: '9ms', dev: 'nic0', iova: '0xfffff000', len: 4503599627370495 }] })).toEqual([
      'amd.ops[0].len: 4294967296.0 MiB is more than a transfer may move (64 MiB) (split it into smaller ops; `dmadbg info limits` lists every limit)',
    ]);
    expect(problems({ devices, ops: [{ op: 'dev-read', at: '9ms', dev: 'nic0', iova: '0x1000', len: '65M' }] })).toEqual([
      'amd.ops[0].len: 65 MiB is more than a transfer may move (64 MiB) (split it into smaller ops; `dmadbg info limits` lists every limit)',
    ]);
  });
});
