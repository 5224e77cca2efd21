import type { Template } from './template.ts';

export const AMD_TEMPLATE: Template = {
  id: 'amd',
  model: 'amd',
  summary: 'AMD IOMMU: a NIC maps a scatterlist through amd_iommu_dma_ops (strict flushes), the device reads both entries, then unmaps',
  scenario: {
    version: 1,
    description: 'AMD IOMMU with amd_iommu=fullflush: a NIC maps two packet buffers with dma_map_sg, reads them through the I/O page table, and unmaps them (INVALIDATE_IOMMU_PAGES and a completion wait before the IOVA is freed)',
    kernel: 'v5.4',
    seed: 1,
    memory: {
      dram: [{ base: '0x80000000', size: '64M' }],
      buffers: [{ name: 'skb', size: '8K', fill: 0x42 }],
    },
    devices: [
      {
        kind: 'bus-master',
        name: 'eth0',
        start: '1us',
        ops: [
          { op: 'map', handle: 'pkts', buf: 'skb', len: 512, count: 2, stride: 4096, dir: 'to-device', api: 'sg' },
          { op: 'dev-read', handle: 'pkts', index: 0, len: 64 },
          { op: 'dev-read', handle: 'pkts', index: 1, len: 64 },
          { op: 'unmap', handle: 'pkts' },
        ],
      },
    ],
    amd: { devices: [{ dev: 'eth0', bdf: '0000:03:00.0', driver: 'tg3' }], fullflush: true },
  },
  notes: {
    'amd.devices[0]': 'eth0 behind iommu0: its DMA API calls go through amd_iommu_dma_ops; its DTE points at its group\'s default domain.',
    'amd.fullflush': 'Strict unmap; without it (lazy, the default) the IOVA waits in the flush queue and the IOTLB keeps the entry for a while.',
  },
};
