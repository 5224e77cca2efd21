/**
 * amd_iommu_dma_ops (drivers/iommu/amd_iommu.c): map_page / unmap_page over __map_single
 * and __unmap_single, map_sg / unmap_sg with sg_num_pages, and dma_ops_alloc_iova /
 * dma_ops_free_iova over drivers/iommu/iova.c (src/sim/iommu/iova.ts), with the strict
 * (`amd_iommu=fullflush`) and lazy (flush queue) unmap. Provided as dmaOpsKey('amd-iommu').
 *
 * What the behaviour rows switch: amd-map-sg-unmap-on-error, amd-map-sg-free-iova (v5.0-rc4
 * fixes), amd-map-sg-error-reason, amd-iova-fail-returns-zero, amd-map-sg-offset.
 */
import type { Machine } from '../../machine.ts';
import { PRIO } from '../../machine.ts';
import { eventKey } from '../../core/keys.ts';
import { kfunc } from '../../core/kstack.ts';
import { type DeviceBase, dmaMaskOf, dmaSegBoundaryOf } from '../../devices/device.ts';
import { DMA_MAPPING_ERROR, type DmaDirection, type DmaOps, type Scatterlist, dmaOpsKey } from '../../dma/api.ts';
import {
  AMD_IOVA_FAIL_RETURNS_ZERO,
  AMD_MAP_SG_ERROR_REASON,
  AMD_MAP_SG_FREE_IOVA,
  AMD_MAP_SG_OFFSET,
  AMD_MAP_SG_UNMAP_ON_ERROR,
} from '../../kernel.ts';
import { protString } from '../../pgtable/prot.ts';
import {
  IOVA_FQ_TIMEOUT_NS,
  type IovaDomain,
  type IovaFqEntry,
  allocIovaFast,
  freeIovaFast,
  iovaFqPending,
  iovaFqTimeout,
  queueIova,
  roundupPowOfTwo,
} from '../iova.ts';
import { iommuNumPages } from './cmd.ts';
import { IOMMU_PROT_IR, IOMMU_PROT_IW } from './defs.ts';
import { domainFlushComplete, domainFlushPages, domainFlushTlb } from './flush.ts';
import { iommuMapPage, iommuUnmapPage } from './pgtable.ts';
import { type AmdDevData, type AmdDomain, amdDevOf, amdState } from './state.ts';

const AMD_C = 'drivers/iommu/amd_iommu.c';
const F_MAP_PAGE = kfunc('map_page', AMD_C, ['paddr', 'size', 'dir']);
const F_UNMAP_PAGE = kfunc('unmap_page', AMD_C, ['dma_addr', 'size', 'dir']);
const F_MAP_SINGLE = kfunc('__map_single', AMD_C, ['paddr', 'size', 'dir']);
const F_UNMAP_SINGLE = kfunc('__unmap_single', AMD_C, ['dma_addr', 'size', 'dir']);
const F_MAP_SG = kfunc('map_sg', AMD_C, ['nelems', 'dir']);
const F_UNMAP_SG = kfunc('unmap_sg', AMD_C, ['nelems', 'dir']);
const F_ALLOC_IOVA = kfunc('dma_ops_alloc_iova', AMD_C, ['pages', 'dma_mask']);
const F_FREE_IOVA = kfunc('dma_ops_free_iova', AMD_C, ['address', 'pages']);
const F_QUEUE_IOVA = kfunc('queue_iova', 'drivers/iommu/iova.c', ['pfn', 'pages']);
const F_FQ_TIMEOUT = kfunc('fq_flush_timeout', 'drivers/iommu/iova.c');
const F_IOVA_FLUSH = kfunc('iova_domain_flush_tlb', AMD_C, ['domid']);

/** The flush-queue timer (mod_timer in queue_iova, 10 ms); `a` is the domain's index. */
export const AMD_FQ_TIMER = eventKey('amd.fq-timer');

const PAGE = 4096;
/** IOVAs stay below 2^53 (numbers here are doubles): a wider DMA mask allocates as a 53-bit one. */
const MAX_IOVA_PFN = 2 ** 41 - 1;

const DIR_NUM: Readonly<Record<DmaDirection, number>> = { bidirectional: 0, 'to-device': 1, 'from-device': 2 };

/** dir2prot(direction). */
export function dir2prot(dir: DmaDirection | 'none'): number {
  if (dir === 'to-device') return IOMMU_PROT_IR;
  if (dir === 'from-device') return IOMMU_PROT_IW;
  if (dir === 'bidirectional') return IOMMU_PROT_IW | IOMMU_PROT_IR;
  return 0;
}

