/**
 * Nested translation by a DMAR unit (VT-d spec 3.8; what-if: the vsva section): a request
 * with PASID whose PASID entry has PGTT 3. The first level (x86 4-level, FLPTR a guest
 * physical address) is walked with every table pointer translated through the second level
 * (SLPTR, the VFIO domain's table), then the output GPA is; the unit's IOTLB caches the
 * combined translation tagged (DID, PASID, page) with every word both stages read, so the
 * stale checker sees a change in either. The PASID entry is looked up through the unit's
 * PASID cache (filled on first use, dropped by PASID-cache and context-cache invalidations).
 * A fault is recorded with the PASID (PP set) by the caller. Codes: the root / context /
 * PASID-directory / PASID-entry ones of translate.ts; a first-level entry not present 0x71
 * and a write the first level forbids 0x85 (the scalable-mode codes QEMU's vIOMMU uses,
 * VTD_FR_FS_PAGING_ENTRY_P and VTD_FR_SM_WRITE); a second-level entry that grants nothing,
 * the legacy read / write codes 6 / 5 (a table-pointer translation is a read).
 */
import type { Machine } from '../../machine.ts';
import { read64Word } from '../../mem/phys.ts';
import { DMA_PTE_READ, DMA_PTE_WRITE } from '../../pgtable/vtd/bits.ts';
import { pteGeneration } from '../stale.ts';
import { PASID_PGTT_NESTED } from './entries.ts';
import { VTD_WALK_MAX, vtdIotlbFillAt, vtdIotlbLookup } from './iotlb.ts';
import {
  FR_CONTEXT_ENTRY_INV, FR_CONTEXT_ENTRY_P, FR_PASID_DIR_ENTRY_P, FR_PASID_ENTRY_INV, FR_PASID_ENTRY_P, FR_READ, FR_ROOT_ENTRY_P, FR_WRITE, checkStale,
} from './translate.ts';
import type { VtdDevInfo, VtdPasidCacheEntry, VtdUnitState } from './state.ts';

const PAGE = 4096;
/** First-level entry bits (x86): present, writable; bits 51:12 the next table or page. */
const FL_P = 1;
const FL_RW = 2;
const addrOf = (w: number): number => (w % 2 ** 52) - (w % PAGE);

export type NestedResult =
  | { ok: true; hit: 'hit' | 'miss'; pa: number; did: number; slot: number }
  | { ok: false; hit: 'hit' | 'miss'; reason: string; code: number; did: number };

export const FR_FS_PAGING_ENTRY_P = 0x71;
export const FR_SM_WRITE = 0x85;

// Scratch for one walk (never machine state).
const walkPa = new Float64Array(VTD_WALK_MAX);
const walkWord = new Float64Array(VTD_WALK_MAX);

/** The PASID-cache entry of (requester id, pasid): cached, else read from the tables; or why not. */
function pasidEntry(m: Machine, u: VtdUnitState, rid: number, pasid: number): VtdPasidCacheEntry | { reason: string; code: number } {
  const key = rid * 0x10_0000 + pasid;
  const hit = u.pasidCache.get(key);
  if (hit) return hit;
  const mem = m.state.mem;
  if (!u.smtLatched) return { reason: 'legacy mode: requests with PASID are blocked', code: FR_CONTEXT_ENTRY_INV };
  let rootPa = u.rootLatched + 16 * (rid >> 8);
  let devfn = rid & 0xff;
  if (devfn >= 0x80) {
    rootPa += 8;
    devfn -= 0x80;
  }
  const root = read64Word(mem, rootPa);
  if (!(root % 2)) return { reason: 'Present bit in root entry is clear', code: FR_ROOT_ENTRY_P };
  const ctx = read64Word(mem, addrOf(root) + 32 * devfn);
  if (!(ctx % 2)) return { reason: 'Present bit in context entry is clear', code: FR_CONTEXT_ENTRY_P };
  const pde = read64Word(mem, addrOf(ctx) + 8 * (pasid >> 6));
  if (!(pde % 2)) return { reason: 'PASID directory entry not present', code: FR_PASID_DIR_ENTRY_P };
  const pe = addrOf(pde) + 64 * (pasid & 0x3f);
  const v0 = read64Word(mem, pe);
  if (!(v0 % 2)) return { reason: 'PASID entry not present', code: FR_PASID_ENTRY_P };
  const e: VtdPasidCacheEntry = {
    rid, pasid, did: read64Word(mem, pe + 8) % 0x10000, pgtt: Math.floor(v0 / 64) % 8, slptr: addrOf(v0), levels: (Math.floor(v0 / 4) % 8) + 2, flptr: addrOf(read64Word(mem, pe + 16)),
  };
  u.pasidCache.set(key, e);
  return e;
}

