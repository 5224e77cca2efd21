/**
 * AMD IOMMU command-buffer entries for PASID flushes (drivers/iommu/amd_iommu.c,
 * build_inv_iommu_pasid / build_inv_iotlb_pasid, v5.0): four u32 words; the type sits in
 * bits 31:28 of word 1; S (bit 0), PDE (bit 1) and GN (bit 2) in word 2.
 */
export const CMD_INV_IOMMU_PAGES = 0x03;
export const CMD_INV_IOTLB_PAGES = 0x04;
export const CMD_INV_IOMMU_PAGES_SIZE_MASK = 0x01;
export const CMD_INV_IOMMU_PAGES_PDE_MASK = 0x02;
export const CMD_INV_IOMMU_PAGES_GN_MASK = 0x04;
/** "Flush everything" address with S set (CMD_INV_IOMMU_ALL_PAGES_ADDRESS). */
export const CMD_INV_IOMMU_ALL_PAGES_ADDRESS = 0x7fff_ffff_ffff_f000n;

const lo32 = (a: bigint): number => Number(a & 0xffff_ffffn);
const hi32 = (a: bigint): number => Number((a >> 32n) & 0xffff_ffffn);

/** build_inv_iommu_pasid: INVALIDATE_IOMMU_PAGES with PASID, domain id, GN and PDE. */
export function buildInvIommuPasid(a: { domid: number; pasid: number; address: bigint; s: boolean }): number[] {
  const address = a.address & ~0xfffn;
  let w2 = lo32(address) | CMD_INV_IOMMU_PAGES_PDE_MASK | CMD_INV_IOMMU_PAGES_GN_MASK;
  if (a.s) w2 |= CMD_INV_IOMMU_PAGES_SIZE_MASK;
  return [a.pasid, (a.domid | (CMD_INV_IOMMU_PAGES << 28)) >>> 0, w2 >>> 0, hi32(address)];
}

/** build_inv_iotlb_pasid: INVALIDATE_IOTLB_PAGES with devid, PASID split over two words, qdep. */
export function buildInvIotlbPasid(a: { devid: number; pasid: number; qdep: number; address: bigint; s: boolean }): number[] {
  const address = a.address & ~0xfffn;
  const w0 = a.devid | (((a.pasid >> 8) & 0xff) << 16) | ((a.qdep & 0xff) << 24);
  const w1 = a.devid | ((a.pasid & 0xff) << 16) | (CMD_INV_IOTLB_PAGES << 28);
  let w2 = lo32(address) | CMD_INV_IOMMU_PAGES_GN_MASK;
  if (a.s) w2 |= CMD_INV_IOMMU_PAGES_SIZE_MASK;
  return [w0 >>> 0, w1 >>> 0, w2 >>> 0, hi32(address)];
}
