import type { Template } from './template.ts';

export const HIGHMEM_TEMPLATE: Template = {
  id: 'highmem',
  model: 'cpu-maps',
  summary: 's3cmci PIO into lowmem and highmem pages (32-bit ARM, CONFIG_HIGHMEM): does the block layer bounce, does the driver kmap?',
  scenario: {
    version: 1,
    description: 's3cmci reads a request whose second page is in highmem: v5.4 leaves it unbounced and the PIO loop writes through sg_virt() of an unmapped page',
    kernel: 'v5.4',
    seed: 1,
    memory: {
      dram: [{ base: '0x40000000', size: '0x80000000' }],
      buffers: [
        { name: 'lo', size: '4K', addr: '0x40100000', fill: 0 },
        { name: 'hi', size: '4K', addr: '0x90000000', fill: 0 },
      ],
    },
    kmem: { pageOffset: '0xc0000000' },
    devices: [
      {
        kind: 's3cmci',
        name: 's3c2410-sdi',
        dmaMask: 31,
        start: '1us',
        requests: [{ op: 'read', sector: 100, bio: [{ buf: 'lo', len: '4K' }, { buf: 'hi', len: '4K' }] }],
      },
    ],
  },
  notes: {
    'memory.buffers[1].addr': 'with PAGE_OFFSET 0xc0000000 lowmem ends 768 MiB above the first DRAM byte (0x70000000): this page is highmem.',
    'devices[0].dmaMask': "31 bits: v5.0's mmc queue bounces pages above the mask; v5.4 bounces only hosts without a mask.",
  },
};
