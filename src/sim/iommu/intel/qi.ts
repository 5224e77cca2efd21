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
const VTD_PAGE_MASK = ~0xfffn;

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

