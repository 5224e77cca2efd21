/**
 * Per-device PASID tables in scalable mode (drivers/iommu/intel-pasid.c, v5.0.1 / v5.4.1):
 * the directory (intel_pasid_alloc_table), leaf tables allocated on first use
 * (intel_pasid_get_entry), second-level and pass-through entries, and teardown. The two
 * v5.0.1 bugs are behaviour rows: pasid_set_page_snoop's store (INTEL_PASID_SNOOP_DID) and
 * the clear-before-read order of intel_pasid_tear_down_entry (INTEL_PASID_TEARDOWN_DID).
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { fill } from '../../mem/phys.ts';
import { physAlloc, physFree } from '../../mem/alloc.ts';
import { INTEL_PASID_SNOOP_DID, INTEL_PASID_TEARDOWN_DID } from '../../kernel.ts';
import { bdfText } from './bdf-text.ts';
import {
  type GpasidBindFlags, PASID_RID2PASID, pasidDomainId, pasidNestedEntry, pasidPassThroughEntry, pasidSecondLevelEntry, readQwords, writeQwords,
} from './entries.ts';
import { cap, ecap } from './regs.ts';
import { flushWriteBuffer, qiSubmitSync } from './flush.ts';
import { qiPasidCacheDesc, qiPasidIotlbDesc } from './qi.ts';
import type { VtdDevInfo, VtdDomainState, VtdUnitState } from './state.ts';

const PASID_C = 'drivers/iommu/intel-pasid.c';
const F_ALLOC_TABLE = kfunc('intel_pasid_alloc_table', PASID_C);
const F_SETUP_SL = kfunc('intel_pasid_setup_second_level', PASID_C, ['pasid']);
const F_SETUP_PT = kfunc('intel_pasid_setup_pass_through', PASID_C, ['pasid']);
const F_SETUP_NESTED = kfunc('intel_pasid_setup_nested', 'drivers/iommu/intel/pasid.c', ['pasid']);
const F_TEAR_DOWN = kfunc('intel_pasid_tear_down_entry', PASID_C, ['pasid']);
const F_CACHE_INV = kfunc('pasid_cache_invalidation_with_pasid', PASID_C, ['did', 'pasid']);
const F_IOTLB_INV = kfunc('iotlb_invalidation_with_pasid', PASID_C, ['did', 'pasid']);

const PASID_PDE_SHIFT = 6;
const PASID_ENTRY_BYTES = 64;

/**
 * intel_pasid_alloc_table: max_pasid = min(pci_max_pasids, intel_pasid_max_id) for a device
 * with PASID support, else 0; the directory is get_order(max_pasid >> 3) pages and the
 * table then covers 1 << (order + PAGE_SHIFT + 3) PASIDs (32768 at least).
 */