/**
 * The second-level walk of one GPA (levels from the entry's AW), appending its words at n:
 * the HPA and R/W rights, or null when an entry grants nothing (not present).
 */
function slWalk(m: Machine, slptr: number, levels: number, gpa: number, n: number): { hpa: number; perm: number; n: number } | null {
  let table = slptr;
  let perm = DMA_PTE_READ | DMA_PTE_WRITE;
  const pfn = Math.floor(gpa / PAGE);
  for (let level = levels; ; level--) {
    const span = 512 ** (level - 1);
    const pa = table + 8 * (Math.floor(pfn / span) % 512);
    const v = read64Word(m.state.mem, pa);
    walkPa[n] = pa;
    walkWord[n++] = v;
    const f = v % PAGE;
    if ((f & 3) === 0) return null;
    perm &= f & 3;
    if (level === 1 || ((level === 2 || level === 3) && f & 0x80)) return { hpa: addrOf(v) + (gpa - (pfn - (pfn % span)) * PAGE), perm, n };
    table = addrOf(v);
  }
}

/** One request with PASID by `dev` to `va`: the IOTLB, else the PASID entry and the nested walk. */
export function vtdNestedTranslate(m: Machine, u: VtdUnitState, info: VtdDevInfo, pasid: number, va: number, write: boolean): NestedResult {
  if (write) u.writes++;
  else u.reads++;
  const e = pasidEntry(m, u, info.rid, pasid);
  if ('reason' in e) return { ok: false, hit: 'miss', reason: e.reason, code: e.code, did: -1 };
  const did = e.did;
  if (e.pgtt !== PASID_PGTT_NESTED) return { ok: false, hit: 'miss', reason: 'PASID entry is not nested (PGTT != 3)', code: FR_PASID_ENTRY_INV, did };
  const t = u.iotlb;
  // PGTT 3 on a unit without ECAP.NEST is an invalid entry (and its IOTLB has no room for the walk).
  if (t.walkMax < VTD_WALK_MAX) return { ok: false, hit: 'miss', reason: 'PASID entry invalid: PGTT 3 on a unit without ECAP.NEST', code: FR_PASID_ENTRY_INV, did };
  const pfn = Math.floor(va / PAGE);
  const need = write ? DMA_PTE_WRITE : DMA_PTE_READ;
  let i = vtdIotlbLookup(t, did, pasid, pfn);
  let hit: 'hit' | 'miss' = 'hit';
  if (i >= 0) {
    if (t.gen[i] !== pteGeneration(m)) checkStale(m, u, i, info.dev, va);
  } else {
    hit = 'miss';
    u.walks++;
    const { slptr, levels } = e;
    let table = e.flptr;
    let flWrite = true;
    let n = 0;
    for (let level = 4; level >= 1; level--) {
      const gpa = table + 8 * (Math.floor(va / 2 ** (12 + 9 * (level - 1))) % 512);
      const s = slWalk(m, slptr, levels, gpa, n);
      if (!s) return { ok: false, hit, reason: `second level: first-level table GPA 0x${gpa.toString(16)} not mapped`, code: FR_READ, did };
      n = s.n;
      const w = read64Word(m.state.mem, s.hpa);
      walkPa[n] = s.hpa;
      walkWord[n++] = w;
      if (!(w & FL_P)) return { ok: false, hit, reason: `first level: level ${level} entry not present`, code: FR_FS_PAGING_ENTRY_P, did };
      flWrite &&= (w & FL_RW) !== 0;
      table = addrOf(w);
    }
    const s = slWalk(m, slptr, levels, table, n);
    if (!s) return { ok: false, hit, reason: `second level: GPA 0x${table.toString(16)} not mapped`, code: write ? FR_WRITE : FR_READ, did };
    n = s.n;
    const perm = s.perm & (flWrite ? DMA_PTE_READ | DMA_PTE_WRITE : DMA_PTE_READ);
    i = vtdIotlbFillAt(t, did, pasid, pfn, 1, addrOf(s.hpa), perm, walkPa, walkWord, n, m.state.traceCount - 1, pteGeneration(m));
  }
  if ((t.perm[i] & need) === 0) return { ok: false, hit, reason: write ? 'not writable (first or second level)' : 'not readable', code: write ? FR_SM_WRITE : FR_READ, did };
  return { ok: true, hit, pa: t.pa[i] + (va % PAGE), did, slot: i };
}
