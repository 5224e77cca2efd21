/**
 * intel_dma_ops (drivers/iommu/intel-iommu.c): map_page/unmap_page through
 * __intel_map_page (v5.0.1) or __intel_map_single (v5.4.1), map_sg/unmap_sg, and on v5.4
 * map_resource/unmap_resource (the INTEL_MAP_RESOURCE row). IOVAs come from the domain's
 * iova.c allocator (intel_alloc_iova); an unmap flushes page-selectively at once with
 * intel_iommu=strict, else queues the IOVA for the flush queue's domain-selective flush.
 */
import type { Machine } from '../../machine.ts';
import { PRIO } from '../../machine.ts';
import { eventKey } from '../../core/keys.ts';
import { kfunc } from '../../core/kstack.ts';
import { type DeviceBase, dmaMaskOf } from '../../devices/device.ts';
import { DMA_MAPPING_ERROR, type DmaDirection, type DmaOps, type Scatterlist } from '../../dma/api.ts';
import { INTEL_MAP_RESOURCE } from '../../kernel.ts';
import { protString } from '../../pgtable/prot.ts';
import {
  DMA_PTE_READ, DMA_PTE_WRITE, VTD_PAGE_SIZE, type VtdSg, agawToLevel, alignedNrpages, domainMaxAddr, vtdDomainMapping, vtdDomainUnmap,
  vtdFreePagelist, vtdPteFreePagetable,
} from '../../pgtable/vtd/index.ts';
import { IOVA_FQ_TIMEOUT_NS, allocIovaFast, freeIovaFast, iovaFqTimeout, queueIova, roundupPowOfTwo } from '../iova.ts';
import { cap } from './regs.ts';
import { flushIotlbPsi, flushIova, flushWriteBuffer } from './flush.ts';
import { devErr, freeCookie, getValidDomainForDev, pciName } from './domain.ts';
import { type VtdDevInfo, type VtdDomainState, type VtdUnitState, vtdState } from './state.ts';

const INTEL_IOMMU_C = 'drivers/iommu/intel-iommu.c';
const F_MAP_PAGE = kfunc('intel_map_page', INTEL_IOMMU_C, ['offset', 'size', 'dir']);
const F_MAP_SINGLE_50 = kfunc('__intel_map_page', INTEL_IOMMU_C, ['offset', 'size', 'dir']);
const F_MAP_SINGLE_54 = kfunc('__intel_map_single', INTEL_IOMMU_C, ['paddr', 'size', 'dir']);
const F_ALLOC_IOVA = kfunc('intel_alloc_iova', INTEL_IOMMU_C, ['nrpages', 'dma_mask']);
const F_UNMAP = kfunc('intel_unmap', INTEL_IOMMU_C, ['dev_addr', 'size']);
const F_UNMAP_PAGE = kfunc('intel_unmap_page', INTEL_IOMMU_C, ['dev_addr', 'size', 'dir']);
const F_MAP_SG = kfunc('intel_map_sg', INTEL_IOMMU_C, ['nelems', 'dir']);
const F_UNMAP_SG = kfunc('intel_unmap_sg', INTEL_IOMMU_C, ['nelems', 'dir']);
const F_MAP_RESOURCE = kfunc('intel_map_resource', INTEL_IOMMU_C, ['phys_addr', 'size', 'dir']);
const F_UNMAP_RESOURCE = kfunc('intel_unmap_resource', INTEL_IOMMU_C, ['dev_addr', 'size', 'dir']);
const F_FQ_TIMEOUT = kfunc('fq_flush_timeout', 'drivers/iommu/iova.c');

/** The flush queue's timer (iova.c fq_flush_timeout), per domain: `a` is the domain index. */
export const VTD_FQ_TIMEOUT = eventKey('vtd.fq-timeout');

/** enum dma_data_direction as the kernel prints it (%d): BIDIRECTIONAL 0, TO_DEVICE 1, FROM_DEVICE 2. */
const DIR_NUM: Record<DmaDirection, number> = { bidirectional: 0, 'to-device': 1, 'from-device': 2 };
const DIR_CODE: Record<DmaDirection, number> = { bidirectional: 0, 'to-device': 1, 'from-device': 2 };

function infoOf(m: Machine, dev: DeviceBase): VtdDevInfo {
  return vtdState(m).devs[dev.name];
}

/** The device's domain: v5.0 creates it at the first DMA API call, v5.4 attached it at boot. */
function domainFor(m: Machine, info: VtdDevInfo): VtdDomainState | null {
  const s = vtdState(m);
  if (s.release === 'v5.0') return getValidDomainForDev(m, info);
  return info.domain >= 0 ? s.domains[info.domain] : null;
}

