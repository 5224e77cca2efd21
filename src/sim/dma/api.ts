/**
 * The DMA API as drivers see it (include/linux/dma-mapping.h): map, unmap and sync
 * through the device's DMA ops. dma-direct is the ops of a device without an IOMMU
 * (bouncing through SWIOTLB when it must); IOMMU ops sit beside it.
 */
import type { Machine } from '../machine.ts';
import { debugDmaMapPage, debugDmaSync, debugDmaUnmapPage } from './debug.ts';
import type { DeviceBase } from '../devices/device.ts';
import { serviceFamily } from '../core/keys.ts';
import { kernelRelease } from '../kernel.ts';

export type DmaDirection = 'to-device' | 'from-device' | 'bidirectional';

/** DMA_MAPPING_ERROR is ~0 in the kernel; here any negative dma address. */
export const DMA_MAPPING_ERROR = -1;

/** DMA attributes (include/linux/dma-mapping.h, same bit numbers in v5.0 and v5.4). */
export const DMA_ATTR_SKIP_CPU_SYNC = 1 << 5;
export const DMA_ATTR_NO_WARN = 1 << 8;

/** One scatterlist entry: the CPU side (pa, length) and what dma_map_sg filled in. */
export interface Scatterlist {
  pa: number;
  length: number;
  dmaAddress: number;
  dmaLength: number;
  /** s->offset as the driver set it (pa = page_to_phys(page) + offset); absent: pa % 4096 (sg_set_buf). */
  offset?: number;
}

