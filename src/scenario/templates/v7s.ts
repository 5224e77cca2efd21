import type { Template } from './template.ts';

export const V7S_TEMPLATE: Template = {
  id: 'v7s',
  model: 'mtk',
  summary: "the kernel's ARM v7s io-pgtable selftest (arm_v7s_do_selftests), one step per event",
  scenario: {
    version: 1,
    description: "The ARM v7s io-pgtable selftest: maps every page size, overlaps, splits blocks by partial unmaps, unmaps and remaps",
    kernel: 'v5.4',
    seed: 1,
    memory: { dram: [{ base: '0x40000000', size: '256M' }] },
    devices: [{ kind: 'v7s-selftest', name: 'v7s-selftest', period: '1us' }],
  },
};
