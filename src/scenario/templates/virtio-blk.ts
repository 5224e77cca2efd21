import type { Template } from './template.ts';

export const VIRTIO_BLK_TEMPLATE: Template = {
  id: 'virtio-blk',
  model: 'swiotlb',
  summary: 'virtio-blk under swiotlb=force: a 512 KiB segment meets SWIOTLB\'s 256 KiB mapping limit (compare --kernel v5.0 and v5.4)',
  scenario: {
    version: 1,
    description: 'virtio-blk with every mapping bounced (swiotlb=force, as in an encrypted guest): one 4 KiB read and one 512 KiB read',
    kernel: 'v5.4',
    seed: 1,
    memory: {
      dram: [{ base: '0x40000000', size: '0x100000000' }],
      buffers: [
        { name: 'page', size: '4K' },
        { name: 'bio', size: '512K' },
      ],
    },
    swiotlb: 'force',
    devices: [
      {
        kind: 'virtio-blk',
        name: 'vda',
        requests: [
          { op: 'read', sector: 0, buf: 'page', len: '4K' },
          { op: 'read', sector: 2048, buf: 'bio', len: '512K' },
        ],
      },
    ],
  },
  notes: {
    kernel: 'v5.4 caps segments with virtio_max_dma_size (256 KiB); on v5.0 the 512 KiB segment overflows the pool\'s per-mapping limit: `dmadbg diff NAME --kernel v5.0 --kernel v5.4`.',
  },
};
