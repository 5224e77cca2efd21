/**
 * What every DMA master has in common: a name, a DMA mask, the DMA ops its driver maps
 * buffers through (dma-direct, an IOMMU's, ...) and the translator its bus accesses go
 * through (none for dma-direct, an M4U cell, a PASID walk). Device kinds extend this.
 */
import { modelKey } from '../core/keys.ts';

export interface DeviceBase {
  name: string;
  kind: string;
  /** Addressing limit in bits (dma_mask = DMA_BIT_MASK(bits)). */
  dmaMaskBits: number;
  /** Name of the DMA ops the driver maps through ("dma-direct", "mtk-iommu", ...). */
  dmaOps: string;
  /** Name of the translator bus accesses go through ("direct", "mtk", "sva", ...). */
  translator: string;
  /** dma_parms->max_segment_size; 0 = no dma_parms (dma_get_max_seg_size() then answers 64 KiB). */
  maxSegmentSize: number;
  /** dma_get_seg_boundary(): a mapping may not cross a multiple of mask+1; absent = 0xFFFFFFFF. */
  segBoundaryMask?: number;
  /** dev_is_pci(): PCI functions get a SAC (below 4 GiB) IOVA first from dma-iommu. */
  pci?: boolean;
  /** pci_name() of its function ("0000:00:03.0") where the scenario places it on PCI: what views call it beside its name. */
  pciName?: string;
  /** A scripted driver bug, set around one unmap: skip the IOTLB invalidation it owes. */
  injectNoFlush?: boolean;
}

export interface DevicesState {
  /** In scenario order; events carry the index. */
  list: DeviceBase[];
}

export const DEVICES = modelKey<DevicesState>('devices');

/** DMA_BIT_MASK(n) for n = 0..64, as floats: exact below 2^53, and PAs never exceed 2^48. */
const DMA_BIT_MASKS: readonly number[] = Array.from({ length: 65 }, (_, n) => 2 ** n - 1);

export function dmaMaskOf(dev: DeviceBase): number {
  // On every map: a table lookup rather than a power per call.
  return DMA_BIT_MASKS[Math.min(dev.dmaMaskBits, 64)];
}

/** dma_get_seg_boundary() (include/linux/dma-mapping.h): the default is DMA_BIT_MASK(32). */
export function dmaSegBoundaryOf(dev: DeviceBase): number {
  return dev.segBoundaryMask ?? 0xffff_ffff;
}
