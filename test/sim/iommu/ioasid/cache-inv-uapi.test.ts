// The cache_invalidate UAPI, expectations derived by hand from:
// - Documentation/userspace-api/iommu.rst's validity table, enforced by drivers/iommu/iommu.c
//   iommu_check_cache_invl_data (v5.10);
// - drivers/iommu/intel/iommu.c inv_type_granu_table, to_vtd_size, intel_iommu_sva_invalidate (v5.8, v5.10);
// - drivers/iommu/intel/dmar.c qi_flush_piotlb, qi_flush_dev_iotlb_pasid; include/linux/intel-iommu.h QI_* encodings.
import { describe, expect, it } from 'vitest';
import {
  CACHE_TYPES, type CacheInvalidateInfo, type CacheType, GRANULARITIES, type Granularity, addrMisaligned, cacheBits, checkCacheInvlData,
  intelSvaInvalidate, qiFlushDevIotlbPasidDesc, toVtdGranularity, toVtdSize, uapiValid,
} from '../../../../src/sim/iommu/intel/cache-inv-uapi.ts';
import { atsDecodeRange } from '../../../../src/sim/iommu/ats/atc.ts';
import { runObj } from '../../mm/helpers.ts';

const info = (o: Partial<CacheInvalidateInfo>): CacheInvalidateInfo => ({
  version: 1, cache: 1, granularity: 2, padding: 0, flags: 1, archid: 0, pasid: 5, addr: 0x2000, granuleSize: 4096, nbGranules: 1, ...o,
});
const target = { did: 3, sid: 0x0200, pfsid: 0x0200, qdep: 16, ats: true };

describe('the generic validity table (iommu.rst)', () => {
  // rows: granularity; columns: DEV_IOTLB, IOTLB, PASID cache as the document prints them.
  const table: Record<Granularity, Record<CacheType, boolean>> = {
    domain: { 'dev-iotlb': false, iotlb: true, pasid: true },
    pasid: { 'dev-iotlb': true, iotlb: true, pasid: true },
    addr: { 'dev-iotlb': true, iotlb: true, pasid: false },
  };
  for (const g of GRANULARITIES) {
    for (const c of CACHE_TYPES) {
      it(`${g} x ${c}: ${table[g][c] ? 'Y' : 'N/A'}`, () => {
        expect(uapiValid(c, g)).toBe(table[g][c]);
        // iommu_check_cache_invl_data refuses exactly the N/A cells with -EINVAL.
        const r = checkCacheInvlData(info({ cache: cacheBits([c]), granularity: GRANULARITIES.indexOf(g), flags: 1 }));
        expect(r.errno).toBe(table[g][c] ? 0 : -22);
      });
    }
  }
  it('version, unknown cache bits, granularity >= 3, unknown flags and padding are -EINVAL', () => {
    expect(checkCacheInvlData(info({ version: 2 })).errno).toBe(-22);
    expect(checkCacheInvlData(info({ cache: 0x8 })).errno).toBe(-22);
    expect(checkCacheInvlData(info({ granularity: 3 })).errno).toBe(-22);
    expect(checkCacheInvlData(info({ granularity: 2, flags: 0x8 })).errno).toBe(-22); // ADDR: PASID|ARCHID|LEAF only
    expect(checkCacheInvlData(info({ granularity: 1, flags: 0x4 })).errno).toBe(-22); // PASID: no LEAF
    expect(checkCacheInvlData(info({ granularity: 2, flags: 0x7 })).errno).toBe(0);
    expect(checkCacheInvlData(info({ padding: 1 })).errno).toBe(-22);
  });
});

describe("Intel's subset (inv_type_granu_table)", () => {
  // {-EINVAL, QI_GRAN_NONG_PASID (2), QI_GRAN_PSI_PASID (3)}, {-EINVAL, -EINVAL, QI_DEV_IOTLB_GRAN_PASID_SEL (0)}, {-EINVAL x3}
  const expected: Record<CacheType, Record<Granularity, number>> = {
    iotlb: { domain: -22, pasid: 2, addr: 3 },
    'dev-iotlb': { domain: -22, pasid: -22, addr: 0 },
    pasid: { domain: -22, pasid: -22, addr: -22 },
  };
  for (const c of CACHE_TYPES) for (const g of GRANULARITIES) {
    it(`${c} x ${g} -> ${expected[c][g]}`, () => expect(toVtdGranularity(c, g)).toBe(expected[c][g]));
  }
  it('every pair Intel supports is valid in the generic table (a subset)', () => {
    for (const c of CACHE_TYPES) for (const g of GRANULARITIES) if (toVtdGranularity(c, g) >= 0) expect(uapiValid(c, g)).toBe(true);
  });
});

