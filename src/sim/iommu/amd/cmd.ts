/**
 * AMD IOMMU command-buffer entries as drivers/iommu/amd_iommu.c builds them (v5.0.1 =
 * v5.4.1): four u32 words; the opcode in bits 31:28 of word 1 (CMD_SET_TYPE); S (bit 0),
 * PDE (bit 1) and GN (bit 2) in word 2. Pure functions of their arguments.
 */
import {
  ALL_PAGES_HI,
  ALL_PAGES_LO,
  CMD_COMPL_WAIT,
  CMD_COMPL_WAIT_STORE_MASK,
  CMD_INV_ALL,
  CMD_INV_DEV_ENTRY,
  CMD_INV_IOMMU_PAGES,
  CMD_INV_IOMMU_PAGES_GN_MASK,
  CMD_INV_IOMMU_PAGES_PDE_MASK,
  CMD_INV_IOMMU_PAGES_SIZE_MASK,
  CMD_INV_IOTLB_PAGES,
} from './defs.ts';
import { hi32, lo32 } from './words.ts';

export { CMD_INV_IOMMU_PAGES, CMD_INV_IOTLB_PAGES };
/** "Flush everything" address with S set (CMD_INV_IOMMU_ALL_PAGES_ADDRESS & PAGE_MASK). */
export const CMD_INV_IOMMU_ALL_PAGES_ADDRESS = 0x7fff_ffff_ffff_f000n;

export type CmdWords = [number, number, number, number];

const type = (t: number): number => (t << 28) >>> 0;

/** A size meaning "everything": CMD_INV_IOMMU_ALL_PAGES_ADDRESS (domain_flush_tlb) or ~0UL (device_flush_dte). */
export const ALL = 'all';

/** iommu_num_pages(addr, len, PAGE_SIZE) (include/linux/iommu-helper.h). */
export function iommuNumPages(addr: number, len: number): number {
  return Math.ceil(((addr % 4096) + len) / 4096);
}

/** The address words of a page or "all pages" flush, and whether S is set (more than one page). */
function flushAddress(address: number, size: number | typeof ALL): { lo: number; hi: number; s: boolean } {
  const pages = size === ALL ? Infinity : iommuNumPages(address, size);
  // build_inv_iommu_pages: "If we have to flush more than one page, flush all TLB entries for this domain".
  if (pages > 1) return { lo: ALL_PAGES_LO, hi: ALL_PAGES_HI, s: true };
  return { lo: lo32(address) & 0xffff_f000, hi: hi32(address), s: false };
}

/** build_inv_iommu_pages(cmd, address, size, domid, pde). */
export function buildInvIommuPages(address: number, size: number | typeof ALL, domid: number, pde: boolean): CmdWords {
  const a = flushAddress(address, size);
  let w2 = a.lo;
  if (a.s) w2 |= CMD_INV_IOMMU_PAGES_SIZE_MASK;
  if (pde) w2 |= CMD_INV_IOMMU_PAGES_PDE_MASK;
  return [0, (domid | type(CMD_INV_IOMMU_PAGES)) >>> 0, w2 >>> 0, a.hi];
}

/** build_inv_iotlb_pages(cmd, devid, qdep, address, size). */
export function buildInvIotlbPages(devid: number, qdep: number, address: number, size: number | typeof ALL): CmdWords {
  const a = flushAddress(address, size);
  let w2 = a.lo;
  if (a.s) w2 |= CMD_INV_IOMMU_PAGES_SIZE_MASK;
  return [(devid | ((qdep & 0xff) << 24)) >>> 0, (devid | type(CMD_INV_IOTLB_PAGES)) >>> 0, w2 >>> 0, a.hi];
}

/** build_completion_wait(cmd, &iommu->cmd_sem): store 1 at the semaphore's PA. */
export function buildCompletionWait(semPa: number): CmdWords {
  return [(lo32(semPa) | CMD_COMPL_WAIT_STORE_MASK) >>> 0, (hi32(semPa) | type(CMD_COMPL_WAIT)) >>> 0, 1, 0];
}

/** build_inv_dte(cmd, devid). */
export function buildInvDte(devid: number): CmdWords {
  return [devid, type(CMD_INV_DEV_ENTRY), 0, 0];
}

/** build_inv_all(cmd). */
export function buildInvAll(): CmdWords {
  return [0, type(CMD_INV_ALL), 0, 0];
}

const lo32b = (a: bigint): number => Number(a & 0xffff_ffffn);
const hi32b = (a: bigint): number => Number((a >> 32n) & 0xffff_ffffn);

/** build_inv_iommu_pasid: INVALIDATE_IOMMU_PAGES with PASID, domain id, GN and PDE. */
export function buildInvIommuPasid(a: { domid: number; pasid: number; address: bigint; s: boolean }): number[] {
  const address = a.address & ~0xfffn;
  let w2 = lo32b(address) | CMD_INV_IOMMU_PAGES_PDE_MASK | CMD_INV_IOMMU_PAGES_GN_MASK;
  if (a.s) w2 |= CMD_INV_IOMMU_PAGES_SIZE_MASK;
  return [a.pasid, (a.domid | type(CMD_INV_IOMMU_PAGES)) >>> 0, w2 >>> 0, hi32b(address)];
}

/** build_inv_iotlb_pasid: INVALIDATE_IOTLB_PAGES with devid, PASID split over two words, qdep. */
export function buildInvIotlbPasid(a: { devid: number; pasid: number; qdep: number; address: bigint; s: boolean }): number[] {
  const address = a.address & ~0xfffn;
  const w0 = a.devid | (((a.pasid >> 8) & 0xff) << 16) | ((a.qdep & 0xff) << 24);
  const w1 = a.devid | ((a.pasid & 0xff) << 16) | type(CMD_INV_IOTLB_PAGES);
  let w2 = lo32b(address) | CMD_INV_IOMMU_PAGES_GN_MASK;
  if (a.s) w2 |= CMD_INV_IOMMU_PAGES_SIZE_MASK;
  return [w0 >>> 0, w1 >>> 0, w2 >>> 0, hi32b(address)];
}
