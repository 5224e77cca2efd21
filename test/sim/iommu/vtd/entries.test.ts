/**
 * Entry and descriptor words derived by hand from the kernel source (v5.0.1 / v5.4.1):
 * second-level PTEs (drivers/iommu/intel-iommu.c __domain_mapping, pfn_to_dma_pte),
 * context entries (domain_context_mapping_one and the context_set_* helpers), PASID entries
 * (drivers/iommu/intel-pasid.c intel_pasid_setup_second_level / _pass_through,
 * pasid_set_page_snoop), and queued-invalidation descriptors (drivers/iommu/dmar.c
 * qi_flush_iotlb, qi_flush_context, qi_submit_sync; intel-pasid.c *_invalidation_with_pasid).
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../../src/sim/machine.ts';
import {
  DMA_PTE_LARGE_PAGE, DMA_PTE_READ, DMA_PTE_WRITE, type VtdPgtable, decodeVtdPte, pfnLevelOffset, vtdAllocTable, vtdDomainMapping, vtdLeafPte,
} from '../../../../src/sim/pgtable/vtd/index.ts';
import {
  contextSmPds, legacyContextEntry, pasidPassThroughEntry, pasidSecondLevelEntry, scalableContextEntry,
} from '../../../../src/sim/iommu/intel/entries.ts';
import { qiContextDesc, qiIotlbDesc, qiPasidCacheDesc, qiPasidIotlbDesc, qiWaitDesc } from '../../../../src/sim/iommu/intel/qi.ts';
import type { RecordOf } from '../../../../src/sim/trace-kinds.ts';

function machine(): Machine {
  return new Machine({ scenario: 't', seed: 1, kernel: 'v5.4', overrides: {}, dram: [{ base: 0x1000_0000, size: 0x1000_0000 }] });
}

function pgtable(m: Machine, agaw = 2, superpage = 2): VtdPgtable {
  const pt: VtdPgtable = { domain: 'd', pgd: 0, agaw, gaw: 48, superpage, tables: 0 };
  pt.pgd = vtdAllocTable(m, pt, agaw + 2);
  return pt;
}

const ptes = (m: Machine): RecordOf<'pte'>[] =>
  Array.from({ length: m.trace.count }, (_, i) => m.trace.record(i)).filter((r): r is RecordOf<'pte'> => r.kind === 'pte');

describe('second-level PTEs (__domain_mapping: pteval = phys_pfn << 12 | prot)', () => {
  it('R, W, RW leaves and a 2 MiB superpage (DMA_PTE_LARGE_PAGE = bit 7)', () => {
    expect(vtdLeafPte(0x1234_5000, DMA_PTE_READ)).toBe(0x1234_5001);
    expect(vtdLeafPte(0x1234_5000, DMA_PTE_WRITE)).toBe(0x1234_5002);
    expect(vtdLeafPte(0x1234_5000, DMA_PTE_READ | DMA_PTE_WRITE)).toBe(0x1234_5003);
    expect(vtdLeafPte(0x4020_0000, DMA_PTE_READ | DMA_PTE_WRITE, true)).toBe(0x4020_0083);
    expect(DMA_PTE_LARGE_PAGE).toBe(0x80);
  });

  it('a mapping writes exactly those words, and tables are linked table | R | W', () => {
    const m = machine();
    const pt = pgtable(m);
    expect(vtdDomainMapping(m, pt, { iovPfn: 0xfffff, sg: null, physPfn: 0x10010, nrPages: 1, prot: DMA_PTE_READ })).toBe(0);
    const w = ptes(m).map((r) => [r.level, r.new]);
    // Three tables below the top one, each pointer = table PA | 3, then the leaf 0x10010001.
    expect(w.map(([l]) => l)).toEqual([4, 3, 2, 1]);
    for (const [, v] of w.slice(0, 3)) expect(Number(v) % 4096).toBe(3);
    expect(w[3][1]).toBe(0x10010001n);
  });

  it('2 MiB-aligned IOVA and PA with 512 pages: one level-2 superpage word', () => {
    const m = machine();
    const pt = pgtable(m);
    vtdDomainMapping(m, pt, { iovPfn: 0x40200, sg: null, physPfn: 0x12000, nrPages: 512, prot: DMA_PTE_READ | DMA_PTE_WRITE });
    const leaf = ptes(m).at(-1)!;
    expect(leaf).toMatchObject({ level: 2, new: 0x1200_0083n, iova: 0x4020_0000 });
    expect(decodeVtdPte(Number(leaf.new), 2)).toMatchObject({ type: 'page', size: 0x20_0000, read: true, write: true, superpage: true });
  });

  it('4-level walk indices (pfn_level_offset: (pfn >> 9*(level-1)) & 0x1ff)', () => {
    // 0x12345678000: pfn 0x12345678 -> L4 0x12345678 >> 27 = 0x2, L3 >> 18 = 0x48d & 0x1ff = 0x8d,
    // L2 >> 9 = 0x91a2b & 0x1ff = 0x2b, L1 0x678 & 0x1ff = 0x78.
    // 0x7ffffffff000: pfn 0x7ffffffff -> L4 0xff, then 0x1ff at every level below.
    const want: Record<number, number[]> = { 0x1234_5678_000: [0x2, 0x8d, 0x2b, 0x78], 0x7fff_ffff_f000: [0xff, 0x1ff, 0x1ff, 0x1ff] };
    for (const [iova, idx] of Object.entries(want)) {
      const pfn = Number(iova) / 4096;
      expect([4, 3, 2, 1].map((l) => pfnLevelOffset(pfn, l))).toEqual(idx);
      const m = machine();
      const pt = pgtable(m);
      vtdDomainMapping(m, pt, { iovPfn: pfn, sg: null, physPfn: 0x10020, nrPages: 1, prot: DMA_PTE_READ });
      expect(ptes(m).map((r) => r.index)).toEqual(idx);
    }
  });
});

describe('context entries (domain_context_mapping_one)', () => {
  it('legacy: lo = SLPTPTR | TT << 2 | P, hi = DID << 8 | AW', () => {
    // context_set_domain_id(1), translation type 0, address root 0x10004000, width agaw 2,
    // fault enable (bit 1 clear), present.
    expect(legacyContextEntry({ did: 1, tt: 0, pgd: 0x1000_4000, aw: 2 })).toEqual([0x1000_4001n, 0x102n]);
    expect(legacyContextEntry({ did: 0x1234, tt: 0, pgd: 0x2_0000_3000, aw: 1 })).toEqual([0x2_0000_3001n, 0x12_3401n]);
  });

  it('scalable: lo = PASID dir | PDTS << 9 | P, hi = RID_PASID | bit 20', () => {
    // A device without PASID support: max_pasid = 0 -> order 0 -> table->max_pasid = 1 << 15;
    // max_pde = 32768 >> 6 = 512, first set bit 9, PDTS = 9 - 7 = 2.
    expect(contextSmPds(1 << 15)).toBe(2);
    expect(scalableContextEntry({ dirPa: 0x1000_7000, maxPasid: 1 << 15, rid2pasid: 0 })).toEqual([0x1000_7401n, 0x10_0000n, 0n, 0n]);
  });
});

describe('PASID entries (intel_pasid_setup_*)', () => {
  it('second level: val0 = SLPTPTR | AW << 2 | PGTT 2 << 6 | P; val1 = DID (+ PWSNP bit 23); val2 = SRE', () => {
    const v54 = pasidSecondLevelEntry({ did: 2, pgd: 0x1000_6000, aw: 2, smpwc: true, snoop: 'pwsnp' });
    expect(v54).toEqual([0x1000_6089n, 0x80_0002n, 1n, 0n, 0n, 0n, 0n, 0n]);
    // v5.0.1 pasid_set_bits(&val[1], 1 << 23, value): the 1 lands in bit 0, the DID becomes 3.
    const v50 = pasidSecondLevelEntry({ did: 2, pgd: 0x1000_6000, aw: 2, smpwc: true, snoop: 'into-did' });
    expect(v50[1]).toBe(3n);
    // An odd DID keeps its value; without SMPWC both store nothing.
    expect(pasidSecondLevelEntry({ did: 5, pgd: 0x1000_6000, aw: 2, smpwc: true, snoop: 'into-did' })[1]).toBe(5n);
    expect(pasidSecondLevelEntry({ did: 2, pgd: 0x1000_6000, aw: 2, smpwc: false, snoop: 'into-did' })[1]).toBe(2n);
  });

  it('pass-through: DID FLPT_DEFAULT_DID (1), PGTT 4, the unit agaw', () => {
    expect(pasidPassThroughEntry({ aw: 2, smpwc: false, snoop: 'pwsnp' })).toEqual([0x109n, 1n, 1n, 0n, 0n, 0n, 0n, 0n]);
    expect(pasidPassThroughEntry({ aw: 3, smpwc: true, snoop: 'pwsnp' }).slice(0, 2)).toEqual([0x10dn, 0x80_0001n]);
  });
});

describe('queued-invalidation descriptors', () => {
  it('qi_flush_iotlb: DID << 16 | DR << 7 | DW << 6 | QI_IOTLB_GRAN(type) | 2; the IH in addr is masked off', () => {
    // PSI: DMA_TLB_PSI_FLUSH >> 56 = 0x30.
    expect(qiIotlbDesc({ did: 1, addr: 0xffff_f000 + 0x40, am: 0, gran: 'psi', dw: true, dr: true })).toEqual({ qw0: 0x100f2n, qw1: 0xffff_f000n });
    expect(qiIotlbDesc({ did: 7, addr: 0, am: 0, gran: 'dsi', dw: false, dr: false })).toEqual({ qw0: 0x70022n, qw1: 0n });
    expect(qiIotlbDesc({ did: 0, addr: 0, am: 0, gran: 'global', dw: true, dr: true }).qw0).toBe(0xd2n);
  });

  it('qi_flush_context: FM << 48 | SID << 32 | DID << 16 | QI_CC_GRAN(type) | 1', () => {
    // Scalable-mode domain_context_clear_one: did_old = (hi >> 8) & 0xffff of hi = 1 << 20 = 0x1000.
    expect(qiContextDesc({ did: 0x1000, sid: 0x0018, fm: 0, gran: 'device' })).toEqual({ qw0: 0x18_1000_0031n, qw1: 0n });
    expect(qiContextDesc({ did: 0, sid: 0, fm: 0, gran: 'global' }).qw0).toBe(0x11n);
  });

  it('PASID cache and PASID-based IOTLB invalidation with PASID', () => {
    expect(qiPasidCacheDesc({ did: 2, pasid: 0 })).toEqual({ qw0: 0x20017n, qw1: 0n });
    expect(qiPasidIotlbDesc({ did: 2, pasid: 5 })).toEqual({ qw0: 0x5_0002_0026n, qw1: 0n });
    // v5.0.1 teardown reads the DID after clearing the entry: DID 0.
    expect(qiPasidIotlbDesc({ did: 0, pasid: 0 }).qw0).toBe(0x26n);
  });

  it('the wait descriptor: QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_STATUS_WRITE | 5, qw1 = the status word', () => {
    expect(qiWaitDesc(0x1001_5004)).toEqual({ qw0: 0x2_0000_0025n, qw1: 0x1001_5004n });
  });
});