export interface DmaOps {
  readonly name: string;
  /** Returns the dma address, or DMA_MAPPING_ERROR (after emitting why). */
  mapPage(
    m: Machine,
    dev: DeviceBase,
    pa: number,
    size: number,
    dir: DmaDirection,
    api: string,
    attrs?: number,
  ): number;
  unmapPage(
    m: Machine,
    dev: DeviceBase,
    dma: number,
    size: number,
    dir: DmaDirection,
    api: string,
    attrs?: number,
  ): void;
  syncForCpu(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void;
  syncForDevice(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void;
  /** dma_max_mapping_size(); Infinity stands for SIZE_MAX. */
  maxMappingSize(m: Machine, dev: DeviceBase): number;
  /** ops->map_sg: returns the number of mapped entries, 0 on failure. Optional. */
  mapSg?(m: Machine, dev: DeviceBase, sgl: Scatterlist[], dir: DmaDirection, attrs: number): number;
  unmapSg?(
    m: Machine,
    dev: DeviceBase,
    sgl: Scatterlist[],
    nents: number,
    dir: DmaDirection,
    attrs: number,
  ): void;
  /** ops->map_resource: a dma address for an MMIO range (phys is not RAM). Optional. */
  mapResource?(m: Machine, dev: DeviceBase, phys: number, size: number, dir: DmaDirection): number;
  unmapResource?(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void;
  /** ops->alloc: the CPU's physical address and the dma address, or undefined. Optional. */
  alloc?(m: Machine, dev: DeviceBase, size: number): { pa: number; dma: number } | undefined;
  free?(m: Machine, dev: DeviceBase, size: number, pa: number, dma: number): void;
}

/** The DmaOps of a name a device carries in `dmaOps` ("dma-direct", "mtk-iommu"). */
export const dmaOpsKey = serviceFamily<DmaOps>('dma-ops');

/** The last DmaOps looked up, by machine and name (two map lookups per map/unmap otherwise). */
let lastMachine: Machine | undefined;
let lastName = '';
let lastOps: DmaOps | undefined;

export function dmaOpsOf(m: Machine, dev: DeviceBase): DmaOps {
  if (m !== lastMachine || dev.dmaOps !== lastName) {
    lastOps = m.service(dmaOpsKey(dev.dmaOps));
    lastMachine = m;
    lastName = dev.dmaOps;
  }
  return lastOps!;
}

export function dmaMapSingle(
  m: Machine,
  dev: DeviceBase,
  pa: number,
  size: number,
  dir: DmaDirection,
  attrs = 0,
): number {
  const dma = dmaOpsOf(m, dev).mapPage(m, dev, pa, size, dir, 'dma_map_single', attrs);
  if (dma !== DMA_MAPPING_ERROR) debugDmaMapPage(m, dev, 'dma_map_single', dma, pa, size, dir);
  return dma;
}

export function dmaUnmapSingle(
  m: Machine,
  dev: DeviceBase,
  dma: number,
  size: number,
  dir: DmaDirection,
  attrs = 0,
): void {
  dmaOpsOf(m, dev).unmapPage(m, dev, dma, size, dir, 'dma_unmap_single', attrs);
  debugDmaUnmapPage(m, dev, dma, size, dir);
}

/** dma_map_page(dev, page, offset, ...): `pa` is page_to_phys(page) + offset. */
export function dmaMapPage(
  m: Machine,
  dev: DeviceBase,
  pa: number,
  size: number,
  dir: DmaDirection,
  attrs = 0,
): number {
  const dma = dmaOpsOf(m, dev).mapPage(m, dev, pa, size, dir, 'dma_map_page', attrs);
  if (dma !== DMA_MAPPING_ERROR) debugDmaMapPage(m, dev, 'dma_map_page', dma, pa, size, dir);
  return dma;
}

export function dmaUnmapPage(
  m: Machine,
  dev: DeviceBase,
  dma: number,
  size: number,
  dir: DmaDirection,
  attrs = 0,
): void {
  dmaOpsOf(m, dev).unmapPage(m, dev, dma, size, dir, 'dma_unmap_page', attrs);
  debugDmaUnmapPage(m, dev, dma, size, dir);
}

/**
 * dma_map_sg: ops->map_sg, or (for ops without one) each entry through map_page, undoing
 * the entries already mapped when one fails, as dma_direct_map_sg does.
 */
export function dmaMapSg(
  m: Machine,
  dev: DeviceBase,
  sgl: Scatterlist[],
  dir: DmaDirection,
  attrs = 0,
): number {
  const ops = dmaOpsOf(m, dev);
  if (ops.mapSg) return ops.mapSg(m, dev, sgl, dir, attrs);
  for (let i = 0; i < sgl.length; i++) {
    const sg = sgl[i];
    sg.dmaAddress = ops.mapPage(m, dev, sg.pa, sg.length, dir, 'dma_map_sg', attrs);
    if (sg.dmaAddress === DMA_MAPPING_ERROR) {
      dmaUnmapSg(m, dev, sgl, i, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
      return 0;
    }
    sg.dmaLength = sg.length;
  }
  return sgl.length;
}

export function dmaUnmapSg(
  m: Machine,
  dev: DeviceBase,
  sgl: Scatterlist[],
  nents: number,
  dir: DmaDirection,
  attrs = 0,
): void {
  const ops = dmaOpsOf(m, dev);
  if (ops.unmapSg) return ops.unmapSg(m, dev, sgl, nents, dir, attrs);
  for (let i = 0; i < nents; i++) {
    ops.unmapPage(m, dev, sgl[i].dmaAddress, sgl[i].dmaLength, dir, 'dma_unmap_sg', attrs);
  }
}

export function dmaSyncSingleForCpu(
  m: Machine,
  dev: DeviceBase,
  dma: number,
  size: number,
  dir: DmaDirection,
): void {
  m.emit('sync', { api: 'dma_sync_single_for_cpu', dev: dev.name, iova: dma, size, dir });
  dmaOpsOf(m, dev).syncForCpu(m, dev, dma, size, dir);
  debugDmaSync(m, dev, dma, size, dir);
}

export function dmaSyncSingleForDevice(
  m: Machine,
  dev: DeviceBase,
  dma: number,
  size: number,
  dir: DmaDirection,
): void {
  m.emit('sync', { api: 'dma_sync_single_for_device', dev: dev.name, iova: dma, size, dir });
  dmaOpsOf(m, dev).syncForDevice(m, dev, dma, size, dir);
  debugDmaSync(m, dev, dma, size, dir);
}

/** pfn_valid(PHYS_PFN(phys)): the address is RAM the kernel manages. */
function pfnValid(m: Machine, phys: number): boolean {
  return m.config.dram.some((r) => phys >= r.base && phys < r.base + r.size);
}

/**
 * dma_map_resource (include/linux/dma-mapping.h): an MMIO range (another device's BAR) for
 * DMA. v5.0: BUG_ON(RAM); the address is the physical one unless the ops have
 * .map_resource. v5.4: WARN_ON_ONCE(RAM) and fail; dma-direct returns the address, other
 * ops use .map_resource or fail (addr starts as DMA_MAPPING_ERROR).
 */
export function dmaMapResource(m: Machine, dev: DeviceBase, phys: number, size: number, dir: DmaDirection): number {
  const ops = dmaOpsOf(m, dev);
  const v54 = kernelRelease(m.config.kernel) === 'v5.4';
  const record = (iova: number | undefined, reason?: string): void => {
    m.emit('map', { api: 'dma_map_resource', dev: dev.name, iova, pa: phys, size, dir, result: iova === undefined ? 'error' : 'ok', reason });
  };
  if (pfnValid(m, phys)) {
    m.emit('klog', v54
      ? { level: 'warning', text: 'WARNING: CPU: 0 PID: 1 at include/linux/dma-mapping.h:355 dma_map_resource' }
      : { level: 'emerg', text: 'kernel BUG at include/linux/dma-mapping.h:354!' });
    record(undefined, v54 ? 'WARN_ON_ONCE(pfn_valid(PHYS_PFN(phys_addr)))' : 'BUG_ON(pfn_valid(PHYS_PFN(phys_addr)))');
    return DMA_MAPPING_ERROR;
  }
  if (ops.mapResource) return ops.mapResource(m, dev, phys, size, dir);
  if (!v54 || ops.name === 'dma-direct') {
    record(phys); // v5.0 for any ops without .map_resource; v5.4 dma_direct_map_resource
    return phys;
  }
  record(undefined, `${ops.name} has no .map_resource`);
  return DMA_MAPPING_ERROR;
}

/** dma_unmap_resource: only ops with .unmap_resource do anything (v5.4: never dma-direct). */
export function dmaUnmapResource(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void {
  const ops = dmaOpsOf(m, dev);
  if (ops.unmapResource) return ops.unmapResource(m, dev, dma, size, dir);
  m.emit('unmap', { api: 'dma_unmap_resource', dev: dev.name, iova: dma, size, dir });
}

/** dma_alloc_coherent: CPU and device share the memory; no bouncing, no syncs needed. */
export function dmaAllocCoherent(
  m: Machine,
  dev: DeviceBase,
  size: number,
): { pa: number; dma: number } | undefined {
  const ops = dmaOpsOf(m, dev);
  if (!ops.alloc) {
    m.emit('map', {
      api: 'dma_alloc_coherent',
      dev: dev.name,
      size,
      dir: 'bidirectional',
      result: 'error',
      reason: `${ops.name} has no alloc`,
    });
    return undefined;
  }
  return ops.alloc(m, dev, size);
}

export function dmaFreeCoherent(
  m: Machine,
  dev: DeviceBase,
  size: number,
  pa: number,
  dma: number,
): void {
  dmaOpsOf(m, dev).free?.(m, dev, size, pa, dma);
}

/** dma_max_mapping_size(); Infinity stands for SIZE_MAX. */
export function dmaMaxMappingSize(m: Machine, dev: DeviceBase): number {
  return dmaOpsOf(m, dev).maxMappingSize(m, dev);
}

/** dma_get_max_seg_size (include/linux/dma-mapping.h): dma_parms' value, else SZ_64K. */
export function dmaGetMaxSegSize(dev: DeviceBase): number {
  return dev.maxSegmentSize || 64 * 1024;
}

/** dma_set_max_seg_size. */
export function dmaSetMaxSegSize(dev: DeviceBase, size: number): void {
  dev.maxSegmentSize = size;
}
