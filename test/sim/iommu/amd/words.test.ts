// AMD IOMMU words hand-derived from the kernel source (drivers/iommu/amd_iommu.c and
// amd_iommu_types.h, v5.0.1 / v5.4.1): PTEs (iommu_map_page, alloc_pte via PM_LEVEL_PDE),
// DTEs (set_dte_entry, clear_dte_entry), commands (build_inv_iommu_pages,
// build_inv_iotlb_pages, build_completion_wait, build_inv_dte) and the IO_PAGE_FAULT event
// as iommu_print_event decodes it on each release. The expected values are worked out in the
// comments from the macros, never read back from the model.
import { describe, expect, it } from 'vitest';
import { readWord, w64 } from '../../../../src/sim/iommu/amd/words.ts';
import { ALL, buildCompletionWait, buildInvDte, buildInvIommuPages, buildInvIotlbPages } from '../../../../src/sim/iommu/amd/cmd.ts';
import { amdIovaToPhys, amdWalk, fetchPte, iommuMapPage, leafPte, pageSizePteCount, ptePageSize } from '../../../../src/sim/iommu/amd/pgtable.ts';
import { amdDomainAlloc } from '../../../../src/sim/iommu/amd/domain.ts';
import { clearDteEntry, dteWords, setDteEntry } from '../../../../src/sim/iommu/amd/dte.ts';
import { decodeEvent, ioPageFaultText } from '../../../../src/sim/iommu/amd/evtlog.ts';
import { amdMachine } from './helpers.ts';

const word = (w: readonly number[]) => w64(w[0], w[1]);

