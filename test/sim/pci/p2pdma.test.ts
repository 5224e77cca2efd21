// P2PDMA call sites not covered by the shipped scenarios, each against its kernel source:
// - lib/vsprintf.c resource_string: %pR of a memory BAR, "[mem 0x%08llx-0x%08llx 64bit pref]";
// - drivers/pci/pci.c pci_enable_acs / pci_std_enable_acs (an IOMMU asked for ACS: ctrl |=
//   cap & (SV|RR|CR|UF)) then pci_disable_acs_redir (clear RR|CR|EC, pci_info "disabled ACS
//   redirect"; without the capability pci_warn "cannot disable ACS redirect for this
//   hardware as it does not have ACS capabilities");
// - drivers/pci/p2pdma.c (v5.4.1) pci_p2pdma_map_sg_attrs: a pair whose map type was never
//   computed reads PCI_P2PDMA_MAP_UNKNOWN (0) from the xarray and hits WARN_ON_ONCE(1) at
//   line 873, once per boot; nvme_map_data then returns BLK_STS_RESOURCE;
// - pci_p2pdma_map_sg (both versions) stores bus_offset = bus - CPU and hands out
//   phys - bus_offset: with a non-zero offset the dma address is phys + (CPU - bus).
import { describe, expect, it } from 'vitest';
import { resourceText } from '../../../src/sim/pci/log.ts';
import { type Rec, runObj } from '../mm/helpers.ts';

describe('%pR (resource_string)', () => {
  it('pads to 8 hex digits, prints 64bit and pref only when set, a one-byte range once', () => {
    expect(resourceText(0xe1000000, 0x1000000, { is64: true, prefetch: true })).toBe('[mem 0xe1000000-0xe1ffffff 64bit pref]');
    expect(resourceText(0xfe000, 0x1000, { is64: false, prefetch: false })).toBe('[mem 0x000fe000-0x000fefff]');
    expect(resourceText(0x38_0000_0000, 1, { is64: true, prefetch: false })).toBe('[mem 0x3800000000 64bit]');
  });
});

const sw = (acs: Record<string, unknown> | undefined) => ({
  type: 'switch', name: 'sw', ports: [
    { name: 'd0', ...(acs ? { acs } : {}), children: [{ type: 'endpoint', name: 'nvme0', driver: 'nvme', bars: [{ bar: 2, size: '1M' }], p2pmem: { bar: 2 } }] },
    { name: 'd1', children: [{ type: 'endpoint', name: 'mlx0', driver: 'mlx5_core' }] },
  ],
});

function p2pRun(o: { iommu: boolean; acs?: Record<string, unknown>; param?: string; kernel?: 'v5.0' | 'v5.4'; ops: unknown[]; window?: Record<string, unknown>; overrides?: Record<string, string> }): Rec[] {
  return runObj(
    {
      kernel: o.kernel ?? 'v5.4',
      overrides: o.overrides ?? {},
      // An IOMMU is the AMD driver's (early_amd_iommu_init calls pci_request_acs).
      ...(o.iommu ? { amd: {} } : {}),
      pci: {
        hostBridges: [{ vendor: '0x1022', device: '0x1450', window: o.window ?? { cpu: '0xe0000000', size: '64M' }, iommu: o.iommu, children: [{ type: 'root-port', children: [sw(o.acs)] }] }],
        ...(o.param ? { disableAcsRedir: o.param } : {}),
      },
      processes: [{ name: 'app', vmas: [{ start: '0x7f0000000000', size: '16K', fill: 1 }] }],
      devices: [{ kind: 'pci-endpoint', name: 'mlx0', ops: o.ops }],
    },
    { kernel: o.kernel ?? 'v5.4' },
  ).recs;
}

const klogs = (rs: Rec[]) => rs.filter((r) => r.kind === 'klog').map((r) => r.text);

