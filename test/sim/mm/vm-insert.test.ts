// vm_insert_page and the helpers that insert a page array into a VMA, each case derived by
// hand from the kernel source: v5.0.1 / v5.4.1 mm/memory.c (vm_insert_page, insert_page,
// __vm_map_pages, vm_map_pages, vm_map_pages_zero), the Jan-2019 __vm_insert_range
// (kernel-facts-2 §14), v5.0.1 drivers/iommu/dma-iommu.c iommu_dma_mmap (the loop) and
// v5.4.1 iommu_dma_mmap (the -ENXIO check before __iommu_dma_mmap).
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../src/sim/machine.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';
import { mmModelCreate } from '../../../src/sim/mm/state.ts';
import { mmCreate } from '../../../src/sim/mm/fork.ts';
import { insertVma } from '../../../src/sim/mm/vma.ts';
import type { MmStruct, Vma } from '../../../src/sim/mm/types.ts';
import {
  EBUSY, EFAULT, EINVAL, ENXIO, type StructPage, driverPage, vmInsertPage, vmInsertRange, vmInsertRangeBuggy, vmMapPages,
  vmMapPagesZero,
} from '../../../src/sim/mm/vm-insert.ts';
import { driverMmap } from '../../../src/sim/iommu/dma-iommu-mmap.ts';

const START = 0x7f00_0000_0000;
const PAGE = 4096;
/** Four buffer pages at arbitrary, non-contiguous frames. */
const PFNS = [0x50010, 0x50011, 0x50020, 0x50021];

function setup(kernel: KernelVersion = 'v5.4', overrides: Record<string, string> = {}) {
  const m = new Machine({ scenario: 'vm-insert', seed: 1, kernel, overrides, dram: [{ base: 0x4000_0000, size: 0x4000_0000 }] });
  mmModelCreate(m);
  const mm = mmCreate(m, 'app');
  const vma = (pages: number, pgoff: number, at = START): Vma => {
    const v: Vma = { start: at, end: at + pages * PAGE, read: true, write: true, shared: true, kind: 'driver', file: 'dev', pgoff, anonVma: false };
    insertVma(mm, v);
    return v;
  };
  return { m, mm, vma, pages: PFNS.map(driverPage) };
}

/** The frame each VMA page maps now (-1 for none). */
function mapped(mm: MmStruct, v: Vma): number[] {
  const out: number[] = [];
  for (let a = v.start; a < v.end; a += PAGE) out.push(mm.ptes.get(a / PAGE)?.pfn ?? -1);
  return out;
}

describe('vm_map_pages / vm_map_pages_zero (v5.4.1 __vm_map_pages) and the Jan-2019 vm_insert_range', () => {
  const helpers = [
    ['vm_map_pages', vmMapPages],
    ['vm_insert_range', vmInsertRange],
  ] as const;
  for (const [name, fn] of helpers) {
    describe(name, () => {
      it('num 4, VMA 4, pgoff 0: ok, pages 0..3 from vm_start', () => {
        const { m, mm, vma, pages } = setup();
        const v = vma(4, 0);
        expect(fn(m, mm, v, pages, 4)).toEqual({ ret: 0, inserted: 4 });
        expect(mapped(mm, v)).toEqual(PFNS);
      });
      it('num 4, VMA 4, pgoff 1: -ENXIO (count 4 > num - offset 3), nothing inserted', () => {
        const { m, mm, vma, pages } = setup();
        const v = vma(4, 1);
        const r = fn(m, mm, v, pages, 4);
        expect([r.ret, r.inserted]).toEqual([-ENXIO, 0]);
        expect(mapped(mm, v)).toEqual([-1, -1, -1, -1]);
      });
      it('num 4, VMA 2, pgoff 2: ok, pages 2 and 3', () => {
        const { m, mm, vma, pages } = setup();
        const v = vma(2, 2);
        expect(fn(m, mm, v, pages, 4)).toEqual({ ret: 0, inserted: 2 });
        expect(mapped(mm, v)).toEqual([PFNS[2], PFNS[3]]);
      });
      it('num 4, VMA 1, pgoff 4: -ENXIO', () => {
        const { m, mm, vma, pages } = setup();
        const r = fn(m, mm, vma(1, 4), pages, 4);
        expect(r.ret).toBe(-ENXIO);
        // v5.4 refuses at "offset >= num"; the Jan-2019 "offset > num" lets 4 through and
        // the size check (1 > 4 - 4) refuses it: same result, different check.
        expect(r.reason).toBe(name === 'vm_map_pages' ? 'offset 4 >= num 4' : 'VMA of 1 pages > 0 pages left after offset 4');
      });
    });
  }

  for (const [name, fn] of [['vm_map_pages_zero', vmMapPagesZero], ['vm_insert_range_buggy', vmInsertRangeBuggy]] as const) {
    it(`${name} ignores vm_pgoff: VMA 4 at pgoff 3 maps pages 0..3`, () => {
      const { m, mm, vma, pages } = setup();
      const v = vma(4, 3);
      expect(fn(m, mm, v, pages, 4)).toEqual({ ret: 0, inserted: 4 });
      expect(mapped(mm, v)).toEqual(PFNS);
    });
  }
});

