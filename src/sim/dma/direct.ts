/**
 * dma-direct (kernel/dma/direct.c, v5.0.1 and v5.4.1): the dma address is the physical
 * address. A buffer the device cannot reach, or any buffer when bouncing is forced
 * (swiotlb=force, an encrypted guest), bounces through SWIOTLB (swiotlb_map); without a
 * pool that is a mapping error.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { type DeviceBase, dmaMaskOf } from '../devices/device.ts';
import { physAlloc, physFree } from '../mem/alloc.ts';
import { PAGE_SIZE } from '../mem/phys.ts';
import {
  DMA_ATTR_SKIP_CPU_SYNC,
  DMA_MAPPING_ERROR,
  type DmaDirection,
  type DmaOps,
  dmaOpsKey,
} from './api.ts';
import {
  isSwiotlbActive,
  isSwiotlbBuffer,
  swiotlbMaxMappingSize,
  swiotlbOf,
} from './swiotlb-state.ts';
import { swiotlbTblMapSingle, swiotlbTblSyncSingle, swiotlbTblUnmapSingle } from './swiotlb.ts';
import { DMA_MAX_MAPPING_SIZE } from '../kernel.ts';

/** dma_capable(): the last byte must be within the device's mask. */
export function dmaCapable(dev: DeviceBase, dma: number, size: number): boolean {
  return dma + size - 1 <= dmaMaskOf(dev);
}

/** dma_direct_possible (v5.0/v5.4): not forced to bounce, and the device reaches it. */
function dmaDirectPossible(m: Machine, dev: DeviceBase, dma: number, size: number): boolean {
  return !swiotlbOf(m)?.force && dmaCapable(dev, dma, size);
}

const F_SWIOTLB_MAP = kfunc('swiotlb_map', 'kernel/dma/swiotlb.c', ['phys', 'size']);

/**
 * swiotlb_map (kernel/dma/swiotlb.c in v5.4, dma-direct's helper in v5.0): bounce, then
 * insist the bounce address is itself dma_capable, else unmap (SKIP_CPU_SYNC) and fail.
 * Returns the dma address or the reason it failed.
 */
