/**
 * A host bridge's IOMMU, reduced to what P2P needs to show: which accesses reach it and
 * what it makes of them. One DMA domain per host bridge through the generic IOMMU core and
 * dma-iommu (IOVA allocation, iommu_map per 4 KiB page), a flat table of 4 KiB
 * translations, no IOTLB and no registers. The VT-d and AMD models replace it: a host
 * bridge names its IOMMU, and a device behind it maps through that driver's DMA ops.
 */
import type { Machine } from '../machine.ts';
import { modelKey } from '../core/keys.ts';
import { provideIommuDmaOps } from '../iommu/dma-iommu.ts';
import { iommuAttachDevice, iommuDomainAlloc } from '../iommu/core.ts';
import { reserveIova } from '../iommu/iova.ts';
import { iommuCore, iommuOpsKey, type IommuDomain, type IommuOps } from '../iommu/types.ts';
import { IOMMU_READ, IOMMU_WRITE } from '../pgtable/prot.ts';
import { PAGE_SIZE } from '../mem/phys.ts';

export const HOST_IOMMU_DRIVER = 'pci-host';
/** The DMA ops name devices behind the stand-in carry (provideIommuDmaOps names it `${driver}-iommu`). */
export const HOST_IOMMU_DMA_OPS = `${HOST_IOMMU_DRIVER}-iommu`;

/** Per domain id: IOVA page -> physical page * 4 + prot (R=1, W=2). */
export interface HostIommuState {
  tables: Record<number, Map<number, number>>;
}

export const HOST_IOMMU_MODEL = modelKey<HostIommuState>('pci-host-iommu');

const table = (m: Machine, dom: IommuDomain): Map<number, number> => {
  const st = m.model(HOST_IOMMU_MODEL);
  return (st.tables[dom.id] ??= new Map());
};

const ops: IommuOps = {
  name: HOST_IOMMU_DRIVER,
  attachDev: () => 0,
  detachDev: () => {},
  map(m, dom, iova, pa, size, prot) {
    const t = table(m, dom);
    for (let off = 0; off < size; off += PAGE_SIZE) t.set((iova + off) / PAGE_SIZE, ((pa + off) / PAGE_SIZE) * 4 + (prot & 3));
    return 0;
  },
  unmap(m, dom, iova, size) {
    const t = table(m, dom);
    let done = 0;
    for (let off = 0; off < size; off += PAGE_SIZE) if (t.delete((iova + off) / PAGE_SIZE)) done += PAGE_SIZE;
    return done;
  },
  iotlbSync: () => {},
  flushIotlbAll: () => {},
  iovaToPhys(m, dom, iova) {
    const e = table(m, dom).get(Math.floor(iova / PAGE_SIZE));
    return e === undefined ? 0 : Math.floor(e / 4) * PAGE_SIZE + (iova % PAGE_SIZE);
  },
};

/** Once per machine, when a host bridge has an IOMMU (after iommuCoreInit). */
export function hostIommuInit(m: Machine): void {
  m.addModel(HOST_IOMMU_MODEL, { tables: {} });
  m.provide(iommuOpsKey(HOST_IOMMU_DRIVER), ops);
  provideIommuDmaOps(m, HOST_IOMMU_DRIVER);
}

/**
 * The host bridge's DMA domain: a 48-bit aperture, 4 KiB pages, with the bridge's memory
 * window kept out of the IOVA space (iova_reserve_pci_windows, drivers/iommu/dma-iommu.c):
 * an IOVA there would be decoded as a peer's BAR before it ever reached the IOMMU.
 */
export function hostIommuDomain(m: Machine, name: string, window: { bus: number; size: number }): IommuDomain {
  const dom = iommuDomainAlloc(m, { driver: HOST_IOMMU_DRIVER, name, pgsizeBitmap: PAGE_SIZE, start: PAGE_SIZE, limit: 2 ** 48 });
  reserveIova(dom.iovad, window.bus / PAGE_SIZE, (window.bus + window.size) / PAGE_SIZE - 1);
  return dom;
}

export function hostIommuAttach(m: Machine, domain: number, dev: string): void {
  iommuAttachDevice(m, iommuCore(m).domains[domain], dev);
}

/** The IOMMU's walk for an access to `iova`: the physical address, or -1 (no translation / no permission). */
export function hostIommuTranslate(m: Machine, domain: number, iova: number, write: boolean): number {
  const dom = iommuCore(m).domains[domain];
  const e = table(m, dom).get(Math.floor(iova / PAGE_SIZE));
  if (e === undefined || !(e & (write ? IOMMU_WRITE : IOMMU_READ))) return -1;
  return Math.floor(e / 4) * PAGE_SIZE + (iova % PAGE_SIZE);
}
