/**
 * The DMA side of a PCI endpoint's driver: peer-to-peer memory (find a provider, allocate,
 * pci_p2pdma_map_sg), ordinary dma_map_sg of host buffers, the device's accesses through
 * those mappings, an NVMe-style O_DIRECT read into a user buffer (get_user_pages, then
 * pci_p2pdma_map_sg for p2pmem pages or the normal DMA map, as nvme_map_data does), and an
 * exporter mapping its BAR into a process (and taking it back).
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { kernelRelease } from '../kernel.ts';
import { PAGE_SIZE, fnv1a } from '../mem/phys.ts';
import { type Scatterlist, dmaMapPage, dmaMapSg, dmaUnmapPage, dmaUnmapSg, DMA_MAPPING_ERROR } from '../dma/api.ts';
import { mmByName, findVma } from '../mm/state.ts';
import { getUserPages } from '../mm/gup.ts';
import { mmapDeviceMemory, zapVmaPtes } from '../mm/devmap.ts';
import {
  p2pChunkOf, pciAllocP2pmem, pciFreeP2pmem, pciP2pdmaDistanceMany, pciP2pdmaMapSg, pciP2pdmaUnmapSg, pciP2pmemFindMany, pciState,
} from '../pci/p2pdma.ts';
import { deviceRead, deviceWrite } from './port.ts';
import { barAtCpu } from '../pci/route.ts';
import type { PciEndpointState, PciEpOp, PciHandle } from './pci-endpoint.ts';

const F_DIO = kfunc('nvme_queue_rq', 'drivers/nvme/host/pci.c');

const handleOf = (d: PciEndpointState, name: string): PciHandle | undefined => d.handles.find((h) => h.name === name && h.live);

function putHandle(d: PciEndpointState, h: PciHandle): void {
  d.handles = d.handles.filter((x) => x.name !== h.name);
  d.handles.push(h);
}

/** The device's own function id (the client p2pdma sees). */
const selfClient = (d: PciEndpointState): number | string => (d.fn >= 0 ? d.fn : d.name);

type Op<K extends PciEpOp['op']> = Extract<PciEpOp, { op: K }>;

export function opP2pDistance(m: Machine, d: PciEndpointState, op: Op<'p2p-distance'>): void {
  pciP2pdmaDistanceMany(m, op.provider, op.clients.length ? op.clients : [selfClient(d)], true);
}

/** p2p-alloc: pci_p2pmem_find_many(clients) (or the given provider), then pci_alloc_p2pmem. */
export function opP2pAlloc(m: Machine, d: PciEndpointState, op: Op<'p2p-alloc'>): void {
  const st = pciState(m);
  const provider = op.provider >= 0 ? op.provider : pciP2pmemFindMany(m, op.clients.length ? op.clients : [selfClient(d)]);
  if (provider < 0) return;
  const a = pciAllocP2pmem(m, st.fns[provider], op.len);
  if (!a) return;
  putHandle(d, { name: op.as, kind: 'p2pmem', alloc: a.id, pa: a.pa, len: op.len, dir: 'bidirectional', sgl: [], nents: 0, live: true });
}

export function opP2pFree(m: Machine, d: PciEndpointState, op: Op<'p2p-free'>): void {
  const h = handleOf(d, op.handle);
  const a = h && pciState(m).allocs.find((x) => x.id === h.alloc);
  if (!h || !a) return;
  pciFreeP2pmem(m, a);
  h.live = false;
}

/** pci_p2pmem_alloc_sgl gives one entry for the allocation; pci_p2pdma_map_sg maps it for this device. */
export function opP2pMap(m: Machine, d: PciEndpointState, op: Op<'p2p-map'>): void {
  const src = handleOf(d, op.handle);
  if (!src) return;
  const sgl: Scatterlist[] = [{ pa: src.pa, length: src.len, dmaAddress: DMA_MAPPING_ERROR, dmaLength: 0 }];
  const nents = pciP2pdmaMapSg(m, d, sgl, op.dir);
  putHandle(d, { name: op.as, kind: 'p2p-map', alloc: src.alloc, pa: src.pa, len: src.len, dir: op.dir, sgl, nents, live: nents > 0 });
}

