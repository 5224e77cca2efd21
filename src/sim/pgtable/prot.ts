/**
 * IOMMU mapping permissions (include/linux/iommu.h, identical in v5.0 and v5.4). Every
 * page-table format and IOMMU driver takes `prot` as an OR of these.
 */
export const IOMMU_READ = 1 << 0;
export const IOMMU_WRITE = 1 << 1;
export const IOMMU_CACHE = 1 << 2; // DMA cache coherency
export const IOMMU_NOEXEC = 1 << 3;
export const IOMMU_MMIO = 1 << 4; // e.g. things like MSI doorbells
export const IOMMU_PRIV = 1 << 5; // privileged (supervisor) access only

const PROT_NAMES: readonly [number, string][] = [
  [IOMMU_READ, 'R'],
  [IOMMU_WRITE, 'W'],
  [IOMMU_CACHE, 'CACHE'],
  [IOMMU_NOEXEC, 'NOEXEC'],
  [IOMMU_MMIO, 'MMIO'],
  [IOMMU_PRIV, 'PRIV'],
];

/** "R|W|NOEXEC" for the trace and panels; "0" when nothing is set. */
export function protString(prot: number): string {
  const parts = PROT_NAMES.filter(([bit]) => prot & bit).map(([, name]) => name);
  return parts.length ? parts.join('|') : '0';
}
