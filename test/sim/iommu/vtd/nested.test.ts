/**
 * Nested translation on a DMAR unit (what-if: the vsva section), derived by hand:
 * - the nested PASID entry from drivers/iommu/intel/pasid.c (v5.8) intel_pasid_setup_nested
 *   and intel_pasid_setup_bind_data, with the field positions of its pasid_set_* helpers;
 * - the nested walk from the VT-d spec (3.8): every first-level table pointer is a GPA the
 *   second level translates before the word is read, then the output GPA is translated.
 */
import { describe, expect, it } from 'vitest';
import { decodePasid, pasidNestedEntry } from '../../../../src/sim/iommu/intel/entries.ts';
import { vtdState } from '../../../../src/sim/iommu/intel/state.ts';
import { type Rec, runObj, scenarioOf } from '../../mm/helpers.ts';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import { read64Word } from '../../../../src/sim/mem/phys.ts';
import { vtdSetPte } from '../../../../src/sim/pgtable/vtd/index.ts';
import { qiSubmitSync } from '../../../../src/sim/iommu/intel/flush.ts';
import { qiPasidCacheDesc } from '../../../../src/sim/iommu/intel/qi.ts';

const none = { sre: false, wpe: false, eafe: false };

describe('intel_pasid_setup_nested: the PASID entry words', () => {
  it('FLPTR in val[2] 63:12 (FLPM 0 for 4 levels), SLPTR in val[0] 63:12, AW 4:2, PGTT 3 in 8:6, P; DID in val[1] 15:0', () => {
    const v = pasidNestedEntry({ did: 2, slptr: 0x80004000, aw: 2, flptr: 0xfff000, flags: none, smpwc: false });
    // val[0] = SLPTR 0x80004000 | AW 2 << 2 (0x8) | PGTT_NESTED 3 << 6 (0xc0) | present 1; FPD (bit 1) clear.
    expect(v[0]).toBe(0x800040c9n);
    expect(v[1]).toBe(2n);
    // val[2] = the guest PGD as given (a GPA), FLPM 0 (bits 3:2), no SRE.
    expect(v[2]).toBe(0xfff000n);
    expect(v.slice(3)).toEqual([0n, 0n, 0n, 0n, 0n]);
    expect(decodePasid(v)).toMatchObject({ present: true, fpd: false, pgtt: 3, aw: 2, did: 2, slptptr: 0x80004000, flptr: 0xfff000, flpm: 0, sre: false });
  });

  it('pasid_set_page_snoop(!!ecap_smpwc): bit 87 = val[1] bit 23', () => {
    expect(pasidNestedEntry({ did: 5, slptr: 0x1000, aw: 2, flptr: 0x2000, flags: none, smpwc: true })[1]).toBe(0x800005n);
  });

  it('intel_pasid_setup_bind_data: SRE bit 128, WPE bit 132 only with SRE, EAFE bit 135', () => {
    const all = pasidNestedEntry({ did: 2, slptr: 0x1000, aw: 2, flptr: 0x3000, flags: { sre: true, wpe: true, eafe: true }, smpwc: false });
    expect(all[2]).toBe(0x3000n | 0x1n | 0x10n | 0x80n);
    // IOMMU_SVA_VTD_GPASID_WPE is looked at inside the SRE branch only.
    expect(pasidNestedEntry({ did: 2, slptr: 0x1000, aw: 2, flptr: 0x3000, flags: { sre: false, wpe: true, eafe: false }, smpwc: false })[2]).toBe(0x3000n);
    expect(decodePasid(all)).toMatchObject({ sre: true, wpe: true, eafe: true });
  });
});

// A guest with 16 MiB at HPA 0x81000000 on dmar0 (4-level second level, 2 MiB superpages).
const RAM_HPA = 0x81000000;
function spec(extra: Record<string, unknown>[] = [], unit: Record<string, unknown> = {}) {
  const ops = [
    { op: 'register-allocator', guest: 'vm0' },
    { op: 'ioasid-alloc', kernel: 'vm0' },
    { op: 'bind-gpasid', dev: 'vf0', pasid: 1 },
    { op: 'guest-map', dev: 'vf0', va: 0x400000, gpa: 0x100000 },
    { op: 'dma', dev: 'vf0', va: 0x400000 },
    ...extra,
  ].map((o, i) => ({ ...o, at: 1000 * (i + 1) }));
  return {
    kernel: 'v5.4',
    overrides: { ioasid: 'present', 'vsva-uapi': 'v5.10' },
    vtd: { cmdline: 'on,sm_on', units: [{ smts: true, pasid: true, nest: true, superpages: ['2M'], ...unit }] },
    vsva: { guests: [{ name: 'vm0', ram: { hpa: RAM_HPA, size: '16M' }, vcmdLatency: 10 }], devices: [{ name: 'vf0', guest: 'vm0', ats: false }], ops },
  };
}
const scenario = (extra: Record<string, unknown>[] = [], unit: Record<string, unknown> = {}) => runObj(spec(extra, unit));