export function opP2pUnmap(m: Machine, d: PciEndpointState, op: Op<'p2p-unmap'>): void {
  const h = handleOf(d, op.handle);
  if (!h) return;
  pciP2pdmaUnmapSg(m, d, h.sgl, h.nents, h.dir);
  h.live = false;
}

export function opDmaMap(m: Machine, d: PciEndpointState, op: Op<'dma-map'>): void {
  const sgl: Scatterlist[] = [{ pa: op.pa, length: op.len, dmaAddress: DMA_MAPPING_ERROR, dmaLength: 0 }];
  const nents = dmaMapSg(m, d, sgl, op.dir);
  putHandle(d, { name: op.as, kind: 'dma-map', alloc: -1, pa: op.pa, len: op.len, dir: op.dir, sgl, nents, live: nents > 0 });
}

export function opDmaUnmap(m: Machine, d: PciEndpointState, op: Op<'dma-unmap'>): void {
  const h = handleOf(d, op.handle);
  if (!h) return;
  dmaUnmapSg(m, d, h.sgl, h.nents, h.dir);
  h.live = false;
}

/**
 * The device reads or writes through a mapping: bus addresses, routed by the topology. After
 * the unmap the device still holds the address the driver programmed (nothing tells the
 * hardware): DMA after unmap reaches whatever the IOMMU still translates — a stale IOTLB
 * entry in the lazy-flush window, a fault once it is flushed.
 */
export function opAccess(m: Machine, d: PciEndpointState, op: Op<'write'> | Op<'read'>): void {
  const h = d.handles.find((x) => x.name === op.handle);
  if (!h || h.kind === 'p2pmem' || h.nents === 0) return;
  d.space = 'bus';
  const dma = h.sgl[0].dmaAddress + op.offset;
  if (op.op === 'write') {
    const data = new Uint8Array(op.len).fill(op.pattern);
    if (deviceWrite(m, d, dma, data)) m.emit('dev-access', { dev: d.name, handle: h.name, op: 'write', iova: dma, len: op.len, sum: fnv1a(data) });
  } else {
    const { data, ok } = deviceRead(m, d, dma, op.len);
    if (ok) m.emit('dev-access', { dev: d.name, handle: h.name, op: 'read', iova: dma, len: op.len, sum: fnv1a(data) });
  }
}

/** blk_rq_map_sg: physically contiguous pages merge into one segment (up to 64 KiB here). */
function segmentsOf(pfns: readonly number[]): Scatterlist[] {
  const out: Scatterlist[] = [];
  for (const pfn of pfns) {
    const last = out[out.length - 1];
    if (last && last.pa + last.length === pfn * PAGE_SIZE && last.length < 64 * 1024) last.length += PAGE_SIZE;
    else out.push({ pa: pfn * PAGE_SIZE, length: PAGE_SIZE, dmaAddress: DMA_MAPPING_ERROR, dmaLength: 0 });
  }
  return out;
}

/**
 * read(fd, buf, len) with O_DIRECT on the device: get_user_pages(FOLL_WRITE) on the buffer,
 * one request over the pinned pages, nvme_map_data (p2pdma pages: pci_p2pdma_map_sg; v5.4:
 * a single small segment: dma_map_page via dma_map_bvec; else dma_map_sg), the device
 * writes the data, unmap, put the pages.
 */