describe('iommu_dma_mmap per version (row dma-iommu-mmap)', () => {
  it("v5.0.1's loop: VMA 4 at pgoff 1 inserts pages 1..3 at vm_start..+2 and returns 0, leaving the last VMA page empty", () => {
    // for (i = vm_pgoff = 1; i < count = 4 && uaddr < vm_end; i++): three vm_insert_page calls, ret = 0.
    const { m, mm, vma, pages } = setup('v5.0');
    const v = vma(4, 1);
    const r = driverMmap(m, mm, v, pages, 'dma_mmap_attrs');
    expect([r.func, r.ret, r.inserted]).toEqual(['iommu_dma_mmap', 0, 3]);
    expect(mapped(mm, v)).toEqual([PFNS[1], PFNS[2], PFNS[3], -1]);
  });

  it("v5.0.1's loop with pgoff 4 never runs: ret stays -ENXIO", () => {
    const { m, mm, vma, pages } = setup('v5.0');
    expect(driverMmap(m, mm, vma(1, 4), pages, 'dma_mmap_attrs').ret).toBe(-ENXIO);
  });

  it('v5.4.1 refuses VMA 4 at pgoff 1 in iommu_dma_mmap itself (vma_pages 4 > nr_pages 4 - off 1)', () => {
    const { m, mm, vma, pages } = setup('v5.4');
    const r = driverMmap(m, mm, vma(4, 1), pages, 'dma_mmap_attrs');
    expect([r.func, r.ret, r.reason]).toEqual(['iommu_dma_mmap', -ENXIO, 'vma_pages 4 > nr_pages 4 - off 1']);
  });

  it('the Jan-2019 conversion returns vm_insert_range\'s -ENXIO on v5.0 with the override', () => {
    const { m, mm, vma, pages } = setup('v5.0', { 'dma-iommu-mmap': 'vm_insert_range' });
    const r = driverMmap(m, mm, vma(4, 1), pages, 'dma_mmap_attrs');
    expect([r.func, r.ret]).toEqual(['vm_insert_range', -ENXIO]);
  });

  it("fw_iso_buffer_map_vma on v5.0.1 inserts page_count pages from vm_start: -EFAULT past a 2-page VMA's end", () => {
    const { m, mm, vma, pages } = setup('v5.0');
    const v = vma(2, 0);
    const r = driverMmap(m, mm, v, pages, 'fw_iso_buffer_map_vma');
    expect([r.ret, r.inserted]).toEqual([-EFAULT, 2]);
    expect(mapped(mm, v)).toEqual([PFNS[0], PFNS[1]]); // the caller's unmap_and_free_vma undoes them
  });
});

describe('vm_insert_page errors (v5.0.1 and v5.4.1 vm_insert_page / insert_page)', () => {
  const page = (over: Partial<StructPage>): StructPage => ({ ...driverPage(0x50030), ...over });
  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`${kernel}: -EFAULT outside the VMA, -EINVAL for a free or anonymous page, -EBUSY over a present PTE`, () => {
      const { m, mm, vma } = setup(kernel);
      const v = vma(2, 0);
      expect(vmInsertPage(m, mm, v, v.start - PAGE, page({}))).toBe(-EFAULT);
      expect(vmInsertPage(m, mm, v, v.end, page({}))).toBe(-EFAULT);
      expect(vmInsertPage(m, mm, v, v.start, page({ count: 0 }))).toBe(-EINVAL);
      expect(vmInsertPage(m, mm, v, v.start, page({ anon: true }))).toBe(-EINVAL);
      expect(vmInsertPage(m, mm, v, v.start, page({}))).toBe(0);
      expect(vmInsertPage(m, mm, v, v.start, page({}))).toBe(-EBUSY);
    });
  }

  it('slab and typed pages: v5.0.1 inserts them (only PageAnon is refused), v5.4.1 refuses with -EINVAL', () => {
    for (const over of [{ slab: true }, { type: 'table' as const }, { type: 'offline' as const }]) {
      const v50 = setup('v5.0');
      expect(vmInsertPage(v50.m, v50.mm, v50.vma(1, 0), START, page(over)), JSON.stringify(over)).toBe(0);
      const v54 = setup('v5.4');
      expect(vmInsertPage(v54.m, v54.mm, v54.vma(1, 0), START, page(over)), JSON.stringify(over)).toBe(-EINVAL);
    }
  });

  it('the PTE maps the page writable only in a shared writable VMA (mk_pte with vm_page_prot)', () => {
    const { m, mm } = setup();
    const shared: Vma = { start: START, end: START + PAGE, read: true, write: true, shared: true, kind: 'driver', file: 'd', pgoff: 0, anonVma: false };
    const priv: Vma = { ...shared, start: START + PAGE, end: START + 2 * PAGE, shared: false };
    insertVma(mm, shared);
    insertVma(mm, priv);
    vmInsertPage(m, mm, shared, shared.start, driverPage(0x50040));
    vmInsertPage(m, mm, priv, priv.start, driverPage(0x50041));
    expect(mm.ptes.get(shared.start / PAGE)).toMatchObject({ pfn: 0x50040, present: true, write: true });
    expect(mm.ptes.get(priv.start / PAGE)).toMatchObject({ pfn: 0x50041, present: true, write: false });
  });
});