describe('to_vtd_size and the ADDR alignment rule', () => {
  it('order_base_2((granule_size * nb_granules) >> 12)', () => {
    expect(toVtdSize(4096, 1)).toBe(0);
    expect(toVtdSize(4096, 512)).toBe(9);
    expect(toVtdSize(2 << 20, 1)).toBe(9);
    expect(toVtdSize(4096, 3)).toBe(2); // 3 pages round up to 4
  });
  it('addr & (BIT(12 + order) - 1) must be 0 when order > 0', () => {
    expect(addrMisaligned(0x1000, 1)).toBe(true);
    expect(addrMisaligned(0x2000, 1)).toBe(false);
    expect(addrMisaligned(0x1000, 0)).toBe(false);
  });
  it('v5.8: IOTLB ADDR at 0x1000 with order 1 is -ERANGE and logged; at 0x2000 it is flushed', () => {
    const bad = intelSvaInvalidate('v5.8', info({ addr: 0x1000, nbGranules: 2 }), target);
    expect(bad.ret).toBe(-34);
    expect(bad.klog).toEqual([{ level: 'err', text: 'Address out of range, 0x1000, size order 1' }]);
    expect(bad.descs).toEqual([]);
    const ok = intelSvaInvalidate('v5.8', info({ addr: 0x2000, nbGranules: 2 }), target);
    expect(ok.ret).toBe(0);
    expect(ok.descs.map((d) => d.fn)).toEqual(['qi_flush_piotlb', 'qi_flush_dev_iotlb_pasid']);
  });
  it('v5.10: the misaligned ADDR is only logged and still flushed', () => {
    const r = intelSvaInvalidate('v5.10', info({ addr: 0x1000, nbGranules: 2 }), target);
    expect(r.ret).toBe(0);
    expect(r.klog[0]).toEqual({ level: 'err', text: 'User address not aligned, 0x1000, size order 1' });
  });
});

describe('the host descriptors', () => {
  it('IOTLB ADDR, DID 3, PASID 5, 0x2000, 2 pages, ATS: PASID-IOTLB PSI then dev-IOTLB (v5.8 G = granu & 1)', () => {
    const r = intelSvaInvalidate('v5.8', info({ addr: 0x2000, nbGranules: 2 }), target);
    // qw0 = PASID<<32 | DID<<16 | PSI_PASID(3)<<4 | 6; qw1 = addr | AM(1)
    expect(r.descs[0].desc).toEqual({ qw0: 0x0000000500030036n, qw1: 0x2001n });
    // qw0 = PASID<<32 | SID<<16 | QDEP<<4 | 8 | PFSID (0x200: bits 63:52 get 0x020); qw1 = GLOB(1) | addr & ~(1<<12) | S
    expect(r.descs[1].desc).toEqual({ qw0: 0x0200000502000108n, qw1: 0x2801n });
  });
  it('PASID granularity: NONG_PASID, no address; v5.8 flushes one device-TLB page at 0, v5.10 the whole range', () => {
    const p8 = intelSvaInvalidate('v5.8', info({ granularity: 1 }), target);
    expect(p8.descs[0].desc).toEqual({ qw0: 0x0000000500030026n, qw1: 0n });
    expect(p8.descs[1].desc.qw1).toBe(0n);
    const p10 = intelSvaInvalidate('v5.10', info({ granularity: 1 }), target);
    // GENMASK(63, 12) with bit 63 cleared, S set
    expect(p10.descs[1].desc.qw1).toBe(0x7ffffffffffff800n);
  });
  it('v5.8 encodes an aligned 4-page device-TLB flush as 8 KiB; v5.10 as 16 KiB', () => {
    const a = { sid: 0x200, pfsid: 0x200, pasid: 5, qdep: 16, addr: 0x4000, order: 2, granu: 0 };
    const d8 = qiFlushDevIotlbPasidDesc('v5.8', a);
    const d10 = qiFlushDevIotlbPasidDesc('v5.10', a);
    expect(d8.qw1).toBe(0x4800n);
    expect(d10.qw1).toBe(0x5800n);
    expect(atsDecodeRange(d8.qw1 & ~0xfffn, true)).toEqual({ start: 0x4000n, size: 0x2000n });
    expect(atsDecodeRange(d10.qw1 & ~0xfffn, true)).toEqual({ start: 0x4000n, size: 0x4000n });
  });
  it('an invalid pair is logged and ends the loop with 0 on v5.8; -EINVAL before the driver on v5.10', () => {
    // IOTLB|PASID-cache with PASID granularity: IOTLB flushed, then "Invalid ... 2/1" and stop.
    const r8 = intelSvaInvalidate('v5.8', info({ cache: 0b101, granularity: 1 }), { ...target, ats: false });
    expect(r8.ret).toBe(0);
    expect(r8.descs.map((d) => d.cache)).toEqual(['iotlb']);
    expect(r8.klog).toEqual([{ level: 'err', text: 'Invalid cache type and granu combination 2/1' }]);
    const r10 = intelSvaInvalidate('v5.10', info({ cache: 0b010, granularity: 0 }), target);
    expect(r10).toMatchObject({ ret: -22, descs: [], rejected: { check: 'iommu_check_cache_invl_data' } });
  });
  it('DEV_IOTLB without ATS only warns', () => {
    const r = intelSvaInvalidate('v5.8', info({ cache: 0b010 }), { ...target, ats: false });
    expect(r).toMatchObject({ ret: 0, descs: [], klog: [{ level: 'warning', text: 'Passdown device IOTLB flush w/o ATS!' }] });
  });
});

