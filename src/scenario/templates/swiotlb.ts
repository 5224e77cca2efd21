import type { Template } from './template.ts';

export const SWIOTLB_TEMPLATE: Template = {
  id: 'swiotlb',
  model: 'swiotlb',
  summary: 'SWIOTLB: a 32-bit bus master whose buffer sits above 4 GiB bounces through the pool; data moves only at sync and unmap',
  scenario: {
    version: 1,
    description: 'A 32-bit device receives into a buffer above 4 GiB: dma-direct bounces it through SWIOTLB, and the CPU sees the data only after dma_sync_single_for_cpu',
    kernel: 'v5.4',
    seed: 1,
    memory: {
      dram: [{ base: '0x40000000', size: '0x100000000' }],
      buffers: [{ name: 'rx', size: '8K', above: '0x100000000', fill: 0 }],
    },
    swiotlb: '1024',
    devices: [
      {
        kind: 'bus-master',
        name: 'nic32',
        dmaMask: 32,
        ops: [
          { op: 'map', handle: 'rx', buf: 'rx', len: '8K', dir: 'from-device' },
          { op: 'dev-write', handle: 'rx', len: '8K', pattern: 0x5a },
          { op: 'cpu-read', buf: 'rx', len: 64, at: 'before sync_for_cpu (stale)' },
          { op: 'sync-for-cpu', handle: 'rx' },
          { op: 'cpu-read', buf: 'rx', len: 64, at: 'after sync_for_cpu' },
          { op: 'unmap', handle: 'rx' },
        ],
      },
    ],
  },
  notes: {
    swiotlb: 'swiotlb=1024 as on the kernel command line: 1024 slabs of 2 KiB (2 MiB), below 4 GiB.',
    'memory.buffers[0].above': 'a 32-bit DMA mask cannot reach 4 GiB and up, so dma_map bounces this buffer.',
    'devices[0].ops[2]': 'The device wrote into the bounce slot: the buffer itself still holds zeros here.',
  },
};
