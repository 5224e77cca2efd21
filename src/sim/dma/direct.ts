/**
 * dma-direct (kernel/dma/direct.c, v5.0.1 and v5.4.1): the dma address is the physical
 * address. A buffer the device cannot reach, or any buffer when bouncing is forced
 * (swiotlb=force, an encrypted guest), bounces through SWIOTLB (swiotlb_map); without a
 * pool that is a mapping error.
 */
import type { Machine } from '../machine.ts';
import type { Fresh } from './fresh.ts';
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
import { printedOnce, printkOnce } from '../core/printk.ts';
import { devPrefix } from '../devices/identity.ts';
import { emitMapReused, emitUnmapReused } from '../trace/reused.ts';

/** dma_capable(): the last byte must be within the device's mask. */
export function dmaCapable(dev: DeviceBase, dma: number, size: number): boolean {
  return dma + size - 1 <= dmaMaskOf(dev);
}

/** dma_direct_possible (v5.0/v5.4): not forced to bounce, and the device reaches it. */
function dmaDirectPossible(m: Machine, dev: DeviceBase, dma: number, size: number): boolean {
  return !swiotlbOf(m)?.force && dmaCapable(dev, dma, size);
}

const F_SWIOTLB_MAP = kfunc('swiotlb_map', 'kernel/dma/swiotlb.c', ['phys', 'size']);
const F_DMA_DIRECT_MAP_PAGE = kfunc('dma_direct_map_page', 'kernel/dma/direct.c', ['phys', 'size', 'dir']);
const F_DMA_DIRECT_UNMAP_PAGE = kfunc('dma_direct_unmap_page', 'kernel/dma/direct.c', ['addr', 'size', 'dir']);
const F_DMA_DIRECT_SYNC_FOR_CPU = kfunc('dma_direct_sync_single_for_cpu', 'kernel/dma/direct.c', ['addr', 'size', 'dir']);
const F_DMA_DIRECT_SYNC_FOR_DEVICE = kfunc('dma_direct_sync_single_for_device', 'kernel/dma/direct.c', ['addr', 'size', 'dir']);
const DIR_NUM: Readonly<Record<DmaDirection, number>> = { bidirectional: 0, 'to-device': 1, 'from-device': 2 };

/** Why swiotlb_map failed, and the dma address it left in *dma_addr (what report_addr prints). */
interface SwiotlbMapFailure {
  readonly reason: string;
  readonly dmaAddr: number;
}

/**
 * swiotlb_map (kernel/dma/swiotlb.c in v5.4, dma-direct's helper in v5.0): bounce, then
 * insist the bounce address is itself dma_capable, else unmap (SKIP_CPU_SYNC) and fail.
 * Returns the dma address or why it failed.
 */