describe('the nested PASID entry in memory', () => {
  it('bind-gpasid writes PASID 1 of vf0 as intel_pasid_setup_nested builds it over the VFIO domain', () => {
    const { recs } = scenario();
    const dom = recs.find((r) => r.kind === 'vtd-domain' && r.op === 'attach')!;
    const bind = recs.find((r) => r.kind === 'gpasid-bind')!;
    const entry = recs.find((r) => r.kind === 'vtd-entry' && r.by === 'intel_pasid_setup_nested')!;
    // DID 2: iommu_init_domains keeps 0 and FLPT_DEFAULT_DID 1; the guest's root is the top page of its RAM.
    expect(dom).toMatchObject({ did: 2, agaw: 2 });
    expect(bind).toMatchObject({ pasid: 1, did: 2, pml4Gpa: '0xfff000', pml4Hpa: '0x81fff000' });
    const pgd = Number.parseInt(dom.pgd as string, 16);
    const words = (entry.new as string).split(' ').map((w) => BigInt(w));
    expect(entry).toMatchObject({ table: 'pasid', pasid: 1, index: 1 });
    expect(words.slice(0, 3)).toEqual([BigInt(pgd) | 0xc9n, 2n, 0xfff000n]);
  });

  it('a unit without ECAP.NEST is refused at build, with the JSON path and what to set', () => {
    expect(() => scenario([], { nest: false })).toThrow(/vsva\.devices\[0\]\.unit: dmar0 cannot nest/);
  });
});

describe('the nested walk', () => {
  it('reads each first-level word at the HPA the second level gives for its GPA, then translates the output', () => {
    const { m, recs } = scenario();
    expect(recs.find((r) => r.kind === 'dma')).toMatchObject({ result: 'ok', pa: '0x81100000', hit: 'miss' });
    // The second level as intel_iommu_map built it: L4 table = the domain's pgd, then the L3
    // and L2 tables it linked (pgtable-table records); 2 MiB leaves at L2 (GPA >> 21).
    const tables = (level: number) => recs.filter((r) => r.kind === 'pgtable-table' && r.domain === 'vtd-dom0' && r.op === 'alloc' && r.level === level);
    const pgd = Number.parseInt(recs.find((r) => r.kind === 'vtd-domain' && r.op === 'attach')!.pgd as string, 16);
    const l3 = Number.parseInt(tables(3)[0].addr as string, 16);
    const l2 = Number.parseInt(tables(2)[0].addr as string, 16);
    const sl = (gpa: number) => [pgd + 8 * (Math.floor(gpa / 2 ** 39) % 512), l3 + 8 * (Math.floor(gpa / 2 ** 30) % 512), l2 + 8 * (Math.floor(gpa / 2 ** 21) % 512)];
    // The guest's tables from the top of its RAM down: PML4 0xfff000, PDPT 0xffe000, PD 0xffd000, PT 0xffc000.
    // va 0x400000: PML4[0], PDPT[0], PD[2], PT[0]; the leaf maps GPA 0x100000.
    const flGpa = [0xfff000, 0xffe000, 0xffd000 + 8 * 2, 0xffc000];
    const expected = [...flGpa.flatMap((gpa) => [...sl(gpa), RAM_HPA + gpa]), ...sl(0x100000)];
    const t = vtdState(m).units[0].iotlb;
    const slot = Array.from(t.did).findIndex((d, i) => d === 2 && t.pasid[i] === 1 && t.pfn[i] === 0x400);
    expect(slot).toBeGreaterThanOrEqual(0);
    const n = t.walkN[slot];
    expect(Array.from(t.walkPa.subarray(slot * t.walkMax, slot * t.walkMax + n))).toEqual(expected);
    expect(t.pa[slot]).toBe(RAM_HPA + 0x100000);
  });

  it('a second-level change under a cached entry (the host remapping guest RAM, no flush) is stale-tlb naming that pte', () => {
    const { machine: m } = buildMachine(scenarioOf(spec([{ op: 'dma', dev: 'vf0', va: 0x400000 }])));
    while (m.trace.count === 0 || !JSON.parse(m.trace.line(m.trace.count - 1)).kind.startsWith('dma')) if (!m.step()) break;
    // The output GPA 0x100000 sits in the 2 MiB leaf L2[0]: point it at another 2 MiB of host memory.
    const s = vtdState(m);
    const dom = s.domains[s.devs.vf0.domain];
    const page = (v: number) => v - (v % 4096);
    const l2 = page(read64Word(m.state.mem, page(read64Word(m.state.mem, dom.pt.pgd))));
    vtdSetPte(m, dom.pt, l2, 2, 0, 0, 0x82000000 + 0x883);
    while (m.step());
    const recs: Rec[] = [];
    for (let i = 0; i < m.trace.count; i++) recs.push(JSON.parse(m.trace.line(i)) as Rec);
    const stale = recs.filter((r) => r.kind === 'stale-tlb');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({ iommu: 'dmar0', mmu: 'iotlb', iova: '0x400000', cachedPa: '0x81100000', pteAddr: `0x${l2.toString(16)}`, did: 2, pasid: 1 });
    expect(recs[stale[0].changedBy as number]).toMatchObject({ kind: 'pte', domain: 'vtd-dom0', level: 2, index: 0 });
  });
});

