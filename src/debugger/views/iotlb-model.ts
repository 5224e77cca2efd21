/**
 * View model of the IOTLB panel: cached translations of each IOMMU (IOTLB) and of each
 * ATS-capable device (device IOTLB / ATC), with entries a checker found stale.
 *
 * Wiring (lead, at merge): the debugger lists each iommu model's IOTLB entries and each
 * device's ATC entries; `stale` comes from the stale-tlb checker's state.
 */
export interface TlbEntryView {
  readonly iova: number;
  readonly pa: number;
  readonly size: number;
  /** IOTLB: the leaf PTE word the entry was filled from. */
  readonly pte?: number;
  /** Device IOTLB: the translation allows writes. */
  readonly write?: boolean;
  /** AMD IOTLB: false when the translation does not allow reads (IR clear). */
  readonly read?: boolean;
  readonly domain?: number;
  readonly pasid?: number;
  readonly stale?: boolean;
}

export interface TlbView {
  /** "mmu0 IOTLB", "nvme0 ATC". */
  readonly name: string;
  readonly kind: 'iotlb' | 'device-iotlb';
  readonly capacity: number;
  readonly entries: readonly TlbEntryView[];
}

export interface IotlbView {
  readonly tlbs: readonly TlbView[];
}