/**
 * intel_alloc_iova(dev, domain, nrpages, dma_mask): the mask clipped to the domain width,
 * nrpages rounded up to a power of two (the whole size-aligned region is reserved), below
 * 4 GiB first for a wider mask unless forcedac, then up to the mask. Returns the pfn or 0.
 */
export function intelAllocIova(m: Machine, info: VtdDevInfo, dom: VtdDomainState, nrpages: number, dmaMask: number): number {
  const s = vtdState(m);
  const k = m.kstack.enter(F_ALLOC_IOVA, nrpages, dmaMask);
  try {
    const mask = Math.min(domainMaxAddr(dom.pt.gaw), dmaMask);
    nrpages = roundupPowOfTwo(nrpages);
    if (!s.forcedac && mask > 0xffff_ffff) {
      const pfn = allocIovaFast(dom.iovad, nrpages, 0xfffff, false);
      if (pfn) return pfn;
    }
    const pfn = allocIovaFast(dom.iovad, nrpages, Math.floor(mask / VTD_PAGE_SIZE), true);
    if (!pfn) {
      const text = s.release === 'v5.4'
        ? `${info.driver} ${pciName(info)}: DMAR: Allocating ${nrpages}-page iova failed`
        : `DMAR: Allocating ${nrpages}-page iova for ${pciName(info)} failed`;
      m.emit('klog', { level: 'err', text });
    }
    return pfn;
  } finally {
    m.kstack.leave(k);
  }
}

/** prot from the direction: READ for TO_DEVICE/BIDIRECTIONAL or when the unit lacks ZLR; WRITE for FROM_DEVICE/BIDIRECTIONAL. */
export function intelDirToProt(u: VtdUnitState, dir: DmaDirection): number {
  let prot = 0;
  if (dir === 'to-device' || dir === 'bidirectional' || !cap.zlr(u.cap)) prot |= DMA_PTE_READ;
  if (dir === 'from-device' || dir === 'bidirectional') prot |= DMA_PTE_WRITE;
  return prot;
}

/** domain_mapping's __mapping_notify_one: caching mode flushes the new range, else the write buffer. */
function mappingNotify(m: Machine, u: VtdUnitState, dom: VtdDomainState, pfn: number, pages: number): void {
  if (cap.cachingMode(u.cap)) flushIotlbPsi(m, u, dom, pfn, pages, false, true, 'domain_mapping');
  else flushWriteBuffer(m, u);
}

/**
 * __intel_map_page (v5.0.1) / __intel_map_single (v5.4.1): IOVA, prot, PTEs for every page
 * of the buffer, then iova_pfn << PAGE_SHIFT plus the offset in the first page.
 */