export function intelPasidAllocTable(m: Machine, u: VtdUnitState, info: VtdDevInfo, devMaxPasids = 0): number {
  const k = m.kstack.enter(F_ALLOC_TABLE);
  try {
    const maxPasid = devMaxPasids;
    const size = maxPasid >> (PASID_PDE_SHIFT - 3);
    const order = size ? Math.max(0, Math.ceil(Math.log2(size / 4096))) : 0;
    const bytes = 4096 << order;
    const dirPa = physAlloc(m.state.alloc, bytes, { align: bytes });
    if (dirPa < 0) return -12;
    fill(m.state.mem, dirPa, bytes, 0);
    info.pasidTable = { dirPa, order, maxPasid: 1 << (order + 12 + 3), leaves: [] };
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/** intel_pasid_free_table: the leaf tables, then the directory. */
export function intelPasidFreeTable(m: Machine, info: VtdDevInfo): void {
  const t = info.pasidTable;
  if (!t) return;
  for (const leaf of t.leaves) physFree(m.state.alloc, leaf, 4096);
  physFree(m.state.alloc, t.dirPa, 4096 << t.order);
  info.pasidTable = null;
}

/** intel_pasid_get_entry: the entry's PA; the leaf table for pasid >> 6 is allocated on first use. */
export function intelPasidGetEntry(m: Machine, u: VtdUnitState, info: VtdDevInfo, pasid: number): number {
  const t = info.pasidTable;
  if (!t || pasid < 0 || pasid >= t.maxPasid) return -1; // WARN_ON in the kernel
  const dirIndex = pasid >> PASID_PDE_SHIFT;
  const dirPa = t.dirPa + 8 * dirIndex;
  const [pde] = readQwords(m, dirPa, 1);
  let leaf = Number(pde & ~0xfffn);
  if (!(pde & 1n)) {
    leaf = physAlloc(m.state.alloc, 4096, { align: 4096 });
    if (leaf < 0) return -1;
    fill(m.state.mem, leaf, 4096, 0);
    t.leaves.push(leaf);
    const v = BigInt(leaf) | 1n;
    writeQwords(m, dirPa, [v]);
    m.emit('vtd-entry', { iommu: u.name, table: 'pasid-dir', index: dirIndex, addr: dirPa, bdf: bdfText(info.bus, info.devfn), old: [pde], new: [v], by: 'intel_pasid_get_entry' });
  }
  return leaf + PASID_ENTRY_BYTES * (pasid & 0x3f);
}

function writePasidEntry(m: Machine, u: VtdUnitState, info: VtdDevInfo, pa: number, pasid: number, v: bigint[], by: string): void {
  const old = readQwords(m, pa, 8);
  writeQwords(m, pa, v);
  m.emit('vtd-entry', { iommu: u.name, table: 'pasid', index: pasid & 0x3f, addr: pa, bdf: bdfText(info.bus, info.devfn), pasid, old, new: v, by });
}

/** After an entry goes from not present to present: caching mode flushes, else the write buffer. */
function presentNotify(m: Machine, u: VtdUnitState, did: number, pasid: number, by: string): void {
  if (cap.cachingMode(u.cap)) {
    pasidCacheInvalidation(m, u, did, pasid);
    iotlbInvalidationWithPasid(m, u, did, pasid);
  } else flushWriteBuffer(m, u);
  void by;
}

function pasidCacheInvalidation(m: Machine, u: VtdUnitState, did: number, pasid: number): void {
  const k = m.kstack.enter(F_CACHE_INV, did, pasid);
  qiSubmitSync(m, u, qiPasidCacheDesc({ did, pasid }), 'pasid_cache_invalidation_with_pasid', { did, pasid });
  m.kstack.leave(k);
}

function iotlbInvalidationWithPasid(m: Machine, u: VtdUnitState, did: number, pasid: number): void {
  const k = m.kstack.enter(F_IOTLB_INV, did, pasid);
  qiSubmitSync(m, u, qiPasidIotlbDesc({ did, pasid }), 'iotlb_invalidation_with_pasid', { did, pasid });
  m.kstack.leave(k);
}

/**
 * intel_pasid_setup_second_level(iommu, domain, dev, pasid): the entry points at the
 * domain's table (skipping levels the unit's agaw lacks), tagged with the domain's id.
 */
export function intelPasidSetupSecondLevel(m: Machine, u: VtdUnitState, dom: VtdDomainState, info: VtdDevInfo, pasid: number): number {
  const k = m.kstack.enter(F_SETUP_SL, pasid);
  try {
    if (!ecap.slts(u.ecap)) {
      m.emit('klog', { level: 'err', text: `DMAR: No second level translation support on ${u.name}` });
      return -22;
    }
    let pgd = dom.pt.pgd;
    let agaw = dom.pt.agaw;
    for (; agaw > u.agaw; agaw--) pgd = Number(readQwords(m, pgd, 1)[0] & ~0xfffn);
    const pa = intelPasidGetEntry(m, u, info, pasid);
    if (pa < 0) return -19;
    const v = pasidSecondLevelEntry({ did: dom.did, pgd, aw: agaw, smpwc: ecap.smpwc(u.ecap), snoop: m.behaviour(INTEL_PASID_SNOOP_DID) });
    writePasidEntry(m, u, info, pa, pasid, v, 'intel_pasid_setup_second_level');
    presentNotify(m, u, dom.did, pasid, 'intel_pasid_setup_second_level');
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * intel_pasid_setup_nested(iommu, dev, gpgd, pasid, pasid_data, domain, 4-level) as v5.8 has
 * it (what-if: the vsva section): ECAP.NEST, a free entry (-EBUSY), the guest's root within
 * the domain's max_addr, then the nested entry (entries.ts pasidNestedEntry) over the
 * domain's second level with the levels the unit lacks skipped, and pasid_flush_caches
 * (caching mode: PASID cache and PASID-IOTLB descriptors; else the write buffer).
 */
export function intelPasidSetupNested(
  m: Machine, u: VtdUnitState, dom: VtdDomainState, info: VtdDevInfo, pasid: number, gpgd: number, flags: GpasidBindFlags = { sre: false, wpe: false, eafe: false },
): number {
  const k = m.kstack.enter(F_SETUP_NESTED, pasid);
  try {
    if (!ecap.nest(u.ecap)) {
      m.emit('klog', { level: 'err', text: `IOMMU: ${u.name}: No nested translation support` });
      return -22;
    }
    const pa = intelPasidGetEntry(m, u, info, pasid);
    if (pa < 0) return -22;
    if (readQwords(m, pa, 1)[0] & 1n) return -16; // pasid_pte_is_present: -EBUSY
    if (gpgd > dom.maxAddr) {
      m.emit('klog', { level: 'err', text: `${info.driver} 0000:${bdfText(info.bus, info.devfn)}: Guest PGD ${gpgd.toString(16)} not supported, max ${dom.maxAddr.toString(16)}` });
      return -22;
    }
    let pgd = dom.pt.pgd;
    let agaw = dom.pt.agaw;
    for (; agaw > u.agaw; agaw--) pgd = Number(readQwords(m, pgd, 1)[0] & ~0xfffn);
    const v = pasidNestedEntry({ did: dom.did, slptr: pgd, aw: agaw, flptr: gpgd, flags, smpwc: ecap.smpwc(u.ecap) });
    writePasidEntry(m, u, info, pa, pasid, v, 'intel_pasid_setup_nested');
    presentNotify(m, u, dom.did, pasid, 'intel_pasid_setup_nested');
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/** intel_pasid_setup_pass_through: DID FLPT_DEFAULT_DID, PGTT 4 (a static identity domain). */
export function intelPasidSetupPassThrough(m: Machine, u: VtdUnitState, info: VtdDevInfo, pasid: number): number {
  const k = m.kstack.enter(F_SETUP_PT, pasid);
  try {
    const pa = intelPasidGetEntry(m, u, info, pasid);
    if (pa < 0) return -19;
    const v = pasidPassThroughEntry({ aw: u.agaw, smpwc: ecap.smpwc(u.ecap), snoop: m.behaviour(INTEL_PASID_SNOOP_DID) });
    writePasidEntry(m, u, info, pa, pasid, v, 'intel_pasid_setup_pass_through');
    presentNotify(m, u, 1, pasid, 'intel_pasid_setup_pass_through');
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * intel_pasid_tear_down_entry: clear the entry and invalidate the PASID cache and the
 * PASID's IOTLB entries with the DID the entry held — read after the clear on v5.0.1 (so 0),
 * before it on v5.4.1.
 */
export function intelPasidTearDownEntry(m: Machine, u: VtdUnitState, info: VtdDevInfo, pasid = PASID_RID2PASID): void {
  const k = m.kstack.enter(F_TEAR_DOWN, pasid);
  const pa = intelPasidGetEntry(m, u, info, pasid);
  if (pa >= 0) {
    const clearFirst = m.behaviour(INTEL_PASID_TEARDOWN_DID) === 'clear-first';
    let did = clearFirst ? -1 : pasidDomainId(readQwords(m, pa, 8));
    writePasidEntry(m, u, info, pa, pasid, [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], 'intel_pasid_clear_entry');
    if (clearFirst) did = pasidDomainId(readQwords(m, pa, 8));
    pasidCacheInvalidation(m, u, did, pasid);
    iotlbInvalidationWithPasid(m, u, did, pasid);
  }
  m.kstack.leave(k);
}