function swiotlbMap(
  m: Machine,
  dev: DeviceBase,
  pa: number,
  size: number,
  dir: DmaDirection,
  attrs: number,
): number | SwiotlbMapFailure {
  const k = m.kstack.enter(F_SWIOTLB_MAP, pa, size);
  try {
    const st = swiotlbOf(m);
    if (!st) return { reason: 'beyond dma mask, no swiotlb', dmaAddr: pa };
    const tlb = swiotlbTblMapSingle(m, dev, st.start, pa, size, dir, attrs);
    if (tlb === DMA_MAPPING_ERROR) return { reason: 'swiotlb buffer is full', dmaAddr: pa };
    if (!dmaCapable(dev, tlb, size)) {
      swiotlbTblUnmapSingle(m, dev, tlb, size, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
      return { reason: 'bounce buffer beyond dma mask', dmaAddr: tlb };
    }
    return tlb;
  } finally {
    m.kstack.leave(k);
  }
}

/** %pad of a 64-bit dma_addr_t: "0x" and 16 hex digits. */
function pad64(n: number): string {
  return '0x' + Math.floor(n / 2 ** 32).toString(16).padStart(8, '0') + (n % 2 ** 32).toString(16).padStart(8, '0');
}

/**
 * report_addr (kernel/dma/direct.c, v5.0.1 and v5.4.1): a device whose mask is 32 bits or
 * more gets dev_err_once "overflow %pad+%zu of DMA mask %llx bus mask %llx" (no bus
 * constraint here: bus_dma_mask 0). Its WARN_ON_ONCE(1) splat is left out: report_addr is
 * static and may be inlined, so which symbol %pS names is not known from the source.
 */
function reportAddr(m: Machine, dev: DeviceBase, dmaAddr: number, size: number): void {
  if (dev.dmaMaskBits < 32 || printedOnce(m, 'report_addr')) return; // dev_err_once: the text is built once
  const mask = dmaMaskOf(dev);
  const maskText = dev.dmaMaskBits >= 64 ? 'ffffffffffffffff' : mask.toString(16);
  printkOnce(m, 'report_addr', 'err', `${devPrefix(m, dev)}overflow ${pad64(dmaAddr)}+${size} of DMA mask ${maskText} bus mask 0`);
}

/** dma_direct_sync_single_for_cpu: a bounced mapping copies back (swiotlb_tbl_sync_single). */
function syncForCpu(
  m: Machine,
  dev: DeviceBase,
  dma: number,
  size: number,
  dir: DmaDirection,
): void {
  const k = m.kstack.enter(F_DMA_DIRECT_SYNC_FOR_CPU, dma, size, DIR_NUM[dir]);
  if (isSwiotlbBuffer(swiotlbOf(m), dma)) swiotlbTblSyncSingle(m, dev, dma, size, dir, 'cpu');
  m.kstack.leave(k);
}

function syncForDevice(
  m: Machine,
  dev: DeviceBase,
  dma: number,
  size: number,
  dir: DmaDirection,
): void {
  const k = m.kstack.enter(F_DMA_DIRECT_SYNC_FOR_DEVICE, dma, size, DIR_NUM[dir]);
  if (isSwiotlbBuffer(swiotlbOf(m), dma)) swiotlbTblSyncSingle(m, dev, dma, size, dir, 'device');
  m.kstack.leave(k);
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
    const k = m.kstack.enter(F_DMA_DIRECT_MAP_PAGE, pa, size, DIR_NUM[dir]);
    try {
      let dma = pa;
      if (!dmaDirectPossible(m, dev, pa, size)) {
        const r = swiotlbMap(m, dev, pa, size, dir, attrs);
        if (typeof r !== 'number') {
          reportAddr(m, dev, r.dmaAddr, size);
          m.emit('map', { api, dev: dev.name, pa, size, dir, result: 'error', reason: r.reason });
          return DMA_MAPPING_ERROR;
        }
        dma = r;
      }
      if (m.reuses('map')) emitMapReused(m, api, dev.name, undefined, dma, pa, size, dir, undefined, 'ok', undefined);
      else {
        const r: Fresh<'map'> = { seq: 0, t: 0, kind: 'map', api, dev: dev.name, iova: dma, pa, size, dir, result: 'ok' };
        m.emit('map', r);
      }
      return dma;
    } finally {
      m.kstack.leave(k);
    }
  },
  /**
   * dma_direct_unmap_page, as v5.0.1 and v5.4.1 both have it: sync_single_for_cpu (which
   * copies a FROM_DEVICE/BIDIRECTIONAL bounce back), then swiotlb_tbl_unmap_single with
   * the caller's attrs, so without SKIP_CPU_SYNC it copies the same bytes a second time.
   */
  unmapPage(m, dev, dma, size, dir, api, attrs = 0) {
    const k = m.kstack.enter(F_DMA_DIRECT_UNMAP_PAGE, dma, size, DIR_NUM[dir]);
    if (m.reuses('unmap')) emitUnmapReused(m, api, dev.name, undefined, dma, size, dir, undefined);
    else {
      const r: Fresh<'unmap'> = { seq: 0, t: 0, kind: 'unmap', api, dev: dev.name, iova: dma, size, dir };
      m.emit('unmap', r);
    }
    if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC)) syncForCpu(m, dev, dma, size, dir);
    if (isSwiotlbBuffer(swiotlbOf(m), dma)) swiotlbTblUnmapSingle(m, dev, dma, size, dir, attrs);
    m.kstack.leave(k);
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
