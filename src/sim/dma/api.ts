/**
 * The DMA API as drivers see it (include/linux/dma-mapping.h): map and unmap through the
 * device's DMA ops. dma-direct is the ops of a device without an IOMMU; later models add
 * swiotlb bouncing under it and IOMMU ops beside it.
 */
import type { Machine } from '../machine.ts';
import type { DeviceBase } from '../devices/device.ts';

export type DmaDirection = 'to-device' | 'from-device' | 'bidirectional';

/** DMA_MAPPING_ERROR is ~0 in the kernel; here any negative dma address. */
export const DMA_MAPPING_ERROR = -1;

export interface DmaOps {
  readonly name: string;
  /** Returns the dma address, or DMA_MAPPING_ERROR (after emitting why). */
  mapPage(m: Machine, dev: DeviceBase, pa: number, size: number, dir: DmaDirection, api: string): number;
  unmapPage(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection, api: string): void;
  syncForCpu(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void;
  syncForDevice(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void;
  /** dma_max_mapping_size(); Infinity stands for SIZE_MAX. */
  maxMappingSize(m: Machine, dev: DeviceBase): number;
}

export const dmaOpsKey = (name: string): string => `dma-ops:${name}`;

export function dmaOpsOf(m: Machine, dev: DeviceBase): DmaOps {
  return m.service<DmaOps>(dmaOpsKey(dev.dmaOps));
}

export function dmaMapSingle(m: Machine, dev: DeviceBase, pa: number, size: number, dir: DmaDirection): number {
  return dmaOpsOf(m, dev).mapPage(m, dev, pa, size, dir, 'dma_map_single');
}

export function dmaUnmapSingle(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void {
  dmaOpsOf(m, dev).unmapPage(m, dev, dma, size, dir, 'dma_unmap_single');
}

export function dmaSyncSingleForCpu(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void {
  dmaOpsOf(m, dev).syncForCpu(m, dev, dma, size, dir);
}

export function dmaSyncSingleForDevice(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void {
  dmaOpsOf(m, dev).syncForDevice(m, dev, dma, size, dir);
}

export function dmaMaxMappingSize(m: Machine, dev: DeviceBase): number {
  return dmaOpsOf(m, dev).maxMappingSize(m, dev);
}
