import type { Template } from './template.ts';

export const HMM_TEMPLATE: Template = {
  id: 'hmm',
  model: 'pci',
  summary: 'HMM: a GPU mirrors a process range; the process unmaps part of it and the mirror is invalidated before the pages go',
  scenario: {
    version: 1,
    description: 'A GPU mirrors 32 KiB of a process through HMM and reads it; the process unmaps 8 KiB: invalidate_range_start clears the device page table first, and the GPU\'s next read of the hole faults with no VMA',
    kernel: 'v5.4',
    seed: 1,
    memory: { dram: [{ base: '0x80000000', size: '64M' }] },
    processes: [
      {
        name: 'app',
        vmas: [{ start: '0x7f0000000000', size: '32K', prot: 'rw', fill: 0x44 }],
        ops: [{ op: 'munmap', at: '20us', start: '0x7f0000002000', size: '8K' }],
      },
    ],
    devices: [
      {
        kind: 'pci-endpoint',
        name: 'gpu0',
        ops: [
          { op: 'hmm-mirror', process: 'app' },
          { op: 'hmm-fault', va: '0x7f0000000000', len: '32K', write: true },
          { op: 'hmm-access', va: '0x7f0000000000', len: '32K', dir: 'read' },
          { op: 'delay', ns: '25us' },
          { op: 'hmm-access', va: '0x7f0000000000', len: '32K', dir: 'read' },
        ],
      },
    ],
  },
  notes: {
    'devices[0].ops[0]': 'hmm_mirror_register: one mmu notifier (release, invalidate_range_start/end) on the process\'s mm.',
    'processes[0].ops[0]': 'munmap in the middle of the mirrored range, between the two device reads.',
  },
};
