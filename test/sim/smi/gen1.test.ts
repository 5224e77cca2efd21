// SMI gen1 (mt2701): a port uses the M4U only if its 4-bit REG_SMI_SECUR_CON field in
// smi-common's AO space says "virtual, domain 3". Expected words are derived by hand from
// the SMI_SECUR_CON_* macros in drivers/memory/mtk-smi.c (mtk_smi_larb_config_port_gen1).
import { describe, expect, it } from 'vitest';
import {
  MT2701_PORT_IN_LARB,
  REG_SMI_SECUR_CON_ADDR,
  smiGen1CommonProbe,
  smiGen1ConfigPort,
} from '../../../src/sim/smi/gen1.ts';

describe('SMI gen1 config_port (mt2701)', () => {
  it('numbers ports flat across larbs: larb1 port 2 is M4U port 13, in the second register', () => {
    expect(MT2701_PORT_IN_LARB).toEqual([0, 11, 21, 44]);
    expect(REG_SMI_SECUR_CON_ADDR(13)).toBe(0x5c4); // 0x5c0 + ((13 >> 3) << 2)
  });

  it('sets VIRT (bit s+3) and DOMAIN=3 (bits s+1..s+2) for enabled ports only', () => {
    const common = smiGen1CommonProbe();
    expect(common.clocks).toEqual(['async']);
    // larb1, ports 2 and 3 -> ids 13 and 14 -> shifts 20 and 24 in register 0x5c4:
    // (1<<23 | 3<<21) | (1<<27 | 3<<25) = 0x00e00000 | 0x0e000000 = 0x0ee00000.
    const writes = smiGen1ConfigPort(common, 1, 0b1100);
    expect(writes).toEqual([
      { reg: 'REG_SMI_SECUR_CON(1)', off: '0x000005c4', val: '0x00e00000' },
      { reg: 'REG_SMI_SECUR_CON(1)', off: '0x000005c4', val: '0x0ee00000' },
    ]);
  });

  it('clears the port field first and keeps the other ports of the register', () => {
    const common = smiGen1CommonProbe();
    // Port 8 (shift 0) holds a stale 0x1 and port 9 (shift 4) is already configured.
    common.ao[0x5c4] = 0x0000_00e1;
    smiGen1ConfigPort(common, 0, 1 << 8); // larb0 port 8 = id 8
    expect(common.ao[0x5c4]).toBe(0x0000_00ee);
  });

  it('handles the last larb (port_in_larb[3] bounds larb2: 23 ports) and ignores bits beyond it', () => {
    const common = smiGen1CommonProbe();
    const writes = smiGen1ConfigPort(common, 2, (1 << 22) | (1 << 23));
    expect(writes.map((w) => w.off)).toEqual(['0x000005d4']); // id 43: 0x5c0 + (5 << 2)
    expect(common.ao[0x5d4]).toBe(0x0000_e000); // 43 & 7 = 3, shift 12: 1<<15 | 3<<13
  });
});
