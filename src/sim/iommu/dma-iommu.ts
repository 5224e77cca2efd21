/**
 * DMA ops for a device behind an IOMMU (drivers/iommu/dma-iommu.c, iommu_dma_map_page /
 * iommu_dma_unmap_page): allocate an IOVA in the device's domain, iommu_map the pages
 * that hold the buffer, hand back iova + the offset into the first page; unmap reverses.
 * Any IOMMU driver provides these under dmaOpsKey(`${driver}-iommu`).
 */
import type { Machine } from '../machine.ts';
import type { DeviceBase } from '../devices/device.ts';
import { DMA_MAPPING_ERROR, type DmaDirection, type DmaOps, dmaOpsKey } from '../dma/api.ts';
import { IOMMU_READ, IOMMU_WRITE, protString } from '../pgtable/prot.ts';
import { iommuDomainOf, iommuMap, iommuUnmap } from './core.ts';
import { allocIovaFast, freeIovaFast, IOVA_RANGE_CACHE_MAX_SIZE, roundupPowOfTwo } from './iova.ts';
import type { IommuDomain } from './types.ts';
import { dmaMaskOf } from '../devices/device.ts';
import { kfunc } from '../core/kstack.ts';

const PAGE = 4096;
const SHIFT = 12;

// dma-iommu.c (v5.0.1 and v5.4.1): iommu_dma_map_page -> __iommu_dma_map -> iommu_map;
// iommu_dma_unmap_page -> __iommu_dma_unmap -> iommu_unmap_fast (the model's iommu_unmap).
const DMA_IOMMU_C = 'drivers/iommu/dma-iommu.c';
const F_IOMMU_DMA_MAP_PAGE = kfunc('iommu_dma_map_page', DMA_IOMMU_C, ['phys', 'size', 'dir']);
const F_IOMMU_DMA_MAP = kfunc('__iommu_dma_map', DMA_IOMMU_C, ['phys', 'size', 'prot']);
const F_IOMMU_DMA_UNMAP_PAGE = kfunc('iommu_dma_unmap_page', DMA_IOMMU_C, ['dma_handle', 'size', 'dir']);
const F_IOMMU_DMA_UNMAP = kfunc('__iommu_dma_unmap', DMA_IOMMU_C, ['dma_addr', 'size']);
const DIR_NUM: Readonly<Record<DmaDirection, number>> = { bidirectional: 0, 'to-device': 1, 'from-device': 2 };

/**
 * iommu_dma_alloc_iova() (dma-iommu.c, v5.0.1 = v5.4.1): cacheable sizes (< 32 pages) are
 * rounded up to a power of two, the limit is the device's DMA mask clipped to the domain's
 * aperture, and PCI devices try below 4 GiB first (a SAC address). Returns 0 on failure.
 */
export function iommuDmaAllocIova(dom: IommuDomain, dev: DeviceBase, size: number): number {
  let len = size / PAGE;
  if (len < 1 << (IOVA_RANGE_CACHE_MAX_SIZE - 1)) len = roundupPowOfTwo(len);
  const limit = Math.min(dmaMaskOf(dev), dom.apertureEnd);
  let pfn = 0;
  if (limit > 0xffff_ffff && dev.pci) pfn = allocIovaFast(dom.iovad, len, 0xffff_ffff / PAGE >>> 0, false);
  if (!pfn) pfn = allocIovaFast(dom.iovad, len, Math.floor(limit / PAGE), true);
  return pfn * PAGE;
}

/** iommu_dma_free_iova(): strict domains free into the range cache at once. */
export function iommuDmaFreeIova(dom: IommuDomain, iova: number, size: number): void {
  freeIovaFast(dom.iovad, Math.floor(iova / PAGE), size >> SHIFT);
}

/** dma_info_to_prot(): to-device is read by the device, from-device written. */
export function dmaInfoToProt(dir: DmaDirection): number {
  return dir === 'to-device' ? IOMMU_READ : dir === 'from-device' ? IOMMU_WRITE : IOMMU_READ | IOMMU_WRITE;
}

export const iommuDmaOps: DmaOps = {
  name: 'iommu-dma',
  mapPage(m: Machine, dev: DeviceBase, pa: number, size: number, dir: DmaDirection, api: string): number {
    const k = m.kstack.enter(F_IOMMU_DMA_MAP_PAGE, pa, size, DIR_NUM[dir]);
    try {
      const dom = iommuDomainOf(m, dev.name);
      const off = pa % PAGE;
      const len = Math.ceil((off + size) / PAGE) * PAGE;
      const prot = dmaInfoToProt(dir);
      const k2 = m.kstack.enter(F_IOMMU_DMA_MAP, pa, size, prot);
      const iova = dom ? iommuDmaAllocIova(dom, dev, len) : 0;
      const failed = !dom || iova === 0 || iommuMap(m, dom, { iova, pa: pa - off, size: len, prot }) !== 0;
      if (failed && dom && iova !== 0) iommuDmaFreeIova(dom, iova, len);
      m.kstack.leave(k2);
      if (failed || !dom) {
        m.emit('map', { api, dev: dev.name, pa, size, dir, result: 'error', reason: dom ? 'iova space or iommu_map failed' : 'device not attached to a domain' });
        return DMA_MAPPING_ERROR;
      }
      if (m.quiet.map) m.skip();
      else m.emit('map', { api, dev: dev.name, domain: dom.name, iova: iova + off, pa, size, dir, prot: protString(prot), result: 'ok' });
      return iova + off;
    } finally {
      m.kstack.leave(k);
    }
  },
  unmapPage(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection, api: string): void {
    const dom = iommuDomainOf(m, dev.name);
    if (!dom) return;
    const k = m.kstack.enter(F_IOMMU_DMA_UNMAP_PAGE, dma, size, DIR_NUM[dir]);
    const off = dma % PAGE;
    const len = Math.ceil((off + size) / PAGE) * PAGE;
    const k2 = m.kstack.enter(F_IOMMU_DMA_UNMAP, dma, size);
    iommuUnmap(m, dom, { iova: dma - off, size: len });
    iommuDmaFreeIova(dom, dma - off, len);
    m.kstack.leave(k2);
    if (m.quiet.unmap) m.skip();
    else m.emit('unmap', { api, dev: dev.name, domain: dom.name, iova: dma, size, dir });
    m.kstack.leave(k);
  },
  syncForCpu() {},
  syncForDevice() {},
  maxMappingSize: () => Infinity,
};

export function provideIommuDmaOps(m: Machine, driver: string): void {
  m.provide(dmaOpsKey(`${driver}-iommu`), iommuDmaOps);
}
