/**
 * dma_alloc_attrs on a device behind an IOMMU, the non-contiguous path (v5.0.1 arm64
 * __iommu_alloc_attrs -> iommu_dma_alloc; v5.4.1 iommu_dma_alloc_remap, the same steps):
 * __iommu_dma_alloc_pages takes the biggest page orders the domain's page sizes allow and
 * splits them, an IOVA range is allocated, iommu_map_sg maps each physically contiguous
 * run. The page array is what a later mmap inserts into a process (dma-iommu-mmap.ts).
 */
import type { Machine } from '../machine.ts';
import { modelKey } from '../core/keys.ts';
import { kfunc } from '../core/kstack.ts';
import { fill } from '../mem/phys.ts';
import { physAlloc, physFree } from '../mem/alloc.ts';
import type { DeviceBase } from '../devices/device.ts';
import { IOMMU_READ, IOMMU_WRITE, protString } from '../pgtable/prot.ts';
import { type StructPage, driverPage } from '../mm/vm-insert.ts';
import { iommuDomainOf, iommuMap, iommuUnmap } from './core.ts';
import { iommuDmaAllocIova, iommuDmaFreeIova } from './dma-iommu.ts';

const PAGE = 4096;
/** include/linux/mmzone.h: MAX_ORDER 11, so order_mask keeps orders 0..11. */
const MAX_ORDER = 11;

/** A buffer dma_alloc_attrs returned: its pages (the vm_struct's page array) and dma handle. */
export interface DmaPageBuf {
  dev: string;
  name: string;
  size: number;
  dma: number;
  pages: StructPage[];
}

export interface DmaBufsState {
  bufs: DmaPageBuf[];
}

export const DMA_BUFS = modelKey<DmaBufsState>('dma-bufs');

export function dmaBuf(m: Machine, dev: string, name: string): DmaPageBuf | undefined {
  return m.findModel(DMA_BUFS)?.bufs.find((b) => b.dev === dev && b.name === name);
}

const F_IOMMU_DMA_ALLOC = kfunc('iommu_dma_alloc', 'drivers/iommu/dma-iommu.c', ['size']);

const fls = (x: number): number => 31 - Math.clz32(x);

/**
 * __iommu_dma_alloc_pages: per round the highest order allowed by order_mask and by what
 * is left (order_mask &= (2 << __fls(count)) - 1), falling back order by order; a
 * high-order page is split into order-0 pages. Zeroed (__GFP_ZERO); highmem allowed.
 */
function allocPages(m: Machine, count: number, orderMask: number): number[] | undefined {
  let mask = orderMask & ((2 << MAX_ORDER) - 1);
  if (!mask) return undefined;
  const pfns: number[] = [];
  while (count > 0) {
    let got = -1;
    let orderSize = 0;
    for (mask &= (2 << fls(count)) - 1; mask; mask &= ~orderSize) {
      orderSize = 1 << fls(mask);
      got = physAlloc(m.state.alloc, orderSize * PAGE, { align: orderSize * PAGE });
      if (got >= 0) break;
    }
    if (got < 0) {
      for (const pfn of pfns) physFree(m.state.alloc, pfn * PAGE, PAGE); // __iommu_dma_free_pages
      return undefined;
    }
    fill(m.state.mem, got, orderSize * PAGE, 0);
    for (let i = 0; i < orderSize; i++) pfns.push(got / PAGE + i);
    count -= orderSize;
  }
  return pfns;
}

/** iommu_map_sg over sg_alloc_table_from_pages: one iommu_map per physically contiguous run. */
function mapRuns(m: Machine, dom: NonNullable<ReturnType<typeof iommuDomainOf>>, iova: number, pfns: readonly number[], prot: number): boolean {
  let mapped = 0;
  for (let i = 0; i < pfns.length; ) {
    let j = i + 1;
    while (j < pfns.length && pfns[j] === pfns[j - 1] + 1) j++;
    const len = (j - i) * PAGE;
    if (iommuMap(m, dom, { iova: iova + mapped, pa: pfns[i] * PAGE, size: len, prot }) !== 0) {
      if (mapped) iommuUnmap(m, dom, { iova, size: mapped });
      return false;
    }
    mapped += len;
    i = j;
  }
  return true;
}

/** dma_alloc_attrs(dev, size, &handle, GFP_KERNEL, 0) through iommu-dma; undefined on failure. */
export function iommuDmaAllocPages(m: Machine, dev: DeviceBase, name: string, size: number): DmaPageBuf | undefined {
  const k = m.kstack.enter(F_IOMMU_DMA_ALLOC, size);
  try {
    const dom = iommuDomainOf(m, dev.name);
    const fail = (reason: string) => void m.emit('map', { api: 'dma_alloc_attrs', dev: dev.name, size, dir: 'bidirectional', result: 'error', reason });
    if (!dom) return fail('device not attached to a domain');
    // min_size = the smallest IOMMU page; below PAGE_SIZE the CPU page size is added.
    const bitmap = dom.pgsizeBitmap;
    const minSize = Math.max(PAGE, bitmap & -bitmap);
    const len = Math.ceil(size / minSize) * minSize;
    const pfns = allocPages(m, len / PAGE, (bitmap | PAGE) / PAGE);
    if (!pfns) return fail('__iommu_dma_alloc_pages: out of memory');
    const iova = iommuDmaAllocIova(dom, dev, len);
    const prot = IOMMU_READ | IOMMU_WRITE; // dma_info_to_prot(DMA_BIDIRECTIONAL), not coherent
    if (!iova || !mapRuns(m, dom, iova, pfns, prot)) {
      if (iova) iommuDmaFreeIova(dom, iova, len);
      for (const pfn of pfns) physFree(m.state.alloc, pfn * PAGE, PAGE);
      return fail(iova ? 'iommu_map_sg mapped less than the size' : 'no IOVA space');
    }
    m.emit('map', { api: 'dma_alloc_attrs', dev: dev.name, domain: dom.name, iova, pa: pfns[0] * PAGE, size, dir: 'bidirectional', prot: protString(prot), result: 'ok' });
    const buf: DmaPageBuf = { dev: dev.name, name, size: len, dma: iova, pages: pfns.map(driverPage) };
    const st = m.findModel(DMA_BUFS) ?? m.addModel(DMA_BUFS, { bufs: [] });
    st.bufs = st.bufs.filter((b) => !(b.dev === dev.name && b.name === name));
    st.bufs.push(buf);
    return buf;
  } finally {
    m.kstack.leave(k);
  }
}
