// PTE words for every entry type and prot combination must be the kernel's, bit for bit.
// Expected words are derived by hand from arm_v7s_prot_to_pte and arm_v7s_pte_to_cont
// (io-pgtable-arm-v7s.c, identical in v5.0 and v5.4 apart from the MTK bit), then the
// pairs are round-tripped.
//
// The 8-bit attribute group (arm_v7s_prot_to_pte): nG|S = 0xC0; TEX=1 (0x04) unless MMIO;
// without NO_PERMS also AF (0x01), AP1 (0x02) unless PRIV, AP2 (0x20) unless WRITE. It sits at
// bit 10 (L1) or bit 4 (L2); then XN (L1 bit 4, L2 bit 0) if NOEXEC and not NO_PERMS; B (bit 2)
// for MMIO, else B|C (0xC) for CACHE; type bit 1; L1 with ARM_NS also bit 19.
//   R          : 0xC0|0x04|0x01|0x02|0x20 = 0xE7 -> L2 0xE70|2 = 0xE72; L1 0xE7<<10|2 = 0x39C02
//   R|W|NOEXEC|CACHE: 0xC7 -> L2 0xC70|1|0xC|2 = 0xC7F; L1 0x31C00|0x10|0xC|2 = 0x31C1E
//   R|W|MMIO   : 0xC0|0x01|0x02 = 0xC3 -> L2 0xC30|4|2 = 0xC36
//   NO_PERMS R|W: 0xC4 -> L2 0xC42; NO_PERMS MMIO: 0xC0 -> L2 0xC00|4|2 = 0xC06
// Large page (arm_v7s_pte_to_cont, L2): XN bit0 -> bit15, TEX [8:6] -> [14:12], type 01:
//   0xC7F: xn=1, tex=0x040 -> 0xC7F ^ 0x043 = 0xC3C, | 0x8000 | 0x1000 | 1 = 0x9C3D
//   0xE72: xn=0, tex=0x040 -> 0xE72 ^ 0x042 = 0xE30, | 0x1000 | 1 = 0x1E31
// Supersection: the section word | bit 18 (0x40000).
import { describe, expect, it } from 'vitest';
import {
  armV7sContToPte, armV7sIopteToPaddr, armV7sPaddrToIopte, armV7sProtToPte, armV7sPteIsCont,
  armV7sPteToCont, armV7sPteToProt,
} from '../../../../src/sim/pgtable/arm-v7s/bits.ts';
import type { ArmV7sQuirks } from '../../../../src/sim/pgtable/arm-v7s/index.ts';
import {
  IOMMU_CACHE as C, IOMMU_MMIO as MMIO, IOMMU_NOEXEC as X, IOMMU_PRIV as P, IOMMU_READ as R, IOMMU_WRITE as W,
} from '../../../../src/sim/pgtable/prot.ts';
import { hex32 } from '../../../../src/sim/core/hex.ts';

const v54 = (quirks: ArmV7sQuirks) => ({ kernel: 'v5.4' as const, quirks });

// prot -> [L1 section, L2 small page, L2 large page] attribute words (no address, no NS).
const AP: [string, number, number, number, number][] = [
  ['R', R, 0x39c02, 0xe72, 0x1e31],
  ['W', W, 0x31c02, 0xc72, 0x1c31],
  ['RW', R | W, 0x31c02, 0xc72, 0x1c31],
  ['R|NOEXEC', R | X, 0x39c12, 0xe73, 0x9e31],
  ['RW|CACHE', R | W | C, 0x31c0e, 0xc7e, 0x1c3d],
  ['RW|NOEXEC|CACHE', R | W | X | C, 0x31c1e, 0xc7f, 0x9c3d],
  ['RW|MMIO', R | W | MMIO, 0x30c06, 0xc36, 0x0c35],
  ['RW|MMIO|CACHE (MMIO wins)', R | W | MMIO | C, 0x30c06, 0xc36, 0x0c35],
  ['RW|PRIV', R | W | P, 0x31402, 0xc52, 0x1c11],
  ['R|PRIV', R | P, 0x39402, 0xe52, 0x1e11],
];
// NO_PERMS: no AF/AP/XN; 0xC4 (0xC0 for MMIO).
const NO_PERMS: [string, number, number, number, number][] = [
  ['R', R, 0x31002, 0xc42, 0x1c01],
  ['RW|NOEXEC (XN dropped)', R | W | X, 0x31002, 0xc42, 0x1c01],
  ['RW|PRIV', R | W | P, 0x31002, 0xc42, 0x1c01],
  ['RW|CACHE', R | W | C, 0x3100e, 0xc4e, 0x1c0d],
  ['RW|MMIO', R | W | MMIO, 0x30006, 0xc06, 0x0c05],
];