describe('ACS at boot', () => {
  const dist = [{ op: 'p2p-distance', provider: 'nvme0' }];

  it('an IOMMU makes the kernel set SV|RR|CR|UF of the capability: the path is redirected', () => {
    const rs = p2pRun({ iommu: true, acs: {}, ops: dist });
    expect(rs.find((r) => r.kind === 'p2p-bridge')).toMatchObject({ acs: '0000:02:00.0', mapType: 'THRU_HOST_BRIDGE' });
  });

  it('without an IOMMU nothing is enabled (pci_acs_enable is 0)', () => {
    expect(p2pRun({ iommu: false, acs: {}, ops: dist }).find((r) => r.kind === 'p2p-bridge')).toMatchObject({ acs: '-', mapType: 'BUS_ADDR' });
  });

  it('pci=disable_acs_redir= clears RR|CR|EC again and says so; a port without ACS gets the warning', () => {
    const rs = p2pRun({ iommu: true, acs: {}, param: '0000:02:00.0;0000:02:01.0', ops: dist });
    expect(klogs(rs).slice(0, 2)).toEqual([
      'pcieport 0000:02:00.0: disabled ACS redirect',
      'pcieport 0000:02:01.0: cannot disable ACS redirect for this hardware as it does not have ACS capabilities',
    ]);
    expect(rs.find((r) => r.kind === 'p2p-bridge')).toMatchObject({ acs: '-', mapType: 'BUS_ADDR' });
  });
});

describe('pci_p2pdma_map_sg_attrs with nothing cached (v5.4)', () => {
  it('WARN_ON_ONCE at p2pdma.c:873 once, 0 entries; v5.0 maps regardless', () => {
    const ops = [
      { op: 'p2p-alloc', as: 'a', len: '8K', provider: 'nvme0' },
      { op: 'p2p-map', handle: 'a', as: 'm1' },
      { op: 'p2p-map', handle: 'a', as: 'm2' },
    ];
    const v54 = p2pRun({ iommu: false, ops });
    expect(klogs(v54).filter((t) => String(t).startsWith('WARNING'))).toEqual(['WARNING: CPU: 0 PID: 1 at drivers/pci/p2pdma.c:873 pci_p2pdma_map_sg_attrs']);
    expect(v54.filter((r) => r.kind === 'p2p-map').map((r) => [r.mapType, r.result])).toEqual([['UNKNOWN', 'error'], ['UNKNOWN', 'error']]);
    const v50 = p2pRun({ iommu: false, ops, kernel: 'v5.0' });
    expect(v50.filter((r) => r.kind === 'p2p-map').map((r) => r.result)).toEqual(['ok', 'ok']);
  });
});

describe('bus offset (pci_p2pdma_add_resource / __pci_p2pdma_map_sg)', () => {
  const run = (overrides?: Record<string, string>) =>
    p2pRun({
      iommu: false, window: { cpu: '0xe0000000', bus: '0x20000000', size: '64M' }, overrides,
      ops: [{ op: 'p2p-distance', provider: 'nvme0' }, { op: 'p2p-alloc', as: 'a', len: '4K', provider: 'nvme0' }, { op: 'p2p-map', handle: 'a', as: 'm' }, { op: 'write', handle: 'm', len: 64 }],
    });

  it('CPU 0xe0000000 decoding bus 0x20000000: the kernel hands out phys - (bus - CPU), which nothing decodes', () => {
    const rs = run();
    const add = rs.find((r) => r.kind === 'p2pmem' && r.op === 'add_resource')!;
    expect([add.pa, add.bus]).toEqual(['0xe0000000', '0x20000000']); // BAR 2 placed first in the window
    // bus_offset = 0x20000000 - 0xe0000000 = -0xc0000000; dma = 0xe0000000 + 0xc0000000.
    expect(rs.find((r) => r.kind === 'p2p-map')!.dma).toBe('0x1a0000000');
    // Not the peer's BAR: up to the root complex, where no DRAM or BAR decodes it.
    expect(rs.find((r) => r.kind === 'dma')).toMatchObject({ addr: '0x1a0000000', result: 'fault', fault: 'unsupported request' });
  });

  it('p2pdma-bus-offset=corrected gives the bus address (phys + bus_offset): the switch routes it to the CMB', () => {
    const rs = run({ 'p2pdma-bus-offset': 'corrected' });
    expect(rs.find((r) => r.kind === 'p2p-map')!.dma).toBe('0x20000000');
    expect(rs.find((r) => r.kind === 'dma')).toMatchObject({ addr: '0x20000000', pa: '0xe0000000', result: 'ok', via: 'peer via 0000:01:00.0' });
  });
});