// v5.10 iommu_uapi_cache_invalidate, before iommu_check_cache_invl_data: argsz against the
// layout of include/uapi/linux/iommu.h v5.10 — u32 argsz, u32 version, u8 cache, u8
// granularity, u8 padding[6] (16 bytes: offsetof(granu)), then the 8-aligned union:
// pasid_info = u32 flags + u32 archid + u64 pasid (16: ends at 32), addr_info = the same plus
// u64 addr, granule_size, nb_granules (40: ends at 56 = sizeof).
describe('v5.10 argsz', () => {
  const base = { version: 1, cache: 1, padding: 0, flags: 1, archid: 0, pasid: 1, addr: 0x400000, granuleSize: 4096, nbGranules: 1 };
  const t = { did: 2, sid: 0x200, pfsid: 0x200, qdep: 16, ats: false };
  const run = (granularity: number, argsz: number) => intelSvaInvalidate('v5.10', { ...base, granularity, argsz }, t);
  it('below offsetof(granu) = 16 is -EINVAL whatever the granularity', () => {
    expect(run(0, 15)).toMatchObject({ ret: -22, rejected: { check: 'argsz' } });
    expect(run(0, 16).rejected?.check).toBe('inv_type_granu_table'); // DOMAIN reaches Intel's table (IOTLB x DOMAIN: skipped)
  });
  it('PASID needs offsetofend(pasid_info) = 32, ADDR offsetofend(addr_info) = 56', () => {
    expect([31, 32].map((a) => run(1, a).ret)).toEqual([-22, 0]);
    expect([55, 56, 64].map((a) => run(2, a).ret)).toEqual([-22, 0, 0]);
    expect(run(2, 55).descs).toEqual([]);
  });
  it('an unknown granularity passes the argsz check and meets the generic one', () => {
    expect(run(3, 16).rejected?.check).toBe('iommu_check_cache_invl_data');
  });
});

describe('argsz in a scenario', () => {
  const spec = (uapi: string, argsz: number) => ({
    overrides: { ioasid: 'present', 'vsva-uapi': uapi },
    vtd: { cmdline: 'on,sm_on', units: [{ smts: true, pasid: true, nest: true, superpages: ['2M'] }] },
    vsva: {
      guests: [{ name: 'vm0', ram: { hpa: '0x81000000', size: '16M' } }],
      devices: [{ name: 'vf0', guest: 'vm0' }],
      ops: [{ op: 'cache-invalidate', at: 1000, dev: 'vf0', granularity: 'addr', pasid: 1, addr: 0x400000, argsz }],
    },
  });
  it('v5.10: a short ADDR request is refused by the argsz check, nothing reaches intel_iommu_sva_invalidate', () => {
    const { recs } = runObj(spec('v5.10', 40));
    expect(recs.find((r) => r.kind === 'cache-invalidate')).toMatchObject({ argsz: 40, result: -22, descs: 0 });
    expect(recs.find((r) => r.kind === 'uapi-reject')).toMatchObject({ check: 'argsz', result: -22 });
    expect(recs.some((r) => r.kind === 'qi' && r.by === 'intel_iommu_sva_invalidate')).toBe(false);
  });
  it("v5.8's structure has no argsz: refused at build with its path", () => {
    expect(() => runObj(spec('v5.8', 56))).toThrow(/vsva\.ops\[0\]\.argsz: v5\.8's struct/);
  });
});
