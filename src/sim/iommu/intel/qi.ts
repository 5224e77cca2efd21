/**
 * VT-d queued-invalidation descriptors for PASID flushes (include/linux/intel-iommu.h,
 * v5.0): PASID-based IOTLB invalidation (QI_EIOTLB_TYPE 0x6) and PASID-based device-IOTLB
 * invalidation (QI_DEIOTLB_TYPE 0x8), as intel_flush_svm_range_dev builds them.
 */
import { assert } from '../../core/assert.ts';

export const QI_EIOTLB_TYPE = 0x6n;
export const QI_DEIOTLB_TYPE = 0x8n;
export const QI_GRAN_ALL_ALL = 0n;
export const QI_GRAN_NONG_PASID = 2n;
export const QI_GRAN_PSI_PASID = 3n;
export const QI_DEV_EIOTLB_SIZE = 1n << 11n;
const VTD_PAGE_MASK = ((1n << 64n) - 1n) & ~0xfffn;

export interface QiDesc {
  readonly qw0: bigint;
  readonly qw1: bigint;
}

const ilog2 = (x: number): number => 31 - Math.clz32(x);
const roundupPow2 = (x: number): number => 2 ** Math.ceil(Math.log2(x));
const rounddownPow2 = (x: bigint): bigint => {
  let p = 1n;
  while (p * 2n <= x) p *= 2n;
  return p;
};

/** pages === -1: the whole PASID (NONG_PASID; ALL_ALL for a kernel "global" mm). */
export function qiEiotlb(a: { pasid: number; did: number; address: number; pages: number; ih: number; gl: number }): QiDesc {
  const head = (BigInt(a.pasid) << 32n) | (BigInt(a.did & 0xffff) << 16n);
  if (a.pages === -1) {
    const gran = a.gl ? QI_GRAN_ALL_ALL : QI_GRAN_NONG_PASID;
    return { qw0: head | (gran << 4n) | QI_EIOTLB_TYPE, qw1: 0n };
  }
  assert(a.pages >= 1, 'PSI flush of no pages');
  const am = BigInt(ilog2(roundupPow2(a.pages)));
  const qw1 = (BigInt(a.address) & VTD_PAGE_MASK) | (BigInt(a.gl) << 7n) | (BigInt(a.ih) << 6n) | am;
  return { qw0: head | (QI_GRAN_PSI_PASID << 4n) | QI_EIOTLB_TYPE, qw1 };
}

/** The device-IOTLB descriptor; more than one page uses the ATS size encoding with S. */
export function qiDevEiotlb(a: { pasid: number; sid: number; qdep: number; address: number; pages: number }): QiDesc {
  const qw0 = (BigInt(a.pasid) << 32n) | (BigInt(a.sid & 0xffff) << 16n) | (BigInt(a.qdep & 0x1f) << 4n) | QI_DEIOTLB_TYPE;
  if (a.pages === -1) return { qw0, qw1: (((1n << 64n) - 1n) >> 1n) & VTD_PAGE_MASK | QI_DEV_EIOTLB_SIZE };
  if (a.pages === 1) return { qw0, qw1: BigInt(a.address) & VTD_PAGE_MASK };
  const address = BigInt(a.address);
  const last = address + (BigInt(a.pages - 1) << 12n);
  const mask = rounddownPow2(address ^ last);
  return { qw0, qw1: (((address & ~mask) | (mask - 1n)) & VTD_PAGE_MASK) | QI_DEV_EIOTLB_SIZE };
}


// ---- the descriptors of the DMA-remapping driver (dmar.c, intel-pasid.c, v5.0.1 = v5.4.1) ----

export const QI_CC_TYPE = 0x1n;
export const QI_IOTLB_TYPE = 0x2n;
export const QI_DIOTLB_TYPE = 0x3n;
export const QI_IEC_TYPE = 0x4n;
export const QI_IWD_TYPE = 0x5n;
export const QI_PC_TYPE = 0x7n;
export const QI_LENGTH = 256;
export const QI_FREE = 0;
export const QI_IN_USE = 1;
export const QI_DONE = 2;
export const QI_ABORT = 3;
/** QI_IWD_STATUS_WRITE: the wait descriptor writes its status data to qw1. */
export const QI_IWD_STATUS_WRITE = 1n << 5n;
export const QI_DEV_IOTLB_MAX_INVS = 32;

/** Granularities as the register forms encode them (DMA_TLB_* >> 60, DMA_CCMD_* >> 61). */
export type IotlbGran = 'global' | 'dsi' | 'psi';
const IOTLB_GRAN: Record<IotlbGran, bigint> = { global: 1n, dsi: 2n, psi: 3n };
export type CcGran = 'global' | 'domain' | 'device';
const CC_GRAN: Record<CcGran, bigint> = { global: 1n, domain: 2n, device: 3n };

