// arm_v7s_alloc_pgtable's checks and registers, and the words arm_v7s_map stores with both
// generations of the MediaTek 4GB quirk (v5.0 ARM_MTK_4GB, v5.4 ARM_MTK_EXT), read back
// from simulated memory and through arm_v7s_iova_to_phys.
import { describe, expect, it } from 'vitest';
import {
  armV7sAllocPgtable, armV7sIovaToPhys, armV7sMap, armV7sUnmap, armV7sWalk, decodePte, recordingTlbOps,
  EEXIST, EINVAL, ENOMEM, ERANGE, type ArmV7sPgtable,
} from '../../../../src/sim/pgtable/arm-v7s/index.ts';
import { armV7sReadPte } from '../../../../src/sim/pgtable/arm-v7s/tables.ts';
import { IOMMU_NOEXEC, IOMMU_READ as R, IOMMU_WRITE as W } from '../../../../src/sim/pgtable/prot.ts';
import { hex32 } from '../../../../src/sim/core/hex.ts';
import { alloc, machine, records, SELFTEST_LIKE } from './helpers.ts';
import type { Machine } from '../../../../src/sim/machine.ts';

const SZ_4K = 0x1000, SZ_64K = 0x10000, SZ_1M = 0x100000, SZ_16M = 0x1000000;
const tlb = recordingTlbOps([]);

function leafWord(m: Machine, pt: ArmV7sPgtable, iova: number): number {
  const w = armV7sWalk(m, pt, iova);
  return w[w.length - 1].pte;
}

