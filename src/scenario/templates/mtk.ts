import type { Template } from './template.ts';

export const MTK_TEMPLATE: Template = {
  id: 'mtk',
  model: 'mtk',
  summary: 'MediaTek M4U + SMI (mt8183): a video decoder maps a buffer, does DMA through its larb, then faults on an unmapped IOVA',
  scenario: {
    version: 1,
    description: 'mt8183: vdec0 takes its larb, maps a frame through the M4U, writes and reads it, then reads an IOVA nothing maps (translation fault, reported by the ISR)',
    kernel: 'v5.4',
    seed: 1,
    memory: {
      dram: [{ base: '0x40000000', size: '0x100000000' }],
      buffers: [{ name: 'frame', size: '8K', fill: 0x11 }],
    },
    mtk: { soc: 'mt8183', protect: { fill: 0xee } },
    devices: [
      {
        kind: 'mtk-engine',
        name: 'vdec0',
        engine: 'vdec',
        larb: 1,
        port: 3,
        start: '1us',
        ops: [
          { op: 'larb-get' },
          { op: 'map', as: 'fb', buf: 'frame', len: '8K', dir: 'bidirectional' },
          { op: 'write', map: 'fb', offset: 0, len: 64, pattern: 0xa1 },
          { op: 'read', map: 'fb', offset: '4K', len: 64 },
          { op: 'access', iova: '0x7f000000', len: 64, dir: 'read' },
          { op: 'delay', ns: '1us' },
          { op: 'unmap', map: 'fb' },
          { op: 'larb-put' },
        ],
      },
    ],
  },
  notes: {
    kernel: 'mt8183 needs v5.4 (the mt8183 series); v5.0 and v5.0-rc3 have mt2712 and mt8173 only.',
    'mtk.protect': 'Where a faulting access lands instead (REG_MMU_IVRP_PADDR): a faulting read returns these bytes.',
    'devices[0].larb': 'larb and port are the dt-binding ids: MTK_M4U_ID(larb, port). mt8183 larb1 is the video decoder\'s.',
    'devices[0].ops[4]': 'Nothing maps 0x7f000000: the access faults in the M4U (`break fault` stops here) and the ISR reports it later (`break fault-irq`).',
  },
};
