/**
 * dma-direct (kernel/dma/direct.c, v5.0): the dma address is the physical address, and a
 * buffer the device cannot reach is a mapping error here. The SWIOTLB model hooks in
 * under this (bouncing when !dma_capable or forced).
 */
import type { Machine } from '../machine.ts';
import { hex } from '../core/hex.ts';
import { type DeviceBase, dmaMaskOf } from '../devices/device.ts';
import { DMA_MAPPING_ERROR, type DmaDirection, type DmaOps, dmaOpsKey } from './api.ts';

/** dma_capable(): the last byte must be within the device's mask. */
export function dmaCapable(dev: DeviceBase, dma: number, size: number): boolean {
  return dma + size - 1 <= dmaMaskOf(dev);
}

export const dmaDirectOps: DmaOps = {
  name: 'dma-direct',
  mapPage(m: Machine, dev: DeviceBase, pa: number, size: number, dir: DmaDirection, api: string): number {
    if (!dmaCapable(dev, pa, size)) {
      m.emit('map', { api, dev: dev.name, pa: hex(pa), size, dir, result: 'error', reason: 'beyond dma mask, no swiotlb' });
      return DMA_MAPPING_ERROR;
    }
    m.emit('map', { api, dev: dev.name, iova: hex(pa), pa: hex(pa), size, dir, result: 'ok' });
    return pa;
  },
  unmapPage(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection, api: string): void {
    m.emit('unmap', { api, dev: dev.name, iova: hex(dma), size, dir });
  },
  syncForCpu() {},
  syncForDevice() {},
  maxMappingSize: () => Infinity,
};

export function provideDmaDirect(m: Machine): void {
  m.provide<DmaOps>(dmaOpsKey('dma-direct'), dmaDirectOps);
}