describe('arm_v7s_alloc_pgtable', () => {
  it('refuses what the kernel refuses, with the reason', () => {
    const m = machine();
    const bad = [
      SELFTEST_LIKE('v5.4', { ias: 33 }),
      SELFTEST_LIKE('v5.4', { oas: 33 }),
      SELFTEST_LIKE('v5.0', { oas: 34, quirks: { noPerms: true, mtk4gb: true } }), // v5.0: oas <= 32 always
      SELFTEST_LIKE('v5.4', { oas: 35, quirks: { noPerms: true, mtkExt: true } }),
      SELFTEST_LIKE('v5.4', { quirks: { mtkExt: true } }), // MTK without NO_PERMS
      SELFTEST_LIKE('v5.0', { quirks: { mtk4gb: true } }),
      SELFTEST_LIKE('v5.4', { quirks: { noPerms: true, mtk4gb: true } }), // unknown quirk in v5.4
      SELFTEST_LIKE('v5.0', { quirks: { noPerms: true, mtkExt: true } }), // unknown quirk in v5.0
    ];
    for (const cfg of bad) {
      const r = armV7sAllocPgtable(m, cfg);
      expect(r.ok, JSON.stringify(cfg)).toBe(false);
      if (!r.ok) expect(r.error).toBe(-EINVAL);
    }
    expect(armV7sAllocPgtable(m, SELFTEST_LIKE('v5.4', { oas: 34, quirks: { noPerms: true, mtkExt: true } })).ok).toBe(true);
    expect(m.state.alloc.allocated).toBe(0x4000); // only the accepted one took memory
  });

  it('computes TCR, PRRR, NMRR and TTBR0 as the kernel does', () => {
    const m = machine();
    const a = alloc(m, SELFTEST_LIKE('v5.4'));
    expect(a.pgd % 0x4000).toBe(0);
    expect(a.pgd).toBeLessThan(2 ** 32);
    expect(hex32(a.cfg.tcr)).toBe('0x00000020'); // ARM_V7S_TCR_PD1
    expect(hex32(a.cfg.prrr)).toBe('0x800b8204'); // TR1=DEVICE, TR4/TR7=NORMAL, DS0, DS1, NS1, NOS7
    expect(hex32(a.cfg.nmrr)).toBe('0x40004000'); // IR7=OR7=WBWA
    expect(a.cfg.ttbr0).toBe(a.pgd + 0x6a); // S | NOS | IRGN WBWA (0x40) | ORGN WBWA (0x08)
    // v5.4 non-coherent walker: NC -> S | NOS only; v5.0 always WBWA.
    expect(alloc(m, SELFTEST_LIKE('v5.4', { coherentWalk: false, domain: 'b' })).cfg.ttbr0 % 0x4000).toBe(0x22);
    expect(alloc(m, SELFTEST_LIKE('v5.0', { coherentWalk: false, domain: 'c' })).cfg.ttbr0 % 0x4000).toBe(0x6a);
    expect(a.cfg.pgsizeBitmap).toBe(SZ_4K | SZ_64K | SZ_1M | SZ_16M);
    expect(alloc(m, SELFTEST_LIKE('v5.4', { pgsizeBitmap: 0x3ff000, domain: 'e' })).cfg.pgsizeBitmap).toBe(SZ_4K | SZ_64K | SZ_1M);
  });

  it('keeps tables below 4 GiB (ZONE_DMA / ZONE_DMA32): -ENOMEM when DRAM is all above', () => {
    const m = machine('v5.4', [{ base: 0x1_0000_0000, size: 0x4000_0000 }]);
    const r = armV7sAllocPgtable(m, SELFTEST_LIKE('v5.4'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe(-ENOMEM);
  });
});

describe('arm_v7s_map results', () => {
  it('no access is a no-op; overlap is -EEXIST; a PA beyond the range is -ERANGE', () => {
    const m = machine();
    const pt = alloc(m, SELFTEST_LIKE('v5.4'));
    expect(armV7sMap(m, pt, tlb, { iova: 0, pa: 0, size: SZ_4K, prot: IOMMU_NOEXEC })).toBe(0);
    expect(armV7sIovaToPhys(m, pt, 0)).toBe(0);
    expect(records(m, 'pte')).toEqual([]);
    expect(armV7sMap(m, pt, tlb, { iova: SZ_1M, pa: SZ_1M, size: SZ_1M, prot: R })).toBe(0);
    expect(armV7sMap(m, pt, tlb, { iova: SZ_1M, pa: 0, size: SZ_4K, prot: R })).toBe(-EEXIST); // leaf at L1
    expect(armV7sMap(m, pt, tlb, { iova: SZ_1M, pa: 0, size: SZ_1M, prot: R })).toBe(-EEXIST);
    expect(armV7sMap(m, pt, tlb, { iova: 0, pa: 2 ** 32, size: SZ_4K, prot: R })).toBe(-ERANGE);
    expect(armV7sMap(m, pt, tlb, { iova: 2 ** 32, pa: 0, size: SZ_4K, prot: R })).toBe(-ERANGE);
  });

  it('a 1M map over an L1 table unmaps the table first (arm_v7s_init_pte)', () => {
    const m = machine();
    const pt = alloc(m, SELFTEST_LIKE('v5.4'));
    expect(armV7sMap(m, pt, tlb, { iova: 0x2000, pa: 0x5000_2000, size: SZ_4K, prot: R })).toBe(0);
    expect(pt.l2Count).toBe(1);
    expect(armV7sMap(m, pt, tlb, { iova: 0, pa: 0x6000_0000, size: SZ_1M, prot: R })).toBe(0);
    expect(pt.l2Count).toBe(0);
    expect(armV7sIovaToPhys(m, pt, 0x2004)).toBe(0x6000_2004);
  });
});

describe('MediaTek 4GB mode, both generations (kernel-facts §1.9)', () => {
  const v50q = { armNs: true, noPerms: true, tlbiOnMap: true, mtk4gb: true };
  const v54q = { armNs: true, noPerms: true, tlbiOnMap: true, mtkExt: true };

  it('v5.0 ARM_MTK_4GB: bit 9 in every leaf whatever the PA; iova_to_phys gives the low 32 bits', () => {
    // The v5.0 MTK driver passes the low 32 bits of the PA (mtk_iommu_map) and ORs bit 32 in
    // its own iova_to_phys. Words: NO_PERMS RW groups (0xC42 / 0x31002 | NS) | bit 9 | PA.
    const m = machine('v5.0');
    const pt = alloc(m, SELFTEST_LIKE('v5.0', { quirks: v50q }));
    const cases: [number, number, number, string][] = [
      [0x0000_0000, 0x4000_0000, SZ_4K, '0x40000e42'], // 0xC42 | 0x200
      [0x0001_0000, 0x4001_0000, SZ_64K, '0x40011e01'], // cont(0xE42) = 0x1E01
      [0x0010_0000, 0x4010_0000, SZ_1M, '0x401b1202'], // 0x31002 | NS 0x80000 | 0x200
      [0x0100_0000, 0x4100_0000, SZ_16M, '0x410f1202'], // | CONT_SECTION 0x40000
    ];
    for (const [iova, pa, size, word] of cases) {
      expect(armV7sMap(m, pt, tlb, { iova, pa, size, prot: R | W })).toBe(0);
      expect(hex32(leafWord(m, pt, iova))).toBe(word);
      expect(armV7sIovaToPhys(m, pt, iova + 0x24)).toBe(pa + 0x24);
      expect(decodePte(leafWord(m, pt, iova), armV7sWalk(m, pt, iova).length as 1 | 2, pt.cfg).oa).toBe(2 ** 32 + pa);
    }
  });

  it('v5.4 ARM_MTK_EXT: PA bit 32 -> PTE bit 9, bit 33 -> bit 4, and back in iova_to_phys', () => {
    const m = machine('v5.4');
    const pt = alloc(m, SELFTEST_LIKE('v5.4', { quirks: v54q, oas: 34 }));
    const cases: [number, number, number, string][] = [
      [0x0000_0000, 0x1_4000_0000, SZ_4K, '0x40000e42'], // 0xC42 | bit 9
      [0x0000_1000, 0x2_4000_1000, SZ_4K, '0x40001c52'], // 0xC42 | bit 4
      [0x0000_2000, 0x3_4000_2000, SZ_4K, '0x40002e52'], // both
      [0x0000_3000, 0x0_4000_3000, SZ_4K, '0x40003c42'], // below 4G: neither (v5.0 4GB would set bit 9)
      [0x0001_0000, 0x2_4001_0000, SZ_64K, '0x40011c11'], // cont(0xC42) = 0x1C01 | bit 4
      [0x0010_0000, 0x3_4010_0000, SZ_1M, '0x401b1212'], // 0xB1002 | bit 9 | bit 4
      [0x0100_0000, 0x1_4100_0000, SZ_16M, '0x410f1202'], // 0xF1002 | bit 9
    ];
    for (const [iova, pa, size, word] of cases) {
      expect(armV7sMap(m, pt, tlb, { iova, pa, size, prot: R | W })).toBe(0);
      expect(hex32(leafWord(m, pt, iova))).toBe(word);
      expect(armV7sIovaToPhys(m, pt, iova + 0x24)).toBe(pa + 0x24);
    }
    // oas 34: bit 34 is out of range.
    expect(armV7sMap(m, pt, tlb, { iova: 0x20_0000, pa: 0x4_0000_0000, size: SZ_4K, prot: R })).toBe(-ERANGE);
  });

  it('decodePte shows the MTK bits as PA bits, not as AF/RO/XN', () => {
    // prot is arm_v7s_pte_to_prot read literally (bit 9 reads as AP2 = RO, so R|PRIV = 33):
    // meaningless under NO_PERMS, which is why the kernel never asks it of an MTK entry.
    const cfg = { kernel: 'v5.4' as const, quirks: v54q };
    expect(decodePte(0x40002e52, 2, cfg)).toMatchInlineSnapshot(`
      {
        "ap0": false,
        "ap1": false,
        "ap2": false,
        "b": false,
        "c": false,
        "mtkPa32": true,
        "mtkPa33": true,
        "ng": true,
        "oa": 13958651904,
        "prot": 33,
        "s": true,
        "size": 4096,
        "tex": 1,
        "type": "small-page",
        "xn": false,
      }
    `);
  });
});

describe('walk and decode for the panel', () => {
  it('walks a table then a small page, decoding both', () => {
    const m = machine();
    const pt = alloc(m, SELFTEST_LIKE('v5.4'));
    armV7sMap(m, pt, tlb, { iova: 0x1234_5000, pa: 0x5555_5000, size: SZ_4K, prot: R | W | IOMMU_NOEXEC });
    const w = armV7sWalk(m, pt, 0x1234_5678);
    expect(w.map((s) => [s.lvl, s.index, s.decoded.type])).toEqual([[1, 0x123, 'table'], [2, 0x45, 'small-page']]);
    expect(w[0].pteAddr).toBe(pt.pgd + 4 * 0x123);
    expect(w[0].decoded).toEqual({ type: 'table', size: 0, oa: armV7sReadPte(m, pt.pgd, 0x123) & 0xfffffc00, ns: true });
    expect(w[1].decoded).toMatchObject({ oa: 0x5555_5000, ap0: true, ap1: true, ap2: false, xn: true, tex: 1, s: true, ng: true, c: false, b: false });
    expect(armV7sWalk(m, pt, 0x8000_0000).map((s) => s.decoded.type)).toEqual(['invalid']);
  });

  it('decodes large pages with XN and TEX at their relocated positions', () => {
    const cfg = { kernel: 'v5.4' as const, quirks: { armNs: true } };
    expect(decodePte(0x01009c3d, 2, cfg)).toMatchObject({ type: 'large-page', size: SZ_64K, oa: 0x0100_0000, xn: true, tex: 1, c: true, b: true });
    expect(decodePte(0x030f1c1e, 1, cfg)).toMatchObject({ type: 'supersection', size: SZ_16M, oa: 0x0300_0000, xn: true, ns: true });
  });
});

describe('kernel WARN splats as pgtable-warn records', () => {
  // The kernel WARNs (and carries on) on: -ERANGE in arm_v7s_map, -EEXIST unless
  // selftest_running (__arm_v7s_map / arm_v7s_init_pte), and an invalid PTE in __arm_v7s_unmap.
  it('-EEXIST warns outside the selftest, -ERANGE and unmapping nothing always warn', () => {
    const m = machine();
    const pt = alloc(m, SELFTEST_LIKE('v5.4'));
    armV7sMap(m, pt, tlb, { iova: 0, pa: 0, size: SZ_4K, prot: R });
    expect(armV7sMap(m, pt, tlb, { iova: 0, pa: 0, size: SZ_4K, prot: R })).toBe(-EEXIST);
    expect(armV7sMap(m, pt, tlb, { iova: 0, pa: 2 ** 32, size: SZ_4K, prot: R })).toBe(-ERANGE);
    expect(armV7sUnmap(m, pt, tlb, { iova: SZ_16M, size: SZ_4K })).toBe(0);
    expect(records(m, 'pgtable-warn').map((r) => [r.func, r.cond])).toEqual([
      ['arm_v7s_init_pte', '!selftest_running'],
      ['arm_v7s_map', 'iova >= (1ULL << data->iop.cfg.ias) || paddr >= (1ULL << data->iop.cfg.oas)'],
      ['__arm_v7s_unmap', '!ARM_V7S_PTE_IS_VALID(pte[i])'],
    ]);
    pt.selftestRunning = true;
    expect(armV7sMap(m, pt, tlb, { iova: 0, pa: 0, size: SZ_4K, prot: R })).toBe(-EEXIST);
    expect(records(m, 'pgtable-warn').length).toBe(3);
  });
});

describe('trace records of PTE stores', () => {
  // Every store the kernel makes (__arm_v7s_set_pte, arm_v7s_install_table, the split loops)
  // is one `pte` record, in store order, with the entry's PA and the IOVA it covers.
  it('a 64K map: table install at L1, then 16 identical L2 stores; unmap: 16 zero stores', () => {
    const m = machine();
    const pt = alloc(m, SELFTEST_LIKE('v5.4'));
    armV7sMap(m, pt, tlb, { iova: 0x0250_0000 + SZ_64K, pa: 0x4444_0000, size: SZ_64K, prot: R | W });
    const ptes = records(m, 'pte');
    expect(ptes.length).toBe(17);
    const table = armV7sReadPte(m, pt.pgd, 0x25) & 0xfffffc00;
    expect(ptes[0]).toMatchObject({ domain: 'd0', level: 1, index: 0x25, old: '0x00000000', new: hex32(table | 0x9), iova: '0x2500000' });
    expect(ptes[0].addr).toBe('0x' + (pt.pgd + 4 * 0x25).toString(16));
    ptes.slice(1).forEach((r, i) => {
      expect(r).toMatchObject({ level: 2, index: 16 + i, old: '0x00000000', new: '0x44441c31', iova: '0x' + (0x0251_0000 + i * SZ_4K).toString(16) });
    });
    expect(records(m, 'pgtable-table').map((r) => [r.op, r.level])).toEqual([['alloc', 1], ['alloc', 2]]);
    armV7sUnmap(m, pt, tlb, { iova: 0x0250_0000 + SZ_64K, size: SZ_64K });
    const zeros = records(m, 'pte').slice(17);
    expect(zeros.map((r) => [r.index, r.old, r.new])).toEqual(
      Array.from({ length: 16 }, (_, i) => [16 + i, '0x44441c31', '0x00000000']),
    );
  });
});
