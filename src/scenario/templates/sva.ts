import type { Template } from './template.ts';

export const SVA_TEMPLATE: Template = {
  id: 'sva',
  model: 'mm',
  summary: 'shared virtual addressing: a device reads a process\'s memory through a PASID; the process unmaps a page under it',
  scenario: {
    version: 1,
    description: 'An SVA device bound to a process reads its memory by virtual address; the process unmaps one page and the device\'s next read of it page-requests and faults',
    kernel: 'v5.4',
    seed: 1,
    memory: { dram: [{ base: '0x80000000', size: '64M' }] },
    processes: [
      {
        name: 'app',
        vmas: [{ start: '0x7f0000000000', size: '16K', prot: 'rw', fill: 0x44 }],
        ops: [{ op: 'munmap', at: '5us', start: '0x7f0000001000', size: '4K' }],
      },
    ],
    devices: [
      {
        kind: 'sva-device',
        name: 'accel0',
        start: '1us',
        period: '2us',
        repeat: 5,
        ops: [{ op: 'read', va: '0x7f0000001000', len: 64 }],
      },
    ],
    sva: { bindings: [{ device: 'accel0', process: 'app', iommu: 'intel-svm' }] },
  },
  notes: {
    'processes[0].ops[0]': 'munmap calls the mmu notifiers: intel-svm\'s invalidate_range flushes the IOTLB and the device\'s ATC.',
    'sva.bindings[0].iommu': '"intel-svm" or "amd-v2": whose notifier callbacks (and kernel rows) apply.',
  },
};
