/**
 * `info registers m4u0` at the mt8183 fault (mt8183-bus-sel: vdec0 on larb 1 port 3 reads
 * IOVA 0x7f000000 after unmapping it; SMI_BUS_SEL routes larb 1 to mmu1). Expected values
 * decoded by hand from drivers/iommu/mtk_iommu.c (v5.4.1):
 * - FAULT_ST1 (0x134): F_INT_TRANSLATION_FAULT of mmu1 is bit 7 (F_REG_MMU1_FAULT_MASK 0x3f80): 0x80.
 * - MMU1_FAULT_VA (0x144): the IOVA with F_MMU_FAULT_VA_WRITE_BIT (bit 1) and LAYER_BIT (bit 0)
 *   clear for a read: 0x7f000000.
 * - MMU1_INT_ID (0x154): the hardware's larb id is the index of larb 1 in mt8183's
 *   larbid_remap {0, 4, 5, 6, 7, 2, 3, 1}: 7; F_MMU_INT_ID_LARB_ID is bits 9:7 and
 *   F_MMU_INT_ID_PORT_ID bits 6:2, so (7 << 7) | (3 << 2) = 0x38c. Port 3 of larb 1 is
 *   M4U_PORT_HW_VDEC_AVC_MV_EXT in include/dt-bindings/memory/mt8183-larb-port.h.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { build } from '../helpers/scenario.ts';

function atFault(): Session {
  const s = new Session(build('mt8183-bus-sel'));
  expect(s.exec('break fault-irq').error).toBeUndefined();
  expect(s.exec('continue').stop?.reason).toBe('breakpoint');
  return s;
}

const row = (lines: readonly string[], name: string) => lines.find((l) => l.includes(` ${name} `));

describe('info registers m4u0 at the mt8183 fault', () => {
  it('FAULT_ST1, MMU1_FAULT_VA and MMU1_INT_ID decode as the ISR reads them', () => {
    const lines = atFault().exec('info registers m4u0').lines;
    expect(lines[0]).toMatch(/^m4u0 \(mtk_iommu mt8183/);
    expect(row(lines, 'FAULT_ST1')).toMatch(/0x134 {2}FAULT_ST1 +0x00000080 {2}mmu1: TRANSLATION_FAULT$/);
    expect(row(lines, 'MMU1_FAULT_VA')).toMatch(/0x144 {2}MMU1_FAULT_VA +0x7f000000 {2}va 0x7f000000 read layer 0$/);
    expect(row(lines, 'MMU1_INT_ID')).toMatch(/0x154 {2}MMU1_INT_ID +0x0000038c {2}larb 7 \(larbid_remap: larb 1\) port 3 M4U_PORT_HW_VDEC_AVC_MV_EXT$/);
  });

  it('marks what changed since registers were last shown: the ISR\'s interrupt clear', () => {
    const s = atFault();
    s.exec('info registers m4u0');
    s.exec('stepi'); // the kernel log line
    s.exec('stepi'); // INT_CONTROL0 |= F_INT_CLR_BIT
    const lines = s.exec('info registers m4u0').lines;
    expect(lines.filter((l) => l.startsWith('*'))).toHaveLength(1);
    expect(row(lines, 'INT_CONTROL0')).toMatch(/^\* 0x120 {2}INT_CONTROL0 +0x0000106f .*INT_CLR_BIT$/);
  });

  it('an unknown block is named with the ones there are', () => {
    expect(atFault().exec('info registers m4u9').lines).toEqual(['no register block "m4u9": blocks here: m4u0']);
  });
});

describe('watch reg m4u0 FAULT_ST1', () => {
  it('stops where FAULT_ST1 is written: the hardware latching the fault, then the ISR clearing it', () => {
    // mtk_iommu_isr (v5.4.1) clears with INT_CONTROL0 |= F_INT_CLR_BIT (bit 12): 0x6f | 0x1000.
    const s = new Session(build('mt8183-bus-sel'));
    expect(s.exec('watch reg m4u0 FAULT_ST1').error).toBeUndefined();
    expect(s.exec('continue').stop?.record).toMatchObject({ kind: 'dma', dev: 'vdec0', result: 'fault', addr: 0x7f000000 });
    expect(s.exec('info registers m4u0').lines.find((l) => l.includes(' FAULT_ST1 '))).toMatch(/0x00000080/);
    expect(s.exec('continue').stop?.record).toMatchObject({ kind: 'reg', reg: 'INT_CONTROL0', val: 0x106f });
    expect(s.exec('continue').stop?.reason).toBe('end');
  });

  it('a misspelt register or block is an error with a did-you-mean', () => {
    const s = new Session(build('mt8183-bus-sel'));
    expect(s.exec('watch reg m4u0 FAULT_STX').error?.hint).toBe('did you mean "FAULT_ST1"?');
    expect(s.exec('watch reg m4u9 FAULT_ST1').error?.message).toBe('no register block "m4u9"');
  });
});
