// Mistakes in a pci section or a pci-endpoint's ops come back as one problem each at the
// exact JSON path (with what to do), never as a crash at build or a silently wrong run.
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';

const ep = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'endpoint', name, ...extra });

function scenario(pci: unknown, devices: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    name: 't',
    description: 'test',
    memory: { dram: [{ base: '0x80000000', size: '64M' }], buffers: [{ name: 'b', size: '64K' }] },
    ...(pci ? { pci } : {}),
    devices,
    ...extra,
  };
}

const topo = (children: unknown[], extra: Record<string, unknown> = {}) => ({
  hostBridges: [{ vendor: '0x8086', device: '0x2f00', window: { cpu: '0xe0000000', size: '256M' }, children, ...extra }],
});

function problems(s: Record<string, unknown>): string[] {
  const r = parseScenarioText(JSON.stringify(s), 'x.json');
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
}

const dev = (name: string, ops: unknown[], extra: Record<string, unknown> = {}) => ({ kind: 'pci-endpoint', name, ops, ...extra });
const rp = (children: unknown[]) => ({ type: 'root-port', children });

describe('the pci section', () => {
  it('two functions at one slot, a BAR that is not a power of two, a window over DRAM', () => {
    const s = scenario(
      { hostBridges: [{ vendor: '0x8086', device: '0x2f00', window: { cpu: '0x80000000', size: '256M' }, children: [rp([ep('a', { fn: 0 }), ep('b', { fn: 0, bars: [{ bar: 0, size: '12K' }] })])] }] },
      [],
    );
    expect(problems(s)).toEqual([
      'pci.hostBridges[0].window: the window overlaps DRAM at 0x80000000 (BARs live in MMIO space: move the window outside memory.dram)',
      'pci.hostBridges[0].children[0].children[1].bars[0].size: BAR size 12288 is not a power of two of at least 4 KiB',
      'pci.hostBridges[0].children[0].children[1]: two functions at device 0 function 0 on one bus (also pci.hostBridges[0].children[0].children[0]) (give "dev"/"fn" explicitly)',
    ]);
  });

  it('p2pmem on a missing BAR; a kernel parameter that does not parse; a bad vendor id', () => {
    const s = scenario(topo([rp([ep('a', { bars: [{ bar: 0, size: '1M' }], p2pmem: { bar: 2 } })])], { vendor: 'intel' }), []);
    s.pci = { ...(s.pci as object), disableAcsRedir: '0000:02:01.0;junk' };
    expect(problems(s)).toEqual([
      'pci.hostBridges[0].vendor: expected a 16-bit PCI id, got "intel" (write it like "0x1022")',
    ]);
    (s.pci as { hostBridges: { vendor: string }[] }).hostBridges[0].vendor = '0x8086';
    expect(problems(s)).toEqual([
      'pci.hostBridges[0].children[0].children[0].p2pmem.bar: no BAR 2 on this endpoint (declare it in "bars")',
      'pci.disableAcsRedir: cannot parse "0000:02:01.0;junk" (PCI addresses like "0000:02:01.0" separated by ";")',
    ]);
  });
});

describe('pci-endpoint devices', () => {
  it('a device with no endpoint of its name, or a bdf that is not in the topology', () => {
    const s = scenario(topo([rp([ep('nvme0')])]), [dev('nvme1', [{ op: 'delay', ns: 1 }]), dev('x', [{ op: 'delay', ns: 1 }], { bdf: '0000:05:00.0' })]);
    expect(problems(s)).toEqual([
      'devices[0].name: no endpoint named "nvme1" in the pci section (did you mean "nvme0", or give "bdf"?)',
      'devices[1].bdf: no PCI function 0000:05:00.0 in the pci section (functions: nvme0)',
    ]);
  });

  it('ops: an unknown provider, a handle never made, a mapping used as p2pmem, HMM before a mirror, p2p without a pci section', () => {
    const s = scenario(topo([rp([ep('nvme0'), ep('mlx0', { fn: 1 })])]), [
      dev('mlx0', [
        { op: 'p2p-distance', provider: 'nvme' },
        { op: 'p2p-map', handle: 'cmb', as: 'm' },
        { op: 'dma-map', as: 'h', buf: 'b', len: '4K', dir: 'to-device' },
        { op: 'p2p-free', handle: 'h' },
        { op: 'hmm-access', va: '0x7f0000000000', len: 64, dir: 'read' },
      ]),
    ]);
    expect(problems(s)).toEqual([
      'devices[0].ops[0].provider: no device or PCI function named "nvme" (did you mean "nvme0"?)',
      'devices[0].ops[1].handle: no handle "cmb" at this point (create it with "p2p-alloc" first)',
      'devices[0].ops[3].handle: "h" is a mapping, not p2pmem',
      'devices[0].ops[4]: "hmm-access" needs the device to mirror a process first (add an "hmm-mirror" op before it)',
    ]);
    expect(problems(scenario(undefined, [dev('gpu', [{ op: 'p2p-distance', provider: 'gpu' }])]))).toContain(
      'devices[0].ops[0]: "p2p-distance" needs a pci section (describe the topology in "pci")',
    );
  });

  it('O_DIRECT and BAR mmaps need a process, page alignment, and p2pmem for vm_insert_page', () => {
    const s = scenario(topo([rp([ep('gpu', { bars: [{ bar: 0, size: '1M' }] })])]), [
      dev('gpu', [
        { op: 'mmap-bar', process: 'app', va: '0x7f0000000000', len: '64K', how: 'vm_insert_page' },
        { op: 'mmap-bar', process: 'app', va: '0x7f0000100000', len: '2M', how: 'remap_pfn_range' },
        { op: 'odirect-read', process: 'ap', va: '0x7f0000000100', len: '4K' },
      ]),
    ], { processes: [{ name: 'app' }] });
    expect(problems(s)).toEqual([
      'devices[0].ops[0].how: vm_insert_page inserts p2pmem from the device\'s own pool: give its endpoint "p2pmem"',
      'devices[0].ops[1].bar: offset + len overrun BAR 0 (1048576 bytes)',
      'devices[0].ops[2].process: no process named "ap" (declare it in processes)',
      'devices[0].ops[2]: an O_DIRECT buffer here must be page aligned and a whole number of pages',
    ]);
  });
});