/** get_domain(dev): the attached domain if it is a dma-ops domain, else an errno (-EBUSY). */
function getDomain(m: Machine, dd: AmdDevData | undefined): AmdDomain | number {
  if (!dd) return -22; // !check_device: -EINVAL, map_page then returns the physical address
  if (dd.domain < 0) return -16;
  const dom = amdState(m).domains[dd.domain];
  return dom.type === 'dma' ? dom : -16;
}

/** "nic0 0000:01:00.0: " as dev_err prints it (v5.4 amd_iommu.c adds dev_fmt = "AMD-Vi: "). */
export function devErrPrefix(m: Machine, dd: AmdDevData): string {
  return `${dd.driver} ${dd.bdf}: ${amdState(m).release === 'v5.4' ? 'AMD-Vi: ' : ''}`;
}

/** dma_ops_alloc_iova(dev, dma_dom, pages, dma_mask): below 4 GiB first for wider masks; 0 on failure. */
export function dmaOpsAllocIova(m: Machine, dom: AmdDomain, pages: number, dmaMask: number): number {
  const iovad = dom.iovad!;
  const k = m.kstack.enter(F_ALLOC_IOVA, pages, dmaMask);
  pages = roundupPowOfTwo(pages); // __roundup_pow_of_two
  const from = { rcache: false };
  let pfn = 0;
  let limit = 0xf_ffff; // IOVA_PFN(DMA_BIT_MASK(32))
  if (dmaMask > 0xffff_ffff) pfn = allocIovaFast(iovad, pages, limit, false, 0, from);
  if (!pfn) {
    limit = Math.min(Math.floor(dmaMask / PAGE), MAX_IOVA_PFN);
    pfn = allocIovaFast(iovad, pages, limit, true, 0, from);
  }
  m.emit('amd-iova', { op: 'alloc', domain: dom.name, pfn, pages, limit, via: pfn ? (from.rcache ? 'rcache' : 'tree') : 'fail' });
  m.kstack.leave(k);
  return pfn * PAGE;
}

/** dma_ops_free_iova(dma_dom, address, pages): round up, free_iova_fast(address >> PAGE_SHIFT). */
function dmaOpsFreeIova(m: Machine, dom: AmdDomain, address: number, pages: number): void {
  const k = m.kstack.enter(F_FREE_IOVA, address, pages);
  pages = roundupPowOfTwo(pages);
  const pfn = Math.floor(address / PAGE);
  freeIovaFast(dom.iovad!, pfn, pages);
  m.emit('amd-iova', { op: 'free', domain: dom.name, pfn, pages });
  m.kstack.leave(k);
}

/** iova_domain_flush_tlb: the flush queue's callback (domain_flush_tlb + domain_flush_complete). */
function fqFlush(m: Machine, dom: AmdDomain): () => void {
  return () => {
    const k = m.kstack.enter(F_IOVA_FLUSH, dom.id);
    domainFlushTlb(m, dom);
    domainFlushComplete(m, dom);
    m.kstack.leave(k);
  };
}

/** After the queue freed entries: one `flush` record with how long the oldest had waited. */
function fqFreed(m: Machine, dom: AmdDomain, before: readonly IovaFqEntry[], why: 'timer' | 'full'): void {
  const s = amdState(m);
  const still = new Set(iovaFqPending(dom.iovad!));
  let freed = 0;
  let oldest = Infinity;
  for (const e of before) {
    if (still.has(e)) continue;
    freed++;
    const key = `${dom.id}:${e.pfn}`;
    const at = s.fqQueuedAt[key];
    if (at !== undefined) {
      oldest = Math.min(oldest, at);
      delete s.fqQueuedAt[key];
    }
  }
  if (freed) m.emit('amd-iova', { op: 'flush', domain: dom.name, why, freed, waitedNs: oldest === Infinity ? undefined : m.state.now - oldest });
}

/** The flush-queue timer fired (fq_flush_timeout): flush, then free what every CPU queued. */
export function amdFqTimer(m: Machine, domIndex: number): void {
  const dom = amdState(m).domains[domIndex];
  if (dom.freed || !dom.iovad?.fq) return;
  const k = m.kstack.enter(F_FQ_TIMEOUT);
  const before = iovaFqPending(dom.iovad);
  iovaFqTimeout(dom.iovad, fqFlush(m, dom));
  fqFreed(m, dom, before, 'timer');
  m.kstack.leave(k);
}