function intelMapSingle(m: Machine, dev: DeviceBase, paddr: number, size: number, dir: DmaDirection, mask: number, api: string): number {
  const s = vtdState(m);
  const info = infoOf(m, dev);
  const k = s.release === 'v5.4' ? m.kstack.enter(F_MAP_SINGLE_54, paddr, size, DIR_CODE[dir]) : m.kstack.enter(F_MAP_SINGLE_50, paddr % VTD_PAGE_SIZE, size, DIR_CODE[dir]);
  try {
    const fail = (nrpages: number, reason: string): number => {
      m.emit('klog', { level: 'err', text: devErr(m, info, `Device request: ${nrpages.toString(16)}@${paddr.toString(16)} dir ${DIR_NUM[dir]} --- failed`, `Device ${pciName(info)} request: ${nrpages.toString(16)}@${paddr.toString(16)} dir ${DIR_NUM[dir]} --- failed`) });
      m.emit('map', { api, dev: dev.name, pa: paddr, size, dir, result: 'error', reason });
      return DMA_MAPPING_ERROR;
    };
    const dom = domainFor(m, info);
    if (!dom) {
      m.emit('map', { api, dev: dev.name, pa: paddr, size, dir, result: 'error', reason: 'no domain' });
      return DMA_MAPPING_ERROR;
    }
    const u = s.units[dom.unit];
    const nrpages = alignedNrpages(paddr, size);
    const iovaPfn = intelAllocIova(m, info, dom, nrpages, mask);
    if (!iovaPfn) return fail(nrpages, 'intel_alloc_iova failed');
    const prot = intelDirToProt(u, dir);
    const physPfn = Math.floor(paddr / VTD_PAGE_SIZE);
    const ret = vtdDomainMapping(m, dom.pt, { iovPfn: iovaPfn, sg: null, physPfn, nrPages: nrpages, prot });
    if (ret) {
      freeIovaFast(dom.iovad, iovaPfn, nrpages);
      return fail(nrpages, `__domain_mapping: errno ${-ret}`);
    }
    mappingNotify(m, u, dom, iovaPfn, nrpages);
    const iova = iovaPfn * VTD_PAGE_SIZE + (paddr % VTD_PAGE_SIZE);
    m.emit('map', { api, dev: dev.name, domain: dom.name, iova, pa: paddr, size, dir, prot: protString(prot), result: 'ok' });
    return iova;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * intel_unmap(dev, dev_addr, size): clear the pages (domain_unmap), then either flush
 * page-selectively, free the IOVA and the page tables (strict), or queue them all for the
 * flush queue (queue_iova), arming its 10 ms timer.
 */
function intelUnmap(m: Machine, dev: DeviceBase, devAddr: number, size: number): { dom: VtdDomainState; injected?: string } | null {
  const s = vtdState(m);
  const info = infoOf(m, dev);
  if (info.domain < 0) return null; // BUG_ON(!domain)
  const k = m.kstack.enter(F_UNMAP, devAddr, size);
  const dom = s.domains[info.domain];
  const u = s.units[dom.unit];
  const iovaPfn = Math.floor(devAddr / VTD_PAGE_SIZE);
  const nrpages = alignedNrpages(devAddr, size);
  const startPfn = iovaPfn;
  const lastPfn = startPfn + nrpages - 1;
  const freelist = vtdDomainUnmap(m, dom.pt, startPfn, lastPfn);
  let injected: string | undefined;
  if (dev.injectNoFlush) {
    // The scripted driver bug: PTEs cleared, IOVA and tables freed, no IOTLB invalidation.
    freeIovaFast(dom.iovad, iovaPfn, nrpages);
    vtdFreePagelist(m, dom.pt, freelist);
    injected = 'scripted driver bug: no IOTLB invalidation for this unmap';
  } else if (s.strict) {
    flushIotlbPsi(m, u, dom, startPfn, nrpages, freelist.length === 0, false, 'intel_unmap');
    freeIovaFast(dom.iovad, iovaPfn, nrpages);
    vtdFreePagelist(m, dom.pt, freelist);
  } else {
    let cookie = 0;
    if (freelist.length) {
      cookie = ++s.nextFreelist;
      s.freelists[cookie] = { domain: dom.id, tables: freelist };
    }
    const arm = queueIova(dom.iovad, iovaPfn, nrpages, cookie, () => flushIova(m, dom), (c) => freeCookie(m, c));
    if (arm) {
      dom.fqTimer = true;
      m.schedule(IOVA_FQ_TIMEOUT_NS, m.typeOf(VTD_FQ_TIMEOUT), dom.id, 0, PRIO.kernel);
    }
  }
  m.kstack.leave(k);
  return { dom, injected };
}

/** fq_flush_timeout: the domain's flush queue timer fired. */
export function vtdFqTimeout(m: Machine, domain: number): void {
  const dom = vtdState(m).domains[domain];
  dom.fqTimer = false;
  if (!dom.alive || !dom.iovad.fq) return;
  const k = m.kstack.enter(F_FQ_TIMEOUT);
  iovaFqTimeout(dom.iovad, () => flushIova(m, dom), (c) => freeCookie(m, c));
  m.kstack.leave(k);
}

function mapSg(m: Machine, dev: DeviceBase, sgl: Scatterlist[], dir: DmaDirection): number {
  const s = vtdState(m);
  const info = infoOf(m, dev);
  const k = m.kstack.enter(F_MAP_SG, sgl.length, DIR_CODE[dir]);
  try {
    const dom = domainFor(m, info);
    if (!dom) return 0;
    const u = s.units[dom.unit];
    let size = 0;
    for (const sg of sgl) size += alignedNrpages(sg.pa, sg.length);
    const iovaPfn = intelAllocIova(m, info, dom, size, dmaMaskOf(dev));
    if (!iovaPfn) {
      sgl[0].dmaLength = 0;
      m.emit('map', { api: 'dma_map_sg', dev: dev.name, pa: sgl[0].pa, size: sgl[0].length, dir, result: 'error', reason: 'intel_alloc_iova failed' });
      return 0;
    }
    const prot = intelDirToProt(u, dir);
    const vsg: VtdSg[] = sgl.map((sg) => ({ pa: sg.pa, length: sg.length, dmaAddress: 0, dmaLength: 0 }));
    const ret = vtdDomainMapping(m, dom.pt, { iovPfn: iovaPfn, sg: vsg, physPfn: 0, nrPages: size, prot });
    if (ret) {
      vtdPteFreePagetable(m, dom.pt, iovaPfn, iovaPfn + size - 1, agawToLevel(dom.pt.agaw) + 1);
      freeIovaFast(dom.iovad, iovaPfn, size);
      m.emit('map', { api: 'dma_map_sg', dev: dev.name, pa: sgl[0].pa, size: sgl[0].length, dir, result: 'error', reason: `__domain_mapping: errno ${-ret}` });
      return 0;
    }
    mappingNotify(m, u, dom, iovaPfn, size);
    vsg.forEach((v, i) => {
      sgl[i].dmaAddress = v.dmaAddress;
      sgl[i].dmaLength = v.dmaLength;
      m.emit('map', { api: 'dma_map_sg', dev: dev.name, domain: dom.name, iova: v.dmaAddress, pa: v.pa, size: v.length, dir, prot: protString(prot), result: 'ok' });
    });
    return sgl.length;
  } finally {
    m.kstack.leave(k);
  }
}

function unmapSg(m: Machine, dev: DeviceBase, sgl: Scatterlist[], nents: number, dir: DmaDirection): void {
  const k = m.kstack.enter(F_UNMAP_SG, nents, DIR_CODE[dir]);
  const startaddr = sgl[0].dmaAddress - (sgl[0].dmaAddress % VTD_PAGE_SIZE);
  let nrpages = 0;
  for (let i = 0; i < nents; i++) nrpages += alignedNrpages(sgl[i].dmaAddress, sgl[i].dmaLength);
  const r = intelUnmap(m, dev, startaddr, nrpages * VTD_PAGE_SIZE);
  m.emit('unmap', { api: 'dma_unmap_sg', dev: dev.name, domain: r?.dom.name, iova: startaddr, size: nrpages * VTD_PAGE_SIZE, dir, reason: r?.injected });
  m.kstack.leave(k);
}

const baseOps: DmaOps = {
  name: 'intel-iommu',
  mapPage(m, dev, pa, size, dir, api) {
    const k = m.kstack.enter(F_MAP_PAGE, pa % VTD_PAGE_SIZE, size, DIR_CODE[dir]);
    const iova = intelMapSingle(m, dev, pa, size, dir, dmaMaskOf(dev), api);
    m.kstack.leave(k);
    return iova;
  },
  unmapPage(m, dev, dma, size, dir, api) {
    const k = m.kstack.enter(F_UNMAP_PAGE, dma, size, DIR_CODE[dir]);
    const r = intelUnmap(m, dev, dma, size);
    m.emit('unmap', { api, dev: dev.name, domain: r?.dom.name, iova: dma, size, dir, reason: r?.injected });
    m.kstack.leave(k);
  },
  syncForCpu() {},
  syncForDevice() {},
  maxMappingSize: () => Infinity,
  mapSg: (m, dev, sgl, dir) => mapSg(m, dev, sgl, dir),
  unmapSg: (m, dev, sgl, nents, dir) => unmapSg(m, dev, sgl, nents, dir),
};

/** v5.4 intel_map_resource / intel_unmap_resource: the MMIO range gets an IOVA like a page. */
const resourceOps: Pick<DmaOps, 'mapResource' | 'unmapResource'> = {
  mapResource(m, dev, phys, size, dir) {
    const k = m.kstack.enter(F_MAP_RESOURCE, phys, size, DIR_CODE[dir]);
    const iova = intelMapSingle(m, dev, phys, size, dir, dmaMaskOf(dev), 'dma_map_resource');
    m.kstack.leave(k);
    return iova;
  },
  unmapResource(m, dev, dma, size, dir) {
    const k = m.kstack.enter(F_UNMAP_RESOURCE, dma, size, DIR_CODE[dir]);
    const r = intelUnmap(m, dev, dma, size);
    m.emit('unmap', { api: 'dma_unmap_resource', dev: dev.name, domain: r?.dom.name, iova: dma, size, dir, reason: r?.injected });
    m.kstack.leave(k);
  },
};

/** intel_dma_ops as the kernel in force builds it (with .map_resource from v5.4 on). */
export function intelDmaOps(m: Machine): DmaOps {
  return m.behaviour(INTEL_MAP_RESOURCE) === 'iova' ? { ...baseOps, ...resourceOps } : baseOps;
}
