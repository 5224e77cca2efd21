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
import { allocIova, freeIova } from './iova.ts';

const PAGE = 4096;

/** dma_info_to_prot(): to-device is read by the device, from-device written. */
export function dmaInfoToProt(dir: DmaDirection): number {
  return dir === 'to-device' ? IOMMU_READ : dir === 'from-device' ? IOMMU_WRITE : IOMMU_READ | IOMMU_WRITE;
}

export const iommuDmaOps: DmaOps = {
  name: 'iommu-dma',
  mapPage(m: Machine, dev: DeviceBase, pa: number, size: number, dir: DmaDirection, api: string): number {
    const dom = iommuDomainOf(m, dev.name);
    const off = pa % PAGE;
    const len = Math.ceil((off + size) / PAGE) * PAGE;
    const iova = dom ? allocIova(dom.iovad, len) : -1;
    const prot = dmaInfoToProt(dir);
    if (!dom || iova < 0 || iommuMap(m, dom, { iova, pa: pa - off, size: len, prot }) !== 0) {
      if (dom && iova >= 0) freeIova(dom.iovad, iova);
      m.emit('map', { api, dev: dev.name, pa, size, dir, result: 'error', reason: dom ? 'iova space or iommu_map failed' : 'device not attached to a domain' });
      return DMA_MAPPING_ERROR;
    }
    m.emit('map', { api, dev: dev.name, domain: dom.name, iova: iova + off, pa, size, dir, prot: protString(prot), result: 'ok' });
    return iova + off;
  },
  unmapPage(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection, api: string): void {
    const dom = iommuDomainOf(m, dev.name);
    if (!dom) return;
    const off = dma % PAGE;
    const len = Math.ceil((off + size) / PAGE) * PAGE;
    iommuUnmap(m, dom, { iova: dma - off, size: len });
    freeIova(dom.iovad, dma - off);
    m.emit('unmap', { api, dev: dev.name, domain: dom.name, iova: dma, size, dir });
  },
  syncForCpu() {},
  syncForDevice() {},
  maxMappingSize: () => Infinity,
};

export function provideIommuDmaOps(m: Machine, driver: string): void {
  const key = dmaOpsKey(`${driver}-iommu`);
  if (!m.hasService(key)) m.provide<DmaOps>(key, iommuDmaOps);
}