export function opOdirectRead(m: Machine, d: PciEndpointState, op: Op<'odirect-read'>): void {
  const mm = mmByName(m, op.mm);
  if (!mm) return;
  const nr = Math.ceil(op.len / PAGE_SIZE);
  const g = getUserPages(m, mm, op.va, nr, true);
  if (g.ret < 0) {
    m.emit('dio', { dev: d.name, mm: mm.name, va: op.va, len: op.len, ret: g.ret });
    return;
  }
  const k = m.kstack.enter(F_DIO);
  const sgl = segmentsOf(g.pfns);
  const p2p = p2pChunkOf(m, sgl[0].pa) !== undefined;
  let how: string;
  let n: number;
  const single = kernelRelease(m.config.kernel) === 'v5.4' && sgl.length === 1 && !p2p && sgl[0].length <= 2 * PAGE_SIZE;
  if (p2p) {
    how = kernelRelease(m.config.kernel) === 'v5.4' ? 'pci_p2pdma_map_sg_attrs' : 'pci_p2pdma_map_sg';
    n = pciP2pdmaMapSg(m, d, sgl, 'from-device');
  } else if (single) {
    how = 'dma_map_page (dma_map_bvec)';
    sgl[0].dmaAddress = dmaMapPage(m, d, sgl[0].pa, sgl[0].length, 'from-device');
    sgl[0].dmaLength = sgl[0].length;
    n = sgl[0].dmaAddress === DMA_MAPPING_ERROR ? 0 : 1;
  } else {
    how = 'dma_map_sg';
    n = dmaMapSg(m, d, sgl, 'from-device');
  }
  if (n === 0) {
    m.emit('dio', { dev: d.name, mm: mm.name, va: op.va, len: op.len, ret: 0, map: `${how} mapped nothing: BLK_STS_RESOURCE, the request is requeued and never completes` });
    m.kstack.leave(k);
    return;
  }
  d.space = 'bus';
  let done = 0;
  for (const s of sgl) {
    const len = Math.min(s.length, g.pfns.length * PAGE_SIZE - done);
    deviceWrite(m, d, s.dmaAddress, new Uint8Array(len).fill(op.pattern));
    done += len;
  }
  if (p2p) pciP2pdmaUnmapSg(m, d, sgl, n, 'from-device');
  else if (single) dmaUnmapPage(m, d, sgl[0].dmaAddress, sgl[0].length, 'from-device');
  else dmaUnmapSg(m, d, sgl, n, 'from-device');
  m.emit('dio', { dev: d.name, mm: mm.name, va: op.va, len: op.len, ret: Math.min(op.len, done), map: how });
  m.kstack.leave(k);
}

/**
 * The exporter's mmap of its BAR: vm_insert_page of p2pmem it allocates from its own pool
 * (ZONE_DEVICE pages), remap_pfn_range of the BAR, or the RFC's p2p VMA over the BAR.
 */
export function opMmapBar(m: Machine, d: PciEndpointState, index: number, op: Op<'mmap-bar'>): void {
  const mm = mmByName(m, op.mm);
  if (!mm || d.fn < 0) return;
  const fn = pciState(m).fns[d.fn];
  let pa: number;
  if (op.how === 'vm_insert_page') {
    const a = pciAllocP2pmem(m, fn, op.len);
    if (!a) {
      m.emit('mm', { op: 'mmap', mm: mm.name, start: op.va, end: op.va + op.len, vma: 'device', shared: true, result: 'ENOMEM (no p2pmem to insert)' });
      return;
    }
    pa = a.pa;
  } else {
    const bar = fn.bars.find((b) => b.index === op.bar)!;
    pa = bar.start + op.offset;
  }
  mmapDeviceMemory(m, mm, { start: op.va, size: op.len, pa, how: op.how, exporter: index });
}

/** The exporter re-points its BAR window: zap_vma_ptes (mmu notifiers reach importers), then the new offset. */
export function opBarMove(m: Machine, d: PciEndpointState, op: Op<'bar-move'>): void {
  const mm = mmByName(m, op.mm);
  if (!mm || d.fn < 0) return;
  const vma = findVma(mm, op.va);
  if (!vma?.devmap) return;
  const bar = barAtCpu(pciState(m), vma.pgoff * PAGE_SIZE)?.bar;
  if (!bar) return;
  zapVmaPtes(m, mm, op.va, op.len);
  vma.pgoff = (bar.start + op.offset) / PAGE_SIZE - (op.va - vma.start) / PAGE_SIZE;
}
