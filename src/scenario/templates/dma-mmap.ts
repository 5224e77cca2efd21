import type { Template } from './template.ts';

export const DMA_MMAP_TEMPLATE: Template = {
  id: 'dma-mmap',
  model: 'cpu-maps',
  summary: 'a driver mmaps its dma_alloc_attrs buffer into a process (dma_mmap_attrs, the kernel row dma-iommu-mmap)',
  scenario: {
    version: 1,
    description: 'A display engine allocates a 4-page buffer through the M4U; a process mmaps it and reads every page',
    kernel: 'v5.4',
    seed: 1,
    memory: { dram: [{ base: '0x40000000', size: '0x40000000' }] },
    mtk: { soc: 'mt8173' },
    devices: [
      {
        kind: 'mtk-engine',
        name: 'disp0',
        engine: 'disp',
        larb: 0,
        port: 0,
        start: '1us',
        ops: [
          { op: 'larb-get' },
          { op: 'alloc', as: 'fb', len: '16K' },
          { op: 'delay', ns: '20us' },
          { op: 'read', map: 'fb', offset: 0, len: 64 },
          { op: 'larb-put' },
        ],
      },
    ],
    processes: [
      {
        name: 'app',
        ops: [
          { op: 'dev-mmap', at: '10us', device: 'disp0', buffer: 'fb', start: '0x7f0000000000', size: '16K' },
          { op: 'write', at: '11us', va: '0x7f0000000000', len: 64, pattern: 0x5a },
          { op: 'read', at: '12us', va: '0x7f0000003000' },
        ],
      },
    ],
  },
  notes: {
    'processes[0].ops[0]': 'Try "pgoff": 1 with this 4-page VMA: v5.0 maps 3 pages and the last read takes SIGBUS; v5.4 refuses the mmap with -ENXIO.',
  },
};