describe('arm_v7s_prot_to_pte and arm_v7s_pte_to_cont', () => {
  for (const [name, prot, l1, l2, large] of AP) {
    it(`${name}: L1 ${hex32(l1)}, L2 ${hex32(l2)}, large ${hex32(large)}`, () => {
      const cfg = v54({});
      expect(hex32(armV7sProtToPte(prot, 1, cfg))).toBe(hex32(l1));
      expect(hex32(armV7sProtToPte(prot, 1, v54({ armNs: true })))).toBe(hex32(l1 | 0x80000));
      expect(hex32(armV7sPteToCont(armV7sProtToPte(prot, 1, cfg), 1))).toBe(hex32(l1 | 0x40000));
      expect(hex32(armV7sProtToPte(prot, 2, v54({ armNs: true })))).toBe(hex32(l2)); // NS is L1 only
      expect(hex32(armV7sPteToCont(l2, 2))).toBe(hex32(large));
    });
  }
  for (const [name, prot, l1, l2, large] of NO_PERMS) {
    it(`NO_PERMS ${name}: L1 ${hex32(l1)}, L2 ${hex32(l2)}, large ${hex32(large)}`, () => {
      const cfg = v54({ noPerms: true });
      expect(hex32(armV7sProtToPte(prot, 1, cfg))).toBe(hex32(l1));
      expect(hex32(armV7sProtToPte(prot, 2, cfg))).toBe(hex32(l2));
      expect(hex32(armV7sPteToCont(l2, 2))).toBe(hex32(large));
    });
  }

  it('v5.0 MTK_4GB ORs bit 9 into every leaf, v5.4 never does in prot_to_pte', () => {
    const q = { armNs: true, noPerms: true, tlbiOnMap: true, mtk4gb: true };
    expect(hex32(armV7sProtToPte(R | W, 2, { kernel: 'v5.0', quirks: q }))).toBe('0x00000e42');
    expect(hex32(armV7sProtToPte(R | W, 1, { kernel: 'v5.0', quirks: q }))).toBe('0x000b1202');
    expect(hex32(armV7sProtToPte(R | W, 2, v54({ armNs: true, noPerms: true, mtkExt: true })))).toBe('0x00000c42');
  });
});

describe('encode/decode pairs round-trip', () => {
  it('pte_to_cont / cont_to_pte are inverses on every attribute word both levels produce', () => {
    for (const q of [{}, { noPerms: true }, { armNs: true }]) {
      for (let prot = 0; prot < 64; prot++) {
        for (const lvl of [1, 2] as const) {
          const pte = armV7sProtToPte(prot, lvl, v54(q));
          const cont = armV7sPteToCont(pte, lvl);
          expect(armV7sPteIsCont(cont, lvl)).toBe(true);
          expect(armV7sPteIsCont(pte, lvl)).toBe(false);
          expect(armV7sContToPte(cont, lvl)).toBe(pte);
        }
      }
    }
  });

  it('pte_to_prot(prot_to_pte(p)) == p up to what collapses: READ always, MMIO beats CACHE', () => {
    for (let prot = 0; prot < 64; prot++) {
      for (const lvl of [1, 2] as const) {
        const back = armV7sPteToProt(armV7sProtToPte(prot, lvl, v54({})), lvl);
        let want = prot | R;
        if (want & MMIO) want &= ~C;
        expect(back, `prot ${prot} lvl ${lvl}`).toBe(want);
      }
    }
  });

  it('paddr_to_iopte / iopte_to_paddr: MTK_EXT carries PA bits 32 and 33 in PTE bits 9 and 4', () => {
    const ext = v54({ noPerms: true, mtkExt: true });
    for (const hi of [0, 1, 2, 3]) {
      for (const lvl of [1, 2] as const) {
        const pa = hi * 2 ** 32 + (lvl === 1 ? 0x4010_0000 : 0x4000_3000);
        const bits = armV7sPaddrToIopte(pa, lvl, ext);
        expect(bits & 0x210).toBe((hi & 1 ? 0x200 : 0) | (hi & 2 ? 0x10 : 0));
        expect(armV7sIopteToPaddr(bits | 2, lvl, ext)).toBe(pa);
        // Without the quirk the upper bits are dropped, as the u32 PTE drops them.
        expect(armV7sIopteToPaddr(armV7sPaddrToIopte(pa, lvl, v54({})) | 2, lvl, v54({}))).toBe(pa % 2 ** 32);
      }
    }
  });
});