/**
 * __unmap_single(dma_dom, dma_addr, size, dir): clear the PTEs page by page; strict: flush
 * the domain, wait, free the IOVA; lazy: queue_iova (freed and flushed when the queue fills
 * or its 10 ms timer fires).
 */
function unmapSingle(m: Machine, domIndex: number, dmaAddr: number, size: number, dir: DmaDirection): void {
  const s = amdState(m);
  const dom = s.domains[domIndex];
  const k = m.kstack.enter(F_UNMAP_SINGLE, dmaAddr, size, DIR_NUM[dir]);
  let pages = iommuNumPages(dmaAddr, size);
  dmaAddr -= dmaAddr % PAGE;
  for (let i = 0, start = dmaAddr; i < pages; i++, start += PAGE) iommuUnmapPage(m, dom, start, PAGE);
  if (s.fullflush) {
    domainFlushTlb(m, dom);
    domainFlushComplete(m, dom);
    dmaOpsFreeIova(m, dom, dmaAddr, pages);
  } else {
    pages = roundupPowOfTwo(pages);
    const pfn = Math.floor(dmaAddr / PAGE);
    const q = m.kstack.enter(F_QUEUE_IOVA, pfn, pages);
    const iovad = dom.iovad as IovaDomain;
    const before = iovaFqPending(iovad);
    const arm = queueIova(iovad, pfn, pages, 0, fqFlush(m, dom));
    fqFreed(m, dom, before, 'full');
    s.fqQueuedAt[`${dom.id}:${pfn}`] = m.state.now;
    m.emit('amd-iova', { op: 'queue', domain: dom.name, pfn, pages });
    if (arm) m.schedule(IOVA_FQ_TIMEOUT_NS, m.typeOf(AMD_FQ_TIMER), domIndex, 0, PRIO.irq);
    m.kstack.leave(q);
  }
  m.kstack.leave(k);
}

/**
 * __map_single(dev, dma_dom, paddr, size, direction, dma_mask): allocate, map page by page,
 * return the IOVA plus the offset into the first page. An IOVA failure returns that 0 (the
 * `if (!address) goto out; ... out: return address;` every kernel has); a failed page unmaps
 * the pages before it, flushes the domain, waits and frees the IOVA: DMA_MAPPING_ERROR.
 */
function mapSingle(m: Machine, dom: AmdDomain, paddr: number, size: number, dir: DmaDirection, dmaMask: number): number {
  const k = m.kstack.enter(F_MAP_SINGLE, paddr, size, DIR_NUM[dir]);
  try {
    const offset = paddr % PAGE;
    const pages = iommuNumPages(paddr, size);
    paddr -= offset;
    let address = dmaOpsAllocIova(m, dom, pages, dmaMask);
    if (!address) return m.behaviour(AMD_IOVA_FAIL_RETURNS_ZERO) === 'none' ? DMA_MAPPING_ERROR : address;
    const prot = dir2prot(dir);
    let start = address;
    let i = 0;
    for (; i < pages; i++) {
      if (iommuMapPage(m, dom, start, paddr, PAGE, prot) !== 0) break;
      paddr += PAGE;
      start += PAGE;
    }
    if (i < pages) {
      for (--i; i >= 0; --i) {
        start -= PAGE;
        iommuUnmapPage(m, dom, start, PAGE);
      }
      domainFlushTlb(m, dom);
      domainFlushComplete(m, dom);
      dmaOpsFreeIova(m, dom, address, pages);
      return DMA_MAPPING_ERROR;
    }
    address += offset;
    // v5.0: `if (unlikely(amd_iommu_np_cache))`; v5.4: domain_flush_np_cache (the same, under domain->lock).
    if (amdState(m).npCache) {
      domainFlushPages(m, dom, address, size);
      domainFlushComplete(m, dom);
    }
    return address;
  } finally {
    m.kstack.leave(k);
  }
}

/** Remember what the driver was told it can hand the device (the dma-mismatch checker). */
function liveAdd(m: Machine, dd: AmdDevData, dma: number, size: number, pa: number, seq: number, api: string): void {
  const s = amdState(m);
  s.live[s.devs.indexOf(dd)].push({ dma, size, pa, seq, api });
}

function liveDrop(m: Machine, dd: AmdDevData, dma: number): void {
  const s = amdState(m);
  const list = s.live[s.devs.indexOf(dd)];
  const i = list.findIndex((l) => l.dma === dma);
  if (i >= 0) list.splice(i, 1);
}