describe('I/O page-table entries (iommu_map_page, alloc_pte)', () => {
  it('a 4 KiB leaf: pa | PR | FC | IR | IW (count 1, next level 0)', () => {
    // PAGE_SIZE_PTE_COUNT(4K) = 1 << ((__ffs(0x1000) - 12) % 9) = 1; __pte = pa | IOMMU_PTE_PR (bit 0)
    // | IOMMU_PTE_FC (bit 60); prot IR (bit 61) and IW (bit 62).
    // 0x12345000 | 1 | 1<<60 | 1<<61 | 1<<62 = 0x7000_0000_1234_5001
    expect(word(leafPte(0x1234_5000, 0x1000, 3))).toBe(0x7000_0000_1234_5001n);
    // read-only (IR): 0x3000_0000_1234_5001
    expect(word(leafPte(0x1234_5000, 0x1000, 1))).toBe(0x3000_0000_1234_5001n);
  });

  it('a 2 MiB leaf sits at level 1 as one entry with next level 0', () => {
    // PAGE_SIZE_LEVEL(2M) = (21 - 12) / 9 = 1; count = 1 << ((21 - 12) % 9) = 1:
    // pa | PR | FC | IR = 0x3000_0000_4020_0001
    expect(pageSizePteCount(0x20_0000)).toBe(1);
    expect(word(leafPte(0x4020_0000, 0x20_0000, 1))).toBe(0x3000_0000_4020_0001n);
  });

  it('a 32 KiB page is 8 replicated next-level-7 PTEs with the size in the address bits', () => {
    // count = 1 << ((15 - 12) % 9) = 8. PAGE_SIZE_PTE(0x80008000, 0x8000)
    //   = ((0x80008000 | 0x7fff) & ~0x4000) & PM_ADDR_MASK = 0x8000bfff & ~0xfff = 0x8000b000
    // | PM_LEVEL_ENC(7) (0xe00) | PR | FC | IR | IW = 0x7000_0000_8000_be01
    expect(pageSizePteCount(0x8000)).toBe(8);
    const [lo, hi] = leafPte(0x8000_8000, 0x8000, 3);
    expect(w64(lo, hi)).toBe(0x7000_0000_8000_be01n);
    // PTE_PAGE_SIZE = 1 << (1 + ffz(0x8000beff... | 0xfff)): the lowest clear bit is 14 -> 32 KiB.
    expect(ptePageSize(lo, hi)).toBe(0x8000);
  });

  it('a 3-level walk: PDEs carry the next level (PM_LEVEL_PDE), the leaf is where alloc_pte stops', () => {
    const { m, s } = amdMachine({ kernel: 'v5.4' });
    const d = s.domains[amdDomainAlloc(m, 'walk', 'unmanaged')];
    expect(d.mode).toBe(3); // PAGE_MODE_3_LEVEL
    // iova 0x40201000: PM_LEVEL_INDEX(2) = iova >> 30 = 1; (1) = (iova >> 21) & 0x1ff = 1; (0) = (iova >> 12) & 0x1ff = 1
    expect(iommuMapPage(m, d, 0x4020_1000, 0x8765_4000, 0x1000, 3)).toBe(0);
    const walk = amdWalk(m, d.root, d.mode, 0x4020_1000);
    expect(walk.map((w) => [w.level, w.index])).toEqual([[2, 1], [1, 1], [0, 1]]);
    // L2[1] = PM_LEVEL_PDE(2, l1) = l1 | 2 << 9 | PR | IR | IW; L1[1] = PM_LEVEL_PDE(1, l0) = l0 | 1 << 9 | ...
    const l1 = Number(word([walk[0].lo, walk[0].hi]) & 0x000f_ffff_ffff_f000n);
    const l0 = Number(word([walk[1].lo, walk[1].hi]) & 0x000f_ffff_ffff_f000n);
    expect(word([walk[0].lo, walk[0].hi])).toBe(0x6000_0000_0000_0401n | BigInt(l1));
    expect(word([walk[1].lo, walk[1].hi])).toBe(0x6000_0000_0000_0201n | BigInt(l0));
    expect(walk[1].addr).toBe(l1 + 8 * 1);
    expect(walk[2].addr).toBe(l0 + 8 * 1);
    expect(word([walk[2].lo, walk[2].hi])).toBe(0x7000_0000_8765_4001n);
    expect(amdIovaToPhys(m, d, 0x4020_1abc)).toBe(0x8765_4abc);
  });

  it('fetch_pte returns the first replica of a next-level-7 series and its size', () => {
    const { m, s } = amdMachine({ kernel: 'v5.4' });
    const d = s.domains[amdDomainAlloc(m, 'l7', 'unmanaged')];
    expect(iommuMapPage(m, d, 0x10_8000, 0x8000_8000, 0x8000, 3)).toBe(0);
    const f = fetchPte(m, d, 0x10_d123);
    // 0x10d000 >> 12 & 0x1ff = 0x10d = 269; the series of 8 starts at 269 & ~7 = 264
    expect([f.index, f.size]).toEqual([264, 0x8000]);
    const w = [0, 0];
    for (let i = 0; i < 8; i++) expect(w64(readWord(m.state.mem, f.table + 8 * (264 + i), w), w[1])).toBe(0x7000_0000_8000_be01n);
    expect(amdIovaToPhys(m, d, 0x10_d123)).toBe(0x8000_d123);
  });

  it('v5.0 alloc_pte refuses to walk through a 2 MiB leaf (-ENOMEM); v5.4 replaces it with a table', () => {
    for (const [kernel, want] of [['v5.0', -12], ['v5.4', 0]] as const) {
      const { m, s } = amdMachine({ kernel });
      const d = s.domains[amdDomainAlloc(m, 'big', 'unmanaged')];
      expect(iommuMapPage(m, d, 0x4000_0000, 0x9000_0000, 0x20_0000, 3)).toBe(0);
      // A 4 KiB map inside it: at level 1 the entry is a present leaf with next level 0 != 1.
      expect(iommuMapPage(m, d, 0x4000_3000, 0x8000_3000, 0x1000, 3), kernel).toBe(want);
    }
  });

  it('a 4 KiB map inside a next-level-7 series: v5.0 replaces the walked slot only, v5.4 clears every replica', () => {
    // 4 MiB: PAGE_SIZE_LEVEL = (22 - 12) / 9 = 1, count = 1 << ((22 - 12) % 9) = 2 slots at level 1.
    for (const [kernel, stillMapped] of [['v5.0', 0x9000_1000], ['v5.4', 0]] as const) {
      const { m, s } = amdMachine({ kernel });
      const d = s.domains[amdDomainAlloc(m, 'l7', 'unmanaged')];
      expect(iommuMapPage(m, d, 0x4000_0000, 0x9000_0000, 0x40_0000, 3)).toBe(0);
      expect(iommuMapPage(m, d, 0x4020_3000, 0x8000_3000, 0x1000, 3)).toBe(0);
      expect(amdIovaToPhys(m, d, 0x4020_3000)).toBe(0x8000_3000);
      // The other replica (the first 2 MiB) keeps the old large page on v5.0 only (alloc_pte vs first_pte_l7).
      expect(amdIovaToPhys(m, d, 0x4000_1000), kernel).toBe(stillMapped);
    }
  });

  it('prot without IR or IW is -EINVAL (dir2prot(DMA_NONE) = 0)', () => {
    const { m, s } = amdMachine();
    const d = s.domains[amdDomainAlloc(m, 'none', 'unmanaged')];
    expect(iommuMapPage(m, d, 0x1000, 0x8000_1000, 0x1000, 0)).toBe(-22);
  });
});