function swiotlbMap(
  m: Machine,
  dev: DeviceBase,
  pa: number,
  size: number,
  dir: DmaDirection,
  attrs: number,
): number | string {
  const k = m.kstack.enter(F_SWIOTLB_MAP, pa, size);
  try {
    const st = swiotlbOf(m);
    if (!st) return 'beyond dma mask, no swiotlb';
    const tlb = swiotlbTblMapSingle(m, dev, { tblDmaAddr: st.start, orig: pa, size, dir, attrs });
    if (tlb === DMA_MAPPING_ERROR) return 'swiotlb buffer is full';
    if (!dmaCapable(dev, tlb, size)) {
      swiotlbTblUnmapSingle(m, dev, tlb, size, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
      return 'bounce buffer beyond dma mask';
    }
    return tlb;
  } finally {
    m.kstack.leave(k);
  }
}

/** dma_direct_sync_single_for_cpu: a bounced mapping copies back (swiotlb_tbl_sync_single). */
function syncForCpu(
  m: Machine,
  dev: DeviceBase,
  dma: number,
  size: number,
  dir: DmaDirection,
): void {
  if (isSwiotlbBuffer(swiotlbOf(m), dma)) swiotlbTblSyncSingle(m, dev, dma, size, dir, 'cpu');
}

function syncForDevice(
  m: Machine,
  dev: DeviceBase,
  dma: number,
  size: number,
  dir: DmaDirection,
): void {
  if (isSwiotlbBuffer(swiotlbOf(m), dma)) swiotlbTblSyncSingle(m, dev, dma, size, dir, 'device');
}

/**
 * dma_addressing_limited(dev): the mask is below dma_get_required_mask, the next power
 * of two above the highest DRAM address, minus one (dma_direct_get_required_mask).
 */
export function dmaAddressingLimited(m: Machine, dev: DeviceBase): boolean {
  const top = Math.max(...m.config.dram.map((r) => r.base + r.size - PAGE_SIZE));
  const required = 2 ** Math.floor(Math.log2(top)) * 2 - 1;
  return dmaMaskOf(dev) < required;
}

/**
 * dma_direct_max_mapping_size: absent in v5.0; v5.2 gives 256 KiB whenever swiotlb is
 * active; v5.4.1 only when it is active and the device is addressing-limited or bouncing
 * is forced. Infinity stands for SIZE_MAX.
 */
export function dmaDirectMaxMappingSize(m: Machine, dev: DeviceBase): number {
  const choice = m.behaviour(DMA_MAX_MAPPING_SIZE);
  if (choice === 'absent' || !isSwiotlbActive(m)) return Infinity;
  if (choice === 'unconditional') return swiotlbMaxMappingSize();
  return dmaAddressingLimited(m, dev) || swiotlbOf(m)!.force ? swiotlbMaxMappingSize() : Infinity;
}

export const dmaDirectOps: DmaOps = {
  name: 'dma-direct',
  /** dma_direct_map_page. */
  mapPage(m, dev, pa, size, dir, api, attrs = 0) {
    let dma = pa;
    if (!dmaDirectPossible(m, dev, pa, size)) {
      const r = swiotlbMap(m, dev, pa, size, dir, attrs);
      if (typeof r === 'string') {
        m.emit('map', { api, dev: dev.name, pa, size, dir, result: 'error', reason: r });
        return DMA_MAPPING_ERROR;
      }
      dma = r;
    }
    m.emit('map', { api, dev: dev.name, iova: dma, pa, size, dir, result: 'ok' });
    return dma;
  },
  /**
   * dma_direct_unmap_page, as v5.0.1 and v5.4.1 both have it: sync_single_for_cpu (which
   * copies a FROM_DEVICE/BIDIRECTIONAL bounce back), then swiotlb_tbl_unmap_single with
   * the caller's attrs, so without SKIP_CPU_SYNC it copies the same bytes a second time.
   */
  unmapPage(m, dev, dma, size, dir, api, attrs = 0) {
    m.emit('unmap', { api, dev: dev.name, iova: dma, size, dir });
    if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC)) syncForCpu(m, dev, dma, size, dir);
    if (isSwiotlbBuffer(swiotlbOf(m), dma)) swiotlbTblUnmapSingle(m, dev, dma, size, dir, attrs);
  },
  syncForCpu,
  syncForDevice,
  maxMappingSize: dmaDirectMaxMappingSize,
  /** dma_direct_map_sg: map_page per entry; on failure unmap those done, SKIP_CPU_SYNC. */
  mapSg(m, dev, sgl, dir, attrs) {
    for (let i = 0; i < sgl.length; i++) {
      const sg = sgl[i];
      sg.dmaAddress = dmaDirectOps.mapPage(m, dev, sg.pa, sg.length, dir, 'dma_map_sg', attrs);
      if (sg.dmaAddress === DMA_MAPPING_ERROR) {
        dmaDirectOps.unmapSg!(m, dev, sgl, i, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
        return 0;
      }
      sg.dmaLength = sg.length;
    }
    return sgl.length;
  },
  unmapSg(m, dev, sgl, nents, dir, attrs) {
    for (let i = 0; i < nents; i++) {
      const sg = sgl[i];
      dmaDirectOps.unmapPage(m, dev, sg.dmaAddress, sg.dmaLength, dir, 'dma_unmap_sg', attrs);
    }
  },
  /** dma_direct_alloc_pages: pages the device reaches (dma_coherent_ok); never bounced. */
  alloc(m, dev, size) {
    const bytes = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    const pa = physAlloc(m.state.alloc, bytes, { align: PAGE_SIZE, limit: dmaMaskOf(dev) + 1 });
    if (pa < 0) {
      m.emit('map', {
        api: 'dma_alloc_coherent',
        dev: dev.name,
        size,
        dir: 'bidirectional',
        result: 'error',
        reason: 'no memory within the coherent mask',
      });
      return undefined;
    }
    m.emit('map', {
      api: 'dma_alloc_coherent',
      dev: dev.name,
      iova: pa,
      pa,
      size,
      dir: 'bidirectional',
      result: 'ok',
    });
    return { pa, dma: pa };
  },
  free(m, dev, size, pa, dma) {
    m.emit('unmap', {
      api: 'dma_free_coherent',
      dev: dev.name,
      iova: dma,
      size,
      dir: 'bidirectional',
    });
    physFree(m.state.alloc, pa, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE);
  },
};

export function provideDmaDirect(m: Machine): void {
  m.provide<DmaOps>(dmaOpsKey('dma-direct'), dmaDirectOps);
}
