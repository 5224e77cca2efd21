import type { Template } from './template.ts';

export const VSVA_TEMPLATE: Template = {
  id: 'vsva',
  model: 'vsva',
  summary: 'What-if: a VT-d guest gets a PASID from the host (virtual command), binds its page table nested over the host, remaps a page its device cached and passes the invalidation down',
  scenario: {
    version: 1,
    description: 'What-if (IOASID, v5.8 cache_invalidate UAPI): guest PASID through the host, nested translation, a PTE change invalidated through the UAPI',
    kernel: 'v5.4',
    seed: 1,
    overrides: { ioasid: 'present', 'vsva-uapi': 'v5.8' },
    memory: { dram: [{ base: '0x80000000', size: '64M' }] },
    vtd: { cmdline: 'on,sm_on', units: [{ smts: true, pasid: true, nest: true, superpages: ['2M'] }] },
    vsva: {
      guests: [{ name: 'vm0', ram: { hpa: '0x81000000', size: '16M' }, vcmdLatency: '2us' }],
      devices: [{ name: 'vf0', guest: 'vm0', ats: true }],
      ops: [
        { op: 'register-allocator', at: '1us', guest: 'vm0' },
        { op: 'ioasid-alloc', at: '2us', kernel: 'vm0' },
        { op: 'bind-gpasid', at: '5us', dev: 'vf0', pasid: 1 },
        { op: 'guest-map', at: '6us', dev: 'vf0', va: '0x400000', gpa: '0x100000' },
        { op: 'dma', at: '10us', dev: 'vf0', va: '0x400000' },
        { op: 'guest-map', at: '20us', dev: 'vf0', va: '0x400000', gpa: '0x200000' },
        { op: 'cache-invalidate', at: '21us', dev: 'vf0', cache: ['iotlb'], granularity: 'addr', flags: ['pasid'], pasid: 1, addr: '0x400000' },
        { op: 'dma', at: '30us', dev: 'vf0', va: '0x400000' },
      ],
    },
  },
  notes: {
    overrides: 'Neither the IOASID framework nor the UAPI is in v5.0/v5.4: this runs the later kernel they were proposed for.',
    'vsva.ops[1]': "The guest's ioasid_alloc is a VCMD_CMD_ALLOC: the host answers 2 us later with host PASID 1.",
    'vsva.ops[6]': 'Set "dropped": true to see the device keep the old page and the stale-TLB checker name the PTE write.',
  },
};