describe('device table entries (set_dte_entry, clear_dte_entry)', () => {
  it('set: root | mode << 9 | IR | IW | V | TV, domain ID in data[1]; clear: V | TV, data[1] & DTE_FLAG_MASK', () => {
    const { m, s } = amdMachine();
    const d = s.domains[amdDomainAlloc(m, 'dte', 'unmanaged')];
    setDteEntry(m, 0x0200, d, true);
    const root = BigInt(d.root);
    // data[0] = pt_root | (3 & 7) << 9 | DTE_FLAG_IR (61) | DTE_FLAG_IW (62) | V | TV
    //         = root | 0x600 | 0x6000_0000_0000_0000 | 3
    const dte = dteWords(s, 0x0200);
    expect(word(dte)).toBe(root | 0x6000_0000_0000_0603n);
    // data[1] = (old & ~0xffff) | DTE_FLAG_IOTLB (bit 32, ats) | domain->id
    expect(word(dte.slice(2))).toBe((1n << 32n) | BigInt(d.id));
    clearDteEntry(m, 0x0200);
    const cleared = dteWords(s, 0x0200);
    expect(word(cleared)).toBe(3n); // DTE_FLAG_V | DTE_FLAG_TV
    expect(word(cleared.slice(2))).toBe(1n << 32n); // only DTE_FLAG_MASK (0x3ff << 32) survives
  });
});

