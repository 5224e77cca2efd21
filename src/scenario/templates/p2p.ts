import type { Template } from './template.ts';

export const P2P_TEMPLATE: Template = {
  id: 'p2p',
  model: 'pci',
  summary: 'PCI peer-to-peer: an NVMe CMB and a NIC under one switch; the NIC writes the CMB (the traffic turns at the switch)',
  scenario: {
    version: 1,
    description: 'An NVMe drive publishes its controller memory buffer as p2pmem; a NIC under the same PCIe switch allocates from it and writes it: pci_p2pdma_distance 4, a bus address, no IOMMU on the way',
    kernel: 'v5.4',
    seed: 1,
    memory: { dram: [{ base: '0x80000000', size: '64M' }] },
    pci: {
      hostBridges: [
        {
          vendor: '0x8086',
          device: '0x2f00',
          window: { cpu: '0xe0000000', size: '256M' },
          iommu: true,
          children: [
            {
              type: 'root-port',
              name: 'rp0',
              children: [
                {
                  type: 'switch',
                  name: 'sw0',
                  ports: [
                    { name: 'dsp0', children: [{ type: 'endpoint', name: 'nvme0', driver: 'nvme', bars: [{ bar: 0, size: '16K' }, { bar: 2, size: '16M' }], p2pmem: { bar: 2 } }] },
                    { name: 'dsp1', children: [{ type: 'endpoint', name: 'nic0', driver: 'mlx5_core', bars: [{ bar: 0, size: '32M' }] }] },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
    devices: [
      {
        kind: 'pci-endpoint',
        name: 'nic0',
        start: '1us',
        ops: [
          { op: 'p2p-distance', provider: 'nvme0', clients: ['nic0'] },
          { op: 'p2p-alloc', as: 'cmb', len: '64K', clients: ['nic0', 'nvme0'] },
          { op: 'p2p-map', as: 'cmb-dma', handle: 'cmb', dir: 'from-device' },
          { op: 'write', handle: 'cmb-dma', len: '4K', pattern: 0xa5 },
          { op: 'p2p-unmap', handle: 'cmb-dma' },
          { op: 'p2p-free', handle: 'cmb' },
        ],
      },
    ],
  },
  notes: {
    'pci.hostBridges[0].device': 'Intel 0x2f00 is on v5.4\'s host-bridge whitelist (row p2pdma-whitelist); it matters only for traffic through the host bridge.',
    'pci.hostBridges[0].children[0].children[0].ports[0].children[0].p2pmem': 'The NVMe driver adds BAR 2 with pci_p2pdma_add_resource and publishes it.',
  },
};