/** qi_flush_context: FM << 48 | SID << 32 | DID << 16 | QI_CC_GRAN(type) | QI_CC_TYPE. */
export function qiContextDesc(a: { did: number; sid: number; fm: number; gran: CcGran }): QiDesc {
  const qw0 = (BigInt(a.fm & 3) << 48n) | (BigInt(a.sid & 0xffff) << 32n) | (BigInt(a.did & 0xffff) << 16n) | (CC_GRAN[a.gran] << 4n) | QI_CC_TYPE;
  return { qw0, qw1: 0n };
}

/**
 * qi_flush_iotlb: DID << 16 | DR << 7 | DW << 6 | QI_IOTLB_GRAN(type) | QI_IOTLB_TYPE, then
 * QI_IOTLB_ADDR(addr) | QI_IOTLB_IH(0) | AM. The IH the caller ORed into `addr` (bit 6) is
 * masked off by QI_IOTLB_ADDR: the queued form never carries it.
 */
export function qiIotlbDesc(a: { did: number; addr: number; am: number; gran: IotlbGran; dw: boolean; dr: boolean }): QiDesc {
  const qw0 = (BigInt(a.did & 0xffff) << 16n) | (BigInt(a.dr ? 1 : 0) << 7n) | (BigInt(a.dw ? 1 : 0) << 6n) | (IOTLB_GRAN[a.gran] << 4n) | QI_IOTLB_TYPE;
  return { qw0, qw1: (BigInt(a.addr) & VTD_PAGE_MASK) | BigInt(a.am & 0xff) };
}

/** qi_flush_dev_iotlb: SID << 32 | QDEP << 16 | QI_DIOTLB_TYPE | PFSID bits; a mask sets the ATS size form. */
export function qiDevIotlbDesc(a: { sid: number; pfsid: number; qdep: number; addr: number; mask: number; v54: boolean }): QiDesc {
  let addr = BigInt(a.addr);
  let qw1: bigint;
  if (a.mask) {
    addr |= (1n << BigInt(12 + a.mask - 1)) - 1n;
    qw1 = (addr & VTD_PAGE_MASK) | 1n;
  } else qw1 = addr & VTD_PAGE_MASK;
  const qdep = a.qdep >= QI_DEV_IOTLB_MAX_INVS ? 0 : a.qdep;
  // QI_DEV_IOTLB_PFSID: v5.0 takes pfsid & 0xfff for bits 63:52, v5.4 (pfsid >> 4) & 0xfff.
  const pf = (BigInt(a.pfsid & 0xf) << 12n) | (BigInt(a.v54 ? (a.pfsid >> 4) & 0xfff : a.pfsid & 0xfff) << 52n);
  const qw0 = (BigInt(a.sid & 0xffff) << 32n) | BigInt((qdep & 0x1f) << 16) | QI_DIOTLB_TYPE | pf;
  return { qw0, qw1 };
}

/** pasid_cache_invalidation_with_pasid: QI_PC_DID(did) | QI_PC_PASID_SEL | QI_PC_PASID(pasid). */
export function qiPasidCacheDesc(a: { did: number; pasid: number }): QiDesc {
  return { qw0: (BigInt(a.did & 0xffff) << 16n) | QI_PC_TYPE | (1n << 4n) | (BigInt(a.pasid) << 32n), qw1: 0n };
}

/** iotlb_invalidation_with_pasid: PASID << 32 | DID << 16 | NONG_PASID << 4 | QI_EIOTLB_TYPE. */
export function qiPasidIotlbDesc(a: { did: number; pasid: number }): QiDesc {
  return { qw0: (BigInt(a.pasid) << 32n) | (BigInt(a.did & 0xffff) << 16n) | (QI_GRAN_NONG_PASID << 4n) | QI_EIOTLB_TYPE, qw1: 0n };
}

/** The wait descriptor qi_submit_sync puts after each one: write QI_DONE to the status word. */
export function qiWaitDesc(statusPa: number): QiDesc {
  return { qw0: (BigInt(QI_DONE) << 32n) | QI_IWD_STATUS_WRITE | QI_IWD_TYPE, qw1: BigInt(statusPa) };
}

/** The `qi` record's name of a descriptor type (QI_*_TYPE, bits 3:0 of qw0). */
export function qiTypeName(qw0: bigint): 'cc' | 'iotlb' | 'dev-iotlb' | 'iec' | 'wait' | 'p-iotlb' | 'pc' | 'dev-p-iotlb' {
  const names = ['cc', 'iotlb', 'dev-iotlb', 'iec', 'wait', 'p-iotlb', 'pc', 'dev-p-iotlb'] as const;
  return names[Number(qw0 & 0xfn) - 1] ?? 'iec';
}
