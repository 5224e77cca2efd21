import type { Template } from './template.ts';

export const VTD_TEMPLATE: Template = {
  id: 'vtd',
  model: 'vtd',
  summary: 'Intel VT-d: a NIC behind a DMAR unit maps a buffer, the device writes it, and a raw write to an unmapped IOVA faults',
  scenario: {
    version: 1,
    description: 'VT-d, strict mode: a NIC maps an RX buffer through intel_map_page, writes it, unmaps it (IOTLB flushed at once), then writes an IOVA nothing maps (a DMAR fault, recorded and reported)',
    kernel: 'v5.4',
    seed: 1,
    memory: {
      dram: [{ base: '0x10000000', size: '256M' }],
      buffers: [{ name: 'rx', size: '4K', fill: 0 }],
    },
    vtd: { cmdline: 'strict' },
    devices: [
      {
        kind: 'bus-master',
        name: 'nic0',
        bdf: '00:03.0',
        driver: 'ixgbe',
        dmaMask: 64,
        start: '1us',
        ops: [
          { op: 'map', handle: 'rx', buf: 'rx', len: '4K', dir: 'from-device' },
          { op: 'dev-write', handle: 'rx', len: 64, pattern: 0x11 },
          { op: 'unmap', handle: 'rx' },
          { op: 'access', addr: '0xfffff000', len: 64, dir: 'write', pattern: 0x22 },
          { op: 'cpu-read', buf: 'rx', len: 64, at: 'after the unmap' },
        ],
      },
    ],
  },
  notes: {
    vtd: 'One DMAR unit (dmar0) with every default; intel_iommu=strict: unmaps flush the IOTLB before they return.',
    'devices[0].bdf': 'A PCI function behind the unit: its DMA API calls go through the Intel IOMMU.',
    'devices[0].ops[3]': 'A write to an IOVA nothing maps: the unit records fault reason 5 (PTE Write access is not set) and dmar_fault prints it.',
  },
};