describe('command words (build_inv_iommu_pages, build_inv_iotlb_pages, build_completion_wait, build_inv_dte)', () => {
  it('INVALIDATE_IOMMU_PAGES for one page: address & PAGE_MASK, S clear', () => {
    // iommu_num_pages(0x12345678, 0x100, 4K) = DIV_ROUND_UP(0x678 + 0x100, 0x1000) = 1
    // data[1] = domid | CMD_INV_IOMMU_PAGES << 28 = 0x30000005; data[2] = 0x12345000
    expect(buildInvIommuPages(0x1234_5678, 0x100, 5, false)).toEqual([0, 0x3000_0005, 0x1234_5000, 0]);
  });

  it('two pages become "the whole domain": CMD_INV_IOMMU_ALL_PAGES_ADDRESS & PAGE_MASK with S', () => {
    // pages = 2 > 1: address = 0x7fffffffffffffff & PAGE_MASK = 0x7ffffffffffff000, S (bit 0)
    expect(buildInvIommuPages(0x1234_5000, 0x2000, 5, false)).toEqual([0, 0x3000_0005, 0xffff_f001, 0x7fff_ffff]);
    // a range straddling a page boundary is two pages too: DIV_ROUND_UP(0xff0 + 0x20, 0x1000) = 2
    expect(buildInvIommuPages(0x1234_5ff0, 0x20, 5, false)).toEqual([0, 0x3000_0005, 0xffff_f001, 0x7fff_ffff]);
  });

  it('with PDE: bit 1 of data[2] (domain_flush_tlb_pde)', () => {
    expect(buildInvIommuPages(0, ALL, 1, true)).toEqual([0, 0x3000_0001, 0xffff_f003, 0x7fff_ffff]);
  });

  it('INVALIDATE_IOTLB_PAGES, COMPLETION_WAIT and INVALIDATE_DEVTAB_ENTRY', () => {
    // data[0] = devid | (qdep & 0xff) << 24 = 0x20000100; data[1] = devid | 4 << 28
    expect(buildInvIotlbPages(0x0100, 32, 0x5000, 0x1000)).toEqual([0x2000_0100, 0x4000_0100, 0x5000, 0]);
    // data[0] = lower_32_bits(sem) | CMD_COMPL_WAIT_STORE_MASK; data[1] = upper | 1 << 28; data[2] = 1
    expect(buildCompletionWait(0x8000_a008)).toEqual([0x8000_a009, 0x1000_0000, 1, 0]);
    expect(buildInvDte(0x4100)).toEqual([0x4100, 0x2000_0000, 0, 0]);
  });
});

describe('IO_PAGE_FAULT as iommu_print_event decodes it', () => {
  // The entry the hardware writes for devid 01:00.0, domain ID 0x0405, a write (RW = 0x20) to
  // 0x1_2345_6000: event[0] = devid; event[1] = domid | flags << 16 | 2 << 28; event[3]:event[2] = address.
  const w = [0x0000_0100, 0x2020_0405, 0x2345_6000, 0x1];

  it('v5.0: pasid = PPR_PASID(*(u64 *)&event[0]): event[1] bits 13:10 << 16 | event[0] bits 31:16', () => {
    // PPR_PASID2 = (x >> 42) & 0xf = (0x0405 >> 10) & 0xf = 1; PPR_PASID1 = (x >> 16) & 0xffff = 0
    const e = decodeEvent('v5.0', w);
    expect(e).toEqual({ type: 2, devid: 0x100, domain: 0x1_0000, flags: 0x20, address: 0x1_2345_6000 });
    expect(ioPageFaultText(e, false)).toBe('Event logged [IO_PAGE_FAULT domain=0x10000 address=0x123456000 flags=0x0020]');
  });

  it('v5.4: pasid = (event[0] & 0xf0000) | (event[1] & 0xffff): the domain ID', () => {
    const e = decodeEvent('v5.4', w);
    expect(e.domain).toBe(0x0405);
    expect(ioPageFaultText(e, true)).toBe('Event logged [IO_PAGE_FAULT device=01:00.0 domain=0x0405 address=0x123456000 flags=0x0020]');
  });

  it('the same fault through the model prints the kernel line of each release', () => {
    const want = {
      // v5.0 dev_err: "<driver> <pci name>: " (no dev_fmt in v5.0's amd_iommu.c); domain lost
      'v5.0': 'drv 0000:01:00.0: Event logged [IO_PAGE_FAULT domain=0x0000 address=0x5000 flags=0x0020]',
      // v5.4 pci_err with dev_fmt = pr_fmt = "AMD-Vi: "
      'v5.4': 'drv 0000:01:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0001 address=0x5000 flags=0x0020]',
    } as const;
    for (const kernel of ['v5.0', 'v5.4'] as const) {
      const { m } = amdMachine({ kernel, ops: [{ op: 'dev-write', at: '10us', dev: 'nic0', iova: '0x5000', len: 8 }] });
      while (m.step()) {
        /* run */
      }
      const klog = Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as { kind: string; text?: string }).filter((r) => r.kind === 'klog' && r.text!.includes('IO_PAGE_FAULT'));
      expect(klog.map((r) => r.text), kernel).toEqual([want[kernel]]);
    }
  });
});
