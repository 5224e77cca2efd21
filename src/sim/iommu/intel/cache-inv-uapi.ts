/**
 * The cache_invalidate UAPI as plain functions: struct iommu_cache_invalidate_info
 * (include/uapi/linux/iommu.h, v5.8 layout plus v5.10's argsz), the generic validity table
 * (Documentation/userspace-api/iommu.rst; enforced from v5.10 by iommu.c
 * iommu_check_cache_invl_data), Intel's subset (intel/iommu.c inv_type_granu_table),
 * to_vtd_size and the ADDR alignment rule, and the QI descriptors the host submits
 * (dmar.c qi_flush_piotlb, qi_flush_dev_iotlb_pasid). Nothing here touches a Machine:
 * intel_iommu_sva_invalidate (vsva.ts) runs these and submits what `intelSvaInvalidate`
 * returns.
 */
import { type QiDesc, QI_DEIOTLB_TYPE, QI_DEV_EIOTLB_SIZE, QI_EIOTLB_TYPE, QI_GRAN_NONG_PASID, QI_GRAN_PSI_PASID } from './qi.ts';

/** The three cache types (bits of `cache`) and granularities, in the UAPI's order. */
export const CACHE_TYPES = ['iotlb', 'dev-iotlb', 'pasid'] as const;
export type CacheType = (typeof CACHE_TYPES)[number];
export const GRANULARITIES = ['domain', 'pasid', 'addr'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
/** IOMMU_INV_ADDR_FLAGS_* (PASID bit0, ARCHID bit1, LEAF bit2); pasid_info has PASID and ARCHID only. */
export const ADDR_FLAGS = ['pasid', 'archid', 'leaf'] as const;
export type InvFlag = (typeof ADDR_FLAGS)[number];

export const IOMMU_CACHE_INVALIDATE_INFO_VERSION_1 = 1;
const EINVAL = -22;
const ERANGE = -34;
const VTD_PAGE_SHIFT = 12;

/** struct iommu_cache_invalidate_info, field by field (union members both present; the kernel reads the one the granularity names). */
export interface CacheInvalidateInfo {
  /** v5.10: the size of the structure the user filled (absent in v5.8's layout). */
  argsz?: number;
  version: number;
  /** Bits of IOMMU_CACHE_INV_TYPE_*: bit 0 IOTLB, 1 DEV_IOTLB, 2 PASID; higher bits are invalid. */
  cache: number;
  /** enum iommu_inv_granularity: 0 DOMAIN, 1 PASID, 2 ADDR; >= 3 invalid. */
  granularity: number;
  /** u8 padding[]: must be zero (v5.10). */
  padding: number;
  /** pasid_info / addr_info flags (bits as ADDR_FLAGS). */
  flags: number;
  archid: number;
  pasid: number;
  addr: number;
  granuleSize: number;
  nbGranules: number;
}

export const cacheBits = (types: readonly CacheType[]): number => types.reduce((b, t) => b | (1 << CACHE_TYPES.indexOf(t)), 0);
export const flagBits = (flags: readonly InvFlag[]): number => flags.reduce((b, f) => b | (1 << ADDR_FLAGS.indexOf(f)), 0);

/** The generic UAPI validity table: DOMAIN with DEV_IOTLB and ADDR with the PASID cache are N/A. */
export function uapiValid(cache: CacheType, granu: Granularity): boolean {
  if (granu === 'domain') return cache !== 'dev-iotlb';
  if (granu === 'addr') return cache !== 'pasid';
  return true;
}

/**
 * inv_type_granu_table (intel/iommu.c, v5.8 and v5.10 alike): the VT-d granularity a
 * (cache, granularity) pair becomes, or -EINVAL. IOTLB: PASID -> QI_GRAN_NONG_PASID, ADDR ->
 * QI_GRAN_PSI_PASID; DEV_IOTLB: ADDR only (QI_DEV_IOTLB_GRAN_PASID_SEL, 0); PASID cache: none
 * (the host owns PASID entries).
 */
export function toVtdGranularity(cache: CacheType, granu: Granularity): number {
  if (cache === 'iotlb') return granu === 'pasid' ? Number(QI_GRAN_NONG_PASID) : granu === 'addr' ? Number(QI_GRAN_PSI_PASID) : EINVAL;
  if (cache === 'dev-iotlb') return granu === 'addr' ? 0 : EINVAL;
  return EINVAL;
}

/** order_base_2(n): ceil(log2 n), 0 for n <= 1 (include/linux/log2.h). */
export function orderBase2(n: number): number {
  if (n <= 1) return 0;
  let o = 0;
  while (2 ** o < n) o++;
  return o;
}

/** to_vtd_size: order_base_2((granule_size * nb_granules) >> VTD_PAGE_SHIFT), the size as 2^order 4 KiB pages. */
export function toVtdSize(granuleSize: number, nbGranules: number): number {
  return orderBase2(Math.floor((granuleSize * nbGranules) / 2 ** VTD_PAGE_SHIFT));
}

/** The ADDR check of the IOTLB case: order > 0 and addr not aligned to 2^(12 + order). */
export function addrMisaligned(addr: number, order: number): boolean {
  return order > 0 && addr % 2 ** (VTD_PAGE_SHIFT + order) !== 0;
}

/**
 * iommu_check_cache_invl_data (v5.10 iommu.c): version 1, no unknown cache bits, a known
 * granularity, no PASID cache with ADDR, no DEV_IOTLB with DOMAIN, no unknown flag for the
 * granularity, zero padding. 0 or -EINVAL with why.
 */
export function checkCacheInvlData(info: CacheInvalidateInfo): { errno: number; why?: string } {
  if (info.version !== IOMMU_CACHE_INVALIDATE_INFO_VERSION_1) return { errno: EINVAL, why: `version ${info.version} is not IOMMU_CACHE_INVALIDATE_INFO_VERSION_1` };
  if (info.cache & ~0x7) return { errno: EINVAL, why: `cache bits 0x${info.cache.toString(16)} outside IOTLB|DEV_IOTLB|PASID` };
  if (info.granularity >= GRANULARITIES.length) return { errno: EINVAL, why: `granularity ${info.granularity} >= IOMMU_INV_GRANU_NR` };
  const g = GRANULARITIES[info.granularity];
  if (g === 'addr') {
    if (info.cache & 0x4) return { errno: EINVAL, why: 'ADDR granularity with the PASID cache (N/A in the validity table)' };
    if (info.flags & ~0x7) return { errno: EINVAL, why: `addr_info flags 0x${info.flags.toString(16)} outside PASID|ARCHID|LEAF` };
  } else if (g === 'pasid') {
    if (info.flags & ~0x3) return { errno: EINVAL, why: `pasid_info flags 0x${info.flags.toString(16)} outside PASID|ARCHID` };
  } else if (info.cache & 0x2) return { errno: EINVAL, why: 'DOMAIN granularity with DEV_IOTLB (N/A in the validity table)' };
  if (info.padding) return { errno: EINVAL, why: 'non-zero padding' };
  return { errno: 0 };
}

/**
 * v5.10's layout: u32 argsz, u32 version, u8 cache, u8 granularity, u8 padding[6], then the
 * union at offset 16 (pasid_info 16 bytes, addr_info 40): offsetof(granu) = 16,
 * offsetofend(granu.pasid_info) = 32, offsetofend(granu.addr_info) = sizeof = 56.
 */
export const INV_INFO_MINSZ = 16;
export const INV_INFO_PASID_END = 32;
export const INV_INFO_SIZE = 56;

/**
 * iommu_uapi_cache_invalidate's argsz checks (v5.10 iommu.c), before it copies the rest:
 * the fields before the union are mandatory, PASID and ADDR need their union member whole.
 */
export function checkArgsz(info: CacheInvalidateInfo): { errno: number; why?: string } {
  const argsz = info.argsz ?? INV_INFO_SIZE;
  if (argsz < INV_INFO_MINSZ) return { errno: EINVAL, why: `argsz ${argsz} < ${INV_INFO_MINSZ} (offsetof granu: the fields before the union are mandatory)` };
  if (info.granularity === 1 && argsz < INV_INFO_PASID_END) return { errno: EINVAL, why: `argsz ${argsz} < ${INV_INFO_PASID_END} (PASID granularity needs all of pasid_info)` };
  if (info.granularity === 2 && argsz < INV_INFO_SIZE) return { errno: EINVAL, why: `argsz ${argsz} < ${INV_INFO_SIZE} (ADDR granularity needs all of addr_info)` };
  return { errno: 0 };
}

/** What the host does for one request: descriptors in order, klog lines, the return value. */
export interface SvaInvalidateResult {
  ret: number;
  descs: { desc: QiDesc; fn: 'qi_flush_piotlb' | 'qi_flush_dev_iotlb_pasid'; cache: CacheType }[];
  klog: { level: 'err' | 'warning'; text: string }[];
  /** Which check refused it (ret < 0), or which pair was skipped (ret 0). */
  rejected?: { check: 'argsz' | 'iommu_check_cache_invl_data' | 'version' | 'inv_type_granu_table' | 'alignment'; cache?: CacheType; why: string };
  /** to_vtd_size's order (ADDR granularity). */
  order: number;
}

/** The device and domain side of intel_iommu_sva_invalidate: DID, source id, ATS. */
export interface SvaInvalidateTarget {
  did: number;
  sid: number;
  pfsid: number;
  qdep: number;
  ats: boolean;
}

const U64 = (1n << 64n) - 1n;
const VTD_PAGE_MASK = U64 & ~0xfffn;

/** qi_flush_piotlb(iommu, did, pasid, addr, npages, ih): npages -1 is NONG_PASID, else PSI with AM = ilog2(roundup_pow_of_two(npages)). */
export function qiFlushPiotlbDesc(did: number, pasid: number, addr: number, npages: number, ih: boolean): QiDesc {
  const head = (BigInt(pasid) << 32n) | (BigInt(did & 0xffff) << 16n) | QI_EIOTLB_TYPE;
  if (npages === -1) return { qw0: head | (QI_GRAN_NONG_PASID << 4n), qw1: 0n };
  const mask = orderBase2(npages);
  let a = BigInt(addr);
  const align = 1n << BigInt(VTD_PAGE_SHIFT + mask);
  if (a % align !== 0n) a &= ~(align - 1n); // WARN_ON_ONCE(!IS_ALIGNED(addr, align)): addr &= ~(align - 1)
  return { qw0: head | (QI_GRAN_PSI_PASID << 4n), qw1: (a & VTD_PAGE_MASK) | (BigInt(ih ? 1 : 0) << 6n) | BigInt(mask) };
}

/** QI_DEV_IOTLB_PFSID(pfsid): bits 15:12 and 63:52 of qw0. */
const pfsidBits = (pfsid: number): bigint => (BigInt(pfsid & 0xf) << 12n) | (BigInt(pfsid & 0xfff0) << 48n);

/**
 * qi_flush_dev_iotlb_pasid. v5.8: qw1 = GLOB(granu & 1) | addr & ~(1 << (12 + order - 1)),
 * S when order > 0 — only one address bit is cleared and none set, so an aligned range of
 * 2^order pages (order >= 2) encodes as 8 KiB. v5.10 ("iommu/vt-d: Fix PASID devTLB
 * invalidation"; granu argument gone, G = 0): the bits 12 .. 12+order-2 are set and bit
 * 12+order-1 cleared, the ATS encoding of 2^order pages. Its "Invalidate non-aligned
 * address" warning is modelled with v5.10 stable's IS_ALIGNED test (v5.10.0 tested
 * GENMASK(order + 12, 0) and also warned for aligned addresses with bit 12+order set).
 */
export function qiFlushDevIotlbPasidDesc(gen: 'v5.8' | 'v5.10', a: { sid: number; pfsid: number; pasid: number; qdep: number; addr: number; order: number; granu: number }): QiDesc {
  const qw0 = (BigInt(a.pasid) << 32n) | (BigInt(a.sid & 0xffff) << 16n) | (BigInt(a.qdep & 0x1f) << 4n) | QI_DEIOTLB_TYPE | pfsidBits(a.pfsid);
  const addr = BigInt(a.addr) & U64;
  // 1UL << (VTD_PAGE_SHIFT + size_order - 1): bit 11 (the S bit's place) for order 0.
  const mask = 1n << BigInt(VTD_PAGE_SHIFT + a.order - 1);
  if (gen === 'v5.8') {
    let qw1 = BigInt(a.granu & 1) | (addr & ~mask);
    if (a.order) qw1 |= QI_DEV_EIOTLB_SIZE;
    return { qw0, qw1: qw1 & U64 }; // an order past 52 shifts beyond the word (undefined in C): keep 64 bits
  }
  let qw1 = addr & VTD_PAGE_MASK;
  if (a.order) {
    // GENMASK_ULL(size_order + VTD_PAGE_SHIFT - 1, VTD_PAGE_SHIFT), then the top one cleared.
    qw1 |= ((1n << BigInt(a.order)) - 1n) << BigInt(VTD_PAGE_SHIFT);
    qw1 &= ~mask;
    qw1 |= QI_DEV_EIOTLB_SIZE;
  }
  return { qw0, qw1: qw1 & U64 };
}

/**
 * iommu_uapi_cache_invalidate (v5.10: argsz, then the generic check) then
 * intel_iommu_sva_invalidate, for a device in a nesting domain. Per set cache bit, lowest
 * first: a pair outside inv_type_granu_table is logged and ends the loop with 0 returned;
 * IOTLB with ADDR and a misaligned address is -ERANGE on v5.8 (logged only on v5.10);
 * IOTLB then flushes the device TLB too when ATS is on; DEV_IOTLB without ATS only warns.
 */
export function intelSvaInvalidate(gen: 'v5.8' | 'v5.10', info: CacheInvalidateInfo, t: SvaInvalidateTarget): SvaInvalidateResult {
  const out: SvaInvalidateResult = { ret: 0, descs: [], klog: [], order: 0 };
  if (gen === 'v5.10') {
    const a = checkArgsz(info);
    if (a.errno) return { ...out, ret: a.errno, rejected: { check: 'argsz', why: a.why! } };
    const c = checkCacheInvlData(info);
    if (c.errno) return { ...out, ret: c.errno, rejected: { check: 'iommu_check_cache_invl_data', why: c.why! } };
  } else {
    if (info.version !== IOMMU_CACHE_INVALIDATE_INFO_VERSION_1) return { ...out, ret: EINVAL, rejected: { check: 'version', why: `version ${info.version} is not IOMMU_CACHE_INVALIDATE_INFO_VERSION_1` } };
    // v5.8 indexes inv_type_granu_table with the user's granularity unchecked; refuse it here instead of reading past the table.
    if (info.granularity >= GRANULARITIES.length) return { ...out, ret: EINVAL, rejected: { check: 'inv_type_granu_table', why: `granularity ${info.granularity} is outside inv_type_granu_table (v5.8 reads past it)` } };
  }
  const g = GRANULARITIES[info.granularity];
  // v5.8: "Size is only valid in address selective invalidation", computed unless PASID; v5.10: only for ADDR.
  const order = (gen === 'v5.8' ? g !== 'pasid' : g === 'addr') ? toVtdSize(info.granuleSize, info.nbGranules) : 0;
  out.order = order;
  const pasidFlag = (info.flags & 1) !== 0;
  const pasid = (g === 'pasid' || g === 'addr') && pasidFlag ? info.pasid : 0;
  // In v5.8's union the PASID granularity's addr_info.addr overlays past pasid_info: zero.
  const addrOf = () => (g === 'addr' ? info.addr : 0);
  for (let bit = 0; bit < CACHE_TYPES.length; bit++) {
    if (!(info.cache & (1 << bit))) continue;
    const cache = CACHE_TYPES[bit];
    const granu = toVtdGranularity(cache, g);
    if (granu === EINVAL) {
      const text = `Invalid cache type and granu combination ${bit}/${info.granularity}`;
      out.klog.push({ level: 'err', text });
      out.rejected = { check: 'inv_type_granu_table', cache, why: `${cache} with ${g} granularity is not in inv_type_granu_table` };
      break;
    }
    let devFlush = cache === 'dev-iotlb';
    if (cache === 'iotlb') {
      if (g === 'addr' && addrMisaligned(info.addr, order)) {
        const text = gen === 'v5.8' ? `Address out of range, 0x${info.addr.toString(16)}, size order ${order}` : `User address not aligned, 0x${info.addr.toString(16)}, size order ${order}`;
        out.klog.push({ level: 'err', text });
        if (gen === 'v5.8') return { ...out, ret: ERANGE, rejected: { check: 'alignment', cache, why: `ADDR 0x${info.addr.toString(16)} is not aligned to 2^(12 + ${order})` } };
      }
      const npages = granu === Number(QI_GRAN_NONG_PASID) ? -1 : 2 ** order;
      out.descs.push({ fn: 'qi_flush_piotlb', cache, desc: qiFlushPiotlbDesc(t.did, pasid, addrOf(), npages, (info.flags & 4) !== 0) });
      if (!t.ats) continue;
      devFlush = true; // v5.8 calls it here; v5.10 falls through to the DEV_IOTLB case
    }
    if (!devFlush) continue;
    if (!t.ats) {
      out.klog.push({ level: 'warning', text: 'Passdown device IOTLB flush w/o ATS!' });
      continue;
    }
    let addr = addrOf();
    let devOrder = order;
    if (gen === 'v5.10' && g === 'pasid') {
      // PASID-granular device TLB flush: the whole 64-bit range (size 64 - VTD_PAGE_SHIFT, addr 0).
      devOrder = 64 - VTD_PAGE_SHIFT;
      addr = 0;
    }
    if (gen === 'v5.10' && addr % 2 ** (VTD_PAGE_SHIFT + devOrder) !== 0) out.klog.push({ level: 'warning', text: `Invalidate non-aligned address ${addr.toString(16)}, order ${devOrder}` });
    out.descs.push({ fn: 'qi_flush_dev_iotlb_pasid', cache, desc: qiFlushDevIotlbPasidDesc(gen, { sid: t.sid, pfsid: t.pfsid, pasid, qdep: t.qdep, addr, order: devOrder, granu }) });
  }
  return out;
}
