/**
 * Behaviour that changed between the two kernels dmadbg models. A scenario names its
 * kernel ("v5.0" or "v5.4"); each row here picks a choice for each, and a scenario may
 * override one row by id for a what-if run. `dmadbg info kernels` prints this table.
 * Sources: ../shared/domain/kernel-facts.md §0 (diffs of v5.0.1 and v5.4.1 trees).
 */
export type KernelVersion = 'v5.0' | 'v5.4';
export const KERNEL_VERSIONS: readonly KernelVersion[] = ['v5.0', 'v5.4'];

export interface Behaviour {
  readonly id: string;
  readonly area: string;
  readonly summary: string;
  /** Every value a scenario may choose; the first two are what v5.0 and v5.4 did. */
  readonly choices: readonly string[];
  readonly v50: string;
  readonly v54: string;
  readonly source: string;
}

export const BEHAVIOURS: readonly Behaviour[] = [
  {
    id: 'mtk-driver',
    area: 'iommu/mtk',
    summary: 'MediaTek M4U driver generation: v5.0 single register set, no larbid remap, MTK_4GB forces PTE bit 9; v5.4 the mt8183 series (plat_data, MTK_EXT, mmu0/mmu1 fault groups)',
    choices: ['pre-mt8183', 'mt8183-series'],
    v50: 'pre-mt8183',
    v54: 'mt8183-series',
    source: 'drivers/iommu/mtk_iommu.c',
  },
  {
    id: 'v7s-split-blk',
    area: 'pgtable/arm-v7s',
    summary: 'Partial unmap of a section: the kernel builds the new L2 entries without the section PA (arm_v7s_split_blk_unmap); "corrected" adds it',
    choices: ['kernel', 'corrected'],
    v50: 'kernel',
    v54: 'kernel',
    source: 'drivers/iommu/io-pgtable-arm-v7s.c: arm_v7s_split_blk_unmap',
  },
  {
    id: 'dma-max-mapping-size',
    area: 'dma',
    summary: 'dma_max_mapping_size / swiotlb_max_mapping_size exist (v5.4: 256 KiB only when swiotlb is active and the device is addressing-limited or bouncing is forced)',
    choices: ['absent', 'conditional', 'unconditional'],
    v50: 'absent',
    v54: 'conditional',
    source: 'kernel/dma/direct.c: dma_direct_max_mapping_size',
  },
  {
    id: 'virtio-blk-max-segment',
    area: 'devices/virtio-blk',
    summary: 'virtio-blk caps its segment size with virtio_max_dma_size (v5.4) or leaves it unlimited (v5.0)',
    choices: ['unlimited', 'virtio_max_dma_size'],
    v50: 'unlimited',
    v54: 'virtio_max_dma_size',
    source: 'drivers/block/virtio_blk.c: virtblk_probe',
  },
  {
    id: 'amd-v2-clear-flush-young',
    area: 'iommu/amd',
    summary: 'AMD IOMMUv2 registers clear_flush_young (flushes IOTLB+ATC per aged page) in v5.0; removed by v5.4',
    choices: ['present', 'absent'],
    v50: 'present',
    v54: 'absent',
    source: 'drivers/iommu/amd_iommu_v2.c: mn_clear_flush_young',
  },
  {
    id: 'intel-svm-change-pte',
    area: 'iommu/intel',
    summary: 'Intel SVM registers change_pte (one-page flush) in v5.0; removed by v5.4 as redundant with invalidate_range',
    choices: ['present', 'absent'],
    v50: 'present',
    v54: 'absent',
    source: 'drivers/iommu/intel-svm.c: intel_change_pte',
  },
  {
    id: 'intel-map-resource',
    area: 'iommu/intel',
    summary: 'intel_dma_ops has map_resource (v5.4) or falls back to returning the physical address (v5.0)',
    choices: ['absent', 'present'],
    v50: 'absent',
    v54: 'present',
    source: 'drivers/iommu/intel-iommu.c: intel_map_resource (21d5d27c042d)',
  },
  {
    id: 'p2pdma-whitelist',
    area: 'pci/p2pdma',
    summary: 'P2PDMA through the host bridge: v5.0 rejects devices without a common upstream bridge; v5.4 allows whitelisted host bridges',
    choices: ['no-host-bridge', 'whitelist'],
    v50: 'no-host-bridge',
    v54: 'whitelist',
    source: 'drivers/pci/p2pdma.c: upstream_bridge_distance',
  },
];

export function behaviourById(id: string): Behaviour | undefined {
  return BEHAVIOURS.find((b) => b.id === id);
}

/** The choice in force for a kernel, honouring a scenario's named overrides. */
export function behaviourChoice(kernel: KernelVersion, overrides: Readonly<Record<string, string>>, id: string): string {
  const b = behaviourById(id);
  if (!b) throw new Error(`unknown kernel behaviour "${id}"`);
  return overrides[id] ?? (kernel === 'v5.0' ? b.v50 : b.v54);
}
