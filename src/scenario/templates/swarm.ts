import type { Template } from './template.ts';

export const SWARM_TEMPLATE: Template = {
  id: 'swarm',
  model: 'swarm',
  summary: 'a swarm family: two 32-bit NICs bounce through a SWIOTLB pool whose size each seed picks; `dmadbg swarm FILE --seeds 1..50 --fail-on swiotlb-full` finds the seeds that fill it',
  scenario: {
    version: 1,
    description: 'Two 32-bit NICs receive 256 KiB each (128 slots, the most one mapping may take) into buffers above 4 GiB at the same time; each seed keeps one or both and picks the pool size, and the small pools with both NICs run out of slots',
    kernel: 'v5.4',
    seed: 1,
    memory: {
      dram: [{ base: '0x40000000', size: '0x100000000' }],
      buffers: [
        { name: 'rx0', size: '256K', above: '0x100000000' },
        { name: 'rx1', size: '256K', above: '0x100000000' },
      ],
    },
    swiotlb: '256',
    devices: [
      {
        kind: 'bus-master',
        name: 'nic0',
        dmaMask: 32,
        ops: [
          { op: 'map', handle: 'rx', buf: 'rx0', len: '256K', dir: 'from-device' },
          { op: 'dev-write', handle: 'rx', len: '256K', pattern: 0x11 },
          { op: 'delay', ns: 1000 },
          { op: 'unmap', handle: 'rx' },
        ],
      },
      {
        kind: 'bus-master',
        name: 'nic1',
        dmaMask: 32,
        start: '500ns',
        ops: [
          { op: 'map', handle: 'rx', buf: 'rx1', len: '256K', dir: 'from-device' },
          { op: 'dev-write', handle: 'rx', len: '256K', pattern: 0x22 },
          { op: 'unmap', handle: 'rx' },
        ],
      },
    ],
    swarm: {
      devices: { min: 1 },
      vary: [{ path: 'swiotlb', choices: ['128', '256', '1024'] }],
    },
  },
  notes: {
    swiotlb: 'The file as written (run, tui): 256 slabs of 2 KiB, room for both mappings. swiotlb= rounds up to a multiple of 128 slabs (IO_TLB_SEGSIZE), as the kernel does.',
    'swarm.devices': 'Each seed keeps one NIC or both, in file order.',
    'swarm.vary[0]': 'Each seed picks one pool size: 128 slabs cannot hold two 128-slot mappings at once.',
  },
};
