import type { Template } from './template.ts';

export const DMA_TEMPLATE: Template = {
  id: 'dma',
  model: 'dma-direct',
  summary: 'a DMA engine copying between two buffers through dma-direct (no IOMMU): the smallest start',
  scenario: {
    version: 1,
    description: 'A DMA engine copies a filled buffer into an empty one through dma-direct, then writes a status word',
    kernel: 'v5.4',
    seed: 1,
    memory: {
      dram: [{ base: '0x40000000', size: '256M' }],
      buffers: [
        { name: 'src', size: '16K', fill: 0x11 },
        { name: 'dst', size: '16K' },
        { name: 'status', size: '4K', fill: 0 },
      ],
    },
    devices: [
      {
        kind: 'dma-engine',
        name: 'dma0',
        period: '2us',
        repeat: 2,
        ops: [
          { op: 'copy', src: 'src', dst: 'dst', len: '16K' },
          { op: 'delay', ns: '500ns' },
          { op: 'write', buf: 'status', len: 4, pattern: 0x01 },
        ],
      },
    ],
  },
  notes: {
    'memory.buffers': 'Buffers without "addr" are allocated first-fit from DRAM, in this order.',
    'devices[0].repeat': 'Two rounds of the op list, "period" apart: `dmadbg run` shows both.',
  },
};