/**
 * sg_num_pages(dev, sglist, nelems): each entry's dma_address = the page count so far (its
 * offset in the allocation, in bytes); an entry that would cross the segment boundary pads
 * the count up to it - after its dma_address was set, so the entry itself still sits where
 * it would have crossed [code observation; v5.0.1 = v5.4.1].
 */
export function sgNumPages(dev: DeviceBase, sgl: Scatterlist[], nelems: number): number {
  const mask = dmaSegBoundaryOf(dev);
  const boundary = Math.ceil((mask + 1) / PAGE); // ALIGN(mask + 1, PAGE_SIZE) >> PAGE_SHIFT
  let npages = 0;
  for (let i = 0; i < nelems; i++) {
    const s = sgl[i];
    s.dmaAddress = npages * PAGE;
    const p = npages % boundary;
    const n = iommuNumPages(s.pa, s.length);
    if (p + n > boundary) npages += boundary - p;
    npages += n;
  }
  return npages;
}

const sgOffset = (s: Scatterlist): number => s.offset ?? s.pa % PAGE;

/** map_sg(dev, sglist, nelems, direction, attrs): nelems, or 0 when it failed ('none' is DMA_NONE). */
export function amdMapSg(m: Machine, dev: DeviceBase, sgl: Scatterlist[], dir: DmaDirection | 'none'): number {
  const s = amdState(m);
  const dd = amdDevOf(s, dev.name);
  const k = m.kstack.enter(F_MAP_SG, sgl.length, dir === 'none' ? 3 : DIR_NUM[dir]);
  // The map record's direction (DMA_NONE has none to show).
  const rdir = dir === 'none' ? undefined : dir;
  try {
    const got = getDomain(m, dd);
    if (typeof got === 'number') {
      m.emit('map', { api: 'dma_map_sg', dev: dev.name, size: sgl.reduce((a, x) => a + x.length, 0), dir: rdir, result: 'error', reason: `get_domain: errno ${-got}` });
      return 0;
    }
    const dom = got;
    const nelems = sgl.length;
    const npages = sgNumPages(dev, sgl, nelems);
    const address = dmaOpsAllocIova(m, dom, npages, dmaMaskOf(dev));
    // v5.0 tests `address == DMA_MAPPING_ERROR`, which a failed allocation (0) never is.
    if (!address && m.behaviour(AMD_IOVA_FAIL_RETURNS_ZERO) !== 'map_page+map_sg') {
      m.emit('map', { api: 'dma_map_sg', dev: dev.name, domain: dom.name, size: npages * PAGE, dir: rdir, result: 'error', reason: 'dma_ops_alloc_iova failed' });
      return 0;
    }
    const prot = dir2prot(dir);
    let mapped = 0;
    let ret = 0;
    outer: for (const sg of sgl) {
      const pages = iommuNumPages(sg.pa, sg.length);
      for (let j = 0; j < pages; j++) {
        const bus = address + sg.dmaAddress + j * PAGE;
        const phys = sg.pa - (sg.pa % PAGE) + j * PAGE;
        ret = iommuMapPage(m, dom, bus, phys, PAGE, prot);
        if (ret) break outer;
        mapped++;
      }
    }
    if (!ret) {
      const full = m.behaviour(AMD_MAP_SG_OFFSET) === 'full-offset';
      for (const sg of sgl) {
        sg.dmaAddress += address + (full ? sgOffset(sg) : sgOffset(sg) % PAGE);
        sg.dmaLength = sg.length;
      }
      // v5.4's `if (s) domain_flush_np_cache(...)`: s is NULL after for_each_sg over the whole list.
      for (const sg of sgl) {
        const r = m.emit('map', { api: 'dma_map_sg', dev: dev.name, domain: dom.name, iova: sg.dmaAddress, pa: sg.pa, size: sg.length, dir: rdir, prot: protString(prot), result: 'ok' });
        liveAdd(m, dd!, sg.dmaAddress, sg.length, sg.pa, r.seq, 'dma_map_sg');
      }
      return nelems;
    }
    // out_unmap:
    const text =
      m.behaviour(AMD_MAP_SG_ERROR_REASON) === 'reason'
        ? `${devErrPrefix(m, dd!)}IOMMU mapping error in map_sg (io-pages: ${npages} reason: ${ret})`
        : `AMD-Vi: ${dd!.bdf}: IOMMU mapping error in map_sg (io-pages: ${npages})`;
    m.emit('klog', { level: 'err', text });
    const exact = m.behaviour(AMD_MAP_SG_UNMAP_ON_ERROR) === 'all-mapped';
    done: for (const sg of sgl) {
      const pages = iommuNumPages(sg.pa, sg.length);
      for (let j = 0; j < pages; j++) {
        iommuUnmapPage(m, dom, address + sg.dmaAddress + j * PAGE, PAGE);
        --mapped;
        // rc3: `if (--mapped_pages)`; fixed: `if (--mapped_pages == 0)`.
        if (exact ? mapped === 0 : mapped !== 0) break done;
      }
    }
    // out_free_iova: rc3 passes the byte address where free_iova_fast wants a pfn.
    const pfn = m.behaviour(AMD_MAP_SG_FREE_IOVA) === 'pfn' ? Math.floor(address / PAGE) : address;
    freeIovaFast(dom.iovad!, pfn, npages);
    m.emit('amd-iova', { op: 'free', domain: dom.name, pfn, pages: npages });
    m.emit('map', { api: 'dma_map_sg', dev: dev.name, domain: dom.name, size: npages * PAGE, dir: rdir, result: 'error', reason: `iommu_map_page: errno ${-ret}` });
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/** unmap_sg: the start address (sg_dma_address(sglist) & PAGE_MASK) and sg_num_pages again. */
function unmapSg(m: Machine, dev: DeviceBase, sgl: Scatterlist[], nents: number, dir: DmaDirection): void {
  const s = amdState(m);
  const dd = amdDevOf(s, dev.name);
  const got = getDomain(m, dd);
  if (typeof got === 'number') return;
  const k = m.kstack.enter(F_UNMAP_SG, nents, DIR_NUM[dir]);
  for (const sg of sgl.slice(0, nents)) liveDrop(m, dd!, sg.dmaAddress);
  const start = sgl[0].dmaAddress - (sgl[0].dmaAddress % PAGE);
  const npages = sgNumPages(dev, sgl, nents);
  unmapSingle(m, dd!.domain, start, npages * PAGE, dir);
  m.emit('unmap', { api: 'dma_unmap_sg', dev: dev.name, domain: got.name, iova: start, size: npages * PAGE, dir });
  m.kstack.leave(k);
}

/** The DMA ops name devices behind an AMD IOMMU carry (amd_iommu_dma_ops). */
export const AMD_DMA_OPS = 'amd-iommu';

export const amdDmaOps: DmaOps = {
  name: AMD_DMA_OPS,
  mapPage(m, dev, pa, size, dir, api) {
    const s = amdState(m);
    const dd = amdDevOf(s, dev.name);
    const k = m.kstack.enter(F_MAP_PAGE, pa, size, DIR_NUM[dir]);
    try {
      const got = getDomain(m, dd);
      if (got === -22) return pa;
      if (typeof got === 'number') {
        m.emit('map', { api, dev: dev.name, pa, size, dir, result: 'error', reason: `get_domain: errno ${-got}` });
        return DMA_MAPPING_ERROR;
      }
      const dma = mapSingle(m, got, pa, size, dir, dmaMaskOf(dev));
      if (dma === DMA_MAPPING_ERROR) {
        m.emit('map', { api, dev: dev.name, domain: got.name, pa, size, dir, result: 'error', reason: 'iommu_map_page failed' });
        return dma;
      }
      // An IOVA failure comes back as 0: the caller (dma_mapping_error tests ~0) takes it as success.
      const r = m.emit('map', { api, dev: dev.name, domain: got.name, iova: dma, pa, size, dir, prot: protString(dir2prot(dir)), result: 'ok' });
      liveAdd(m, dd!, dma, size, pa, r.seq, api);
      return dma;
    } finally {
      m.kstack.leave(k);
    }
  },
  unmapPage(m, dev, dma, size, dir, api) {
    const s = amdState(m);
    const dd = amdDevOf(s, dev.name);
    const got = getDomain(m, dd);
    if (typeof got === 'number') return;
    const k = m.kstack.enter(F_UNMAP_PAGE, dma, size, DIR_NUM[dir]);
    liveDrop(m, dd!, dma);
    unmapSingle(m, dd!.domain, dma, size, dir);
    m.emit('unmap', { api, dev: dev.name, domain: got.name, iova: dma, size, dir });
    m.kstack.leave(k);
  },
  mapSg: (m, dev, sgl, dir) => amdMapSg(m, dev, sgl, dir),
  unmapSg: (m, dev, sgl, nents, dir) => unmapSg(m, dev, sgl, nents, dir),
  syncForCpu() {},
  syncForDevice() {},
  maxMappingSize: () => Infinity,
};

export function provideAmdDmaOps(m: Machine): void {
  m.provide(dmaOpsKey(AMD_DMA_OPS), amdDmaOps);
}

