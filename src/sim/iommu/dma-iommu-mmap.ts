/**
 * A driver's mmap of a DMA buffer's page array, per the `dma-iommu-mmap` row:
 * - dma_mmap_attrs on iommu-dma: v5.0.1 iommu_dma_mmap(pages, size, vma) loops
 *   vm_insert_page from pages[vm_pgoff] while pages and VMA last, returning the last
 *   result (0 for a VMA the buffer only partly fills); the Jan-2019 patch makes its body
 *   vm_insert_range(vma, pages, count); v5.4.1 iommu_dma_mmap refuses off >= nr_pages or
 *   vma_pages > nr_pages - off with -ENXIO, then __iommu_dma_mmap -> vm_map_pages.
 * - a driver that ignores vm_pgoff, firewire's fw_iso_buffer_map_vma: v5.0.1 inserts
 *   every page from vm_start (-EFAULT past vm_end); Jan-2019 vm_insert_range_buggy;
 *   v5.4.1 vm_map_pages_zero.
 */
import type { Machine } from '../machine.ts';
import { DMA_IOMMU_MMAP } from '../kernel.ts';
import { kfunc } from '../core/kstack.ts';
import type { MmStruct, Vma } from '../mm/types.ts';
import { PAGE_SIZE } from '../mm/types.ts';
import {
  ENXIO, type RangeResult, type StructPage, errnoText, vmInsertPage, vmInsertRange, vmInsertRangeBuggy, vmMapPages,
  vmMapPagesZero, vmaPages,
} from '../mm/vm-insert.ts';

export type MmapVia = 'dma_mmap_attrs' | 'fw_iso_buffer_map_vma';

export interface DriverMmapResult extends RangeResult {
  /** The kernel function whose return value the driver passed up. */
  readonly func: string;
}

const F_DMA_MMAP_ATTRS = kfunc('dma_mmap_attrs', 'kernel/dma/mapping.c');
const F_IOMMU_DMA_MMAP = kfunc('iommu_dma_mmap', 'drivers/iommu/dma-iommu.c', ['pgoff', 'nr_pages']);
const F_FW_ISO_BUFFER_MAP_VMA = kfunc('fw_iso_buffer_map_vma', 'drivers/firewire/core-iso.c', ['page_count']);

/** v5.0.1 iommu_dma_mmap: for (i = vm_pgoff; i < count && uaddr < vm_end; i++), ret starts at -ENXIO. */
function iommuDmaMmapLoop(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[]): RangeResult {
  let ret = -ENXIO;
  let inserted = 0;
  for (let i = vma.pgoff, uaddr = vma.start; i < pages.length && uaddr < vma.end; i++, uaddr += PAGE_SIZE) {
    ret = vmInsertPage(m, mm, vma, uaddr, pages[i]);
    if (ret) break;
    inserted++;
  }
  if (ret === -ENXIO && inserted === 0) return { ret, inserted, reason: `vm_pgoff ${vma.pgoff} >= ${pages.length} pages: the loop never ran` };
  return ret ? { ret, inserted, reason: `vm_insert_page returned ${errnoText(ret)}` } : { ret, inserted };
}

/** A 0 that leaves the VMA short says so: the tail has no PTE and no ->fault to fill it. */
function noteShort(vma: Vma, r: DriverMmapResult): DriverMmapResult {
  if (r.ret || r.inserted >= vmaPages(vma)) return r;
  return { ...r, reason: `returned 0 with ${r.inserted} of ${vmaPages(vma)} VMA pages populated: touching the rest is SIGBUS` };
}

/** v5.4.1 iommu_dma_mmap's own check before __iommu_dma_mmap. */
function iommuDmaMmapChecked(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[]): DriverMmapResult {
  const nr = pages.length;
  const off = vma.pgoff;
  if (off >= nr || vmaPages(vma) > nr - off) {
    const reason = off >= nr ? `off ${off} >= nr_pages ${nr}` : `vma_pages ${vmaPages(vma)} > nr_pages ${nr} - off ${off}`;
    return { ret: -ENXIO, inserted: 0, reason, func: 'iommu_dma_mmap' };
  }
  return { ...vmMapPages(m, mm, vma, pages, nr), func: 'vm_map_pages' };
}

function dmaMmapAttrs(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[]): DriverMmapResult {
  const k = m.kstack.enter(F_IOMMU_DMA_MMAP, vma.pgoff, pages.length);
  let r: DriverMmapResult;
  switch (m.behaviour(DMA_IOMMU_MMAP)) {
    case 'insert-page-loop': r = { ...iommuDmaMmapLoop(m, mm, vma, pages), func: 'iommu_dma_mmap' }; break;
    case 'vm_insert_range': r = { ...vmInsertRange(m, mm, vma, pages, pages.length), func: 'vm_insert_range' }; break;
    case 'vm_map_pages': r = iommuDmaMmapChecked(m, mm, vma, pages); break;
  }
  m.kstack.leave(k);
  return r;
}

/** fw_iso_buffer_map_vma: v5.0.1's loop over every page from vm_start; returns the first error. */
function fwIsoLoop(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[]): RangeResult {
  for (let i = 0; i < pages.length; i++) {
    const ret = vmInsertPage(m, mm, vma, vma.start + i * PAGE_SIZE, pages[i]);
    if (ret) return { ret, inserted: i, reason: `vm_insert_page of page ${i} returned ${errnoText(ret)}` };
  }
  return { ret: 0, inserted: pages.length };
}

function fwIsoBufferMapVma(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[]): DriverMmapResult {
  const k = m.kstack.enter(F_FW_ISO_BUFFER_MAP_VMA, pages.length);
  let r: DriverMmapResult;
  switch (m.behaviour(DMA_IOMMU_MMAP)) {
    case 'insert-page-loop': r = { ...fwIsoLoop(m, mm, vma, pages), func: 'fw_iso_buffer_map_vma' }; break;
    case 'vm_insert_range': r = { ...vmInsertRangeBuggy(m, mm, vma, pages, pages.length), func: 'vm_insert_range_buggy' }; break;
    case 'vm_map_pages': r = { ...vmMapPagesZero(m, mm, vma, pages, pages.length), func: 'vm_map_pages_zero' }; break;
  }
  m.kstack.leave(k);
  return r;
}

/** The driver's ->mmap(file, vma) for a buffer's page array. */
export function driverMmap(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[], via: MmapVia): DriverMmapResult {
  if (via === 'fw_iso_buffer_map_vma') return noteShort(vma, fwIsoBufferMapVma(m, mm, vma, pages));
  const k = m.kstack.enter(F_DMA_MMAP_ATTRS);
  const r = dmaMmapAttrs(m, mm, vma, pages);
  m.kstack.leave(k);
  return noteShort(vma, r);
}