describe('the PASID cache for requests with PASID', () => {
  it('the first request caches the entry\'s fields; a PASID-selective PASID-cache invalidation (QI type 7) drops it', () => {
    const { m, recs } = scenario();
    const s = vtdState(m);
    const u = s.units[0];
    const pgd = Number.parseInt(recs.find((r) => r.kind === 'vtd-domain' && r.op === 'attach')!.pgd as string, 16);
    // vf0's requester id 0x200 (devid 512), PASID 1.
    expect(u.pasidCache.get(0x200 * 0x100000 + 1)).toEqual({ rid: 0x200, pasid: 1, did: 2, pgtt: 3, slptr: pgd, levels: 4, flptr: 0xfff000 });
    // pasid_cache_invalidation_with_pasid(iommu, did 1, pasid 1): another domain's id leaves it.
    qiSubmitSync(m, u, qiPasidCacheDesc({ did: 1, pasid: 1 }), 'test');
    expect(u.pasidCache.size).toBe(1);
    qiSubmitSync(m, u, qiPasidCacheDesc({ did: 2, pasid: 1 }), 'test');
    expect(u.pasidCache.size).toBe(0);
  });
});

describe('faults of requests with PASID', () => {
  it('a first-level entry not present is recorded with PP and the PASID, reason 0x71; dmar_fault prints it as v5.4 does', () => {
    const { recs } = scenario([{ op: 'dma', dev: 'vf0', va: 0x402000 }]);
    expect(recs.find((r) => r.kind === 'dma' && r.addr === '0x402000')).toMatchObject({ result: 'fault', faultReason: 0x71 });
    // dmar_fault_do_one: "[fault reason %02d]" in decimal; v5.4's dmar_get_fault_reason finds 0x71 in
    // dma_remap_sm_fault_reasons (index 0x71 - 0x30).
    expect(recs.find((r) => r.kind === 'dmar-fault')).toMatchObject({ iommu: 'dmar0', reason: 113, sid: '02:00.0', pasid: 1, type: 'DMA Read' });
    expect(recs.some((r) => r.kind === 'klog' && r.text === 'DMAR: [DMA Read] Request device [02:00.0] PASID 1 fault addr 402000 [fault reason 113] SM: Present bit in first-level paging entry is clear')).toBe(true);
  });
  it('a write through a read-only first-level leaf: reason 0x85, a write fault', () => {
    const { recs } = scenario([{ op: 'guest-map', dev: 'vf0', va: 0x403000, gpa: 0x103000, write: false }, { op: 'dma', dev: 'vf0', va: 0x403000, dir: 'write' }]);
    expect(recs.find((r) => r.kind === 'dmar-fault')).toMatchObject({ reason: 0x85, type: 'DMA Write', pasid: 1 });
  });
});
