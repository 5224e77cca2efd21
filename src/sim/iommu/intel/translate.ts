/**
 * The DMAR unit translating a device's request (VT-d spec ch. 3, 9): the context cache by
 * requester id, else the walk of the root and context entry (legacy) or root, scalable
 * context, PASID directory and PASID entry (scalable mode, the RID_PASID entry for requests
 * without PASID); the address-width check; the IOTLB by (DID, PASID, page), else the
 * second-level walk and a fill. A fault is recorded (fault recording registers, event
 * interrupt) and the access is dropped. Provided as translatorKey('vtd'); it fills the
 * `dma` record's hit, fault and faultReason.
 *
 * Reason codes are the legacy ones dmar.c names (root 1, context 2, invalid context 3, beyond
 * MGAW 4, PTE write 5, PTE read 6) in both modes; scalable mode adds the PASID-directory and
 * PASID-entry not-present codes 0x51 and 0x59 (QEMU's vIOMMU does the same).
 */
import type { Machine } from '../../machine.ts';
import type { Translator } from '../../devices/port.ts';
import { read32, read64Word } from '../../mem/phys.ts';
import { DMA_PTE_READ, DMA_PTE_WRITE, agawToWidth } from '../../pgtable/vtd/bits.ts';
import { lastPteSeq, pteGeneration, staleReport, walkChanged } from '../stale.ts';
import { DMAR_GSTS_REG, DMA_GSTS_TES, cap } from './regs.ts';
import { dmarRecordFault } from './hw.ts';
import { VTD_WALK_SL, vtdIotlbFillAt, vtdIotlbLookup } from './iotlb.ts';
import { type VtdCtxCacheEntry, type VtdUnitState, vtdState } from './state.ts';

import { dmarFaultReason } from './fault-reasons.ts';
import { DMAR_SM_FAULT_REASONS } from '../../kernel.ts';

export { DMA_REMAP_FAULT_REASONS, dmarFaultReason } from './fault-reasons.ts';

export const FR_ROOT_ENTRY_P = 0x1;
export const FR_CONTEXT_ENTRY_P = 0x2;
export const FR_CONTEXT_ENTRY_INV = 0x3;
export const FR_ADDR_BEYOND_MGAW = 0x4;
export const FR_WRITE = 0x5;
export const FR_READ = 0x6;
export const FR_PASID_DIR_ENTRY_P = 0x51;
export const FR_PASID_ENTRY_P = 0x59;
export const FR_PASID_ENTRY_INV = 0x5b;

const readLo = (m: Machine, pa: number): number => read32(m.state.mem, pa);
const read64 = (m: Machine, pa: number): number => read64Num(m.state.mem, pa);

function ctxEntry(did: number, pasid: number, root: number, levels: number, width: number, pass: boolean, fpd: boolean): VtdCtxCacheEntry {
  return { did, pasid, root, levels, width, limit: 2 ** width, pass, fpd };
}

/** What resolving the requester id gave: a cache entry, or a fault reason (FPD when known). */
type CtxResult = VtdCtxCacheEntry | { fault: number; fpd: boolean };

/** The root/context (and PASID) walk for a requester id; the result goes in the context cache. */
function resolveContext(m: Machine, u: VtdUnitState, rid: number): CtxResult {
  const bus = rid >> 8;
  let devfn = rid & 0xff;
  const sm = u.smtLatched;
  let rootPa = u.rootLatched + 16 * bus;
  if (sm && devfn >= 0x80) {
    rootPa += 8;
    devfn -= 0x80;
  }
  const root = read64(m, rootPa);
  if (root % 2 === 0) return { fault: FR_ROOT_ENTRY_P, fpd: false };
  const ctxPa = root - (root % 4096) + (sm ? 32 : 16) * devfn;
  const lo = read64(m, ctxPa);
  const hiLo = readLo(m, ctxPa + 8);
  if (lo % 2 === 0) return { fault: FR_CONTEXT_ENTRY_P, fpd: false };
  const fpd = (lo % 4) >= 2;
  const mgaw = cap.mgaw(u.cap);
  const sagaw = cap.sagaw(u.cap);
  if (!sm) {
    const tt = Math.floor(lo / 4) % 4;
    const aw = hiLo & 7;
    if (tt === 3 || (tt !== 2 && !((sagaw >> aw) & 1))) return { fault: FR_CONTEXT_ENTRY_INV, fpd };
    const did = (hiLo >>> 8) & 0xffff;
    if (tt === 2) return ctxEntry(did, -1, 0, 0, mgaw, true, fpd);
    return ctxEntry(did, -1, lo - (lo % 4096), aw + 2, Math.min(mgaw, agawToWidth(aw)), false, fpd);
  }
  // Scalable mode: requests without PASID use the entry's RID_PASID.
  const pasid = hiLo & 0xfffff;
  const dir = lo - (lo % 4096);
  const pde = read64(m, dir + 8 * (pasid >> 6));
  if (pde % 2 === 0) return { fault: FR_PASID_DIR_ENTRY_P, fpd };
  const pePa = pde - (pde % 4096) + 64 * (pasid & 0x3f);
  const v0 = read64(m, pePa);
  if (v0 % 2 === 0) return { fault: FR_PASID_ENTRY_P, fpd };
  const pfpd = fpd || (v0 % 4) >= 2;
  const did = readLo(m, pePa + 8) & 0xffff;
  const aw = Math.floor(v0 / 4) % 8;
  const pgtt = Math.floor(v0 / 64) % 8;
  if (pgtt === 4) return ctxEntry(did, pasid, 0, 0, mgaw, true, pfpd);
  if (pgtt !== 2 || !((sagaw >> aw) & 1)) return { fault: FR_PASID_ENTRY_INV, fpd: pfpd };
  return ctxEntry(did, pasid, v0 - (v0 % 4096), aw + 2, Math.min(mgaw, agawToWidth(aw)), false, pfpd);
}

// Scratch for one walk (never part of the machine state).
const walkPa = new Float64Array(VTD_WALK_SL);
const walkWord = new Float64Array(VTD_WALK_SL);
/**
 * The page each level's table was last read from, for the memory (pages Map) it came from:
 * successive walks mostly read the same upper tables. Sound because a pfn's page, once in
 * the Map, is never replaced (phys.ts pageFor only adds; a restored snapshot is a new Map).
 * A pfn with no page yet is not remembered: a write may back it later.
 */
let tablePages: Map<number, Uint8Array> | undefined;
const tablePfns = new Float64Array(VTD_WALK_SL + 1).fill(-1);
const tablePg: (Uint8Array | undefined)[] = new Array(VTD_WALK_SL + 1).fill(undefined);

function tablePage(pages: Map<number, Uint8Array>, level: number, pfn: number): Uint8Array | undefined {
  if (pages === tablePages && pfn === tablePfns[level]) return tablePg[level];
  if (pages !== tablePages) {
    tablePages = pages;
    tablePfns.fill(-1);
  }
  const pg = pages.get(pfn);
  if (pg !== undefined) {
    tablePfns[level] = pfn;
    tablePg[level] = pg;
  }
  return pg;
}

// The hot path reads these through local bindings: module-level copies cost nothing per
// call, where an imported binding may be a getter under some loaders (tsx's).
const lookup = vtdIotlbLookup;
const fill = vtdIotlbFillAt;
const lastSeq = lastPteSeq;
/** 512^(level - 1): the pfn divisor of each level. */
const LEVEL_DIV = [0, 1, 512, 512 ** 2, 512 ** 3, 512 ** 4];
/** 2^27: the pfn bits of levels 1-3 below, levels 4-5 above. */
const PFN_SPLIT = 512 ** 3;
const generation = pteGeneration;
const stateOf = vtdState;
const read64Num = read64Word;
/** GSTS_REG (0x1c) as a word index, and its TES bit. */
const GSTS_WORD = DMAR_GSTS_REG >>> 2;
const TES = DMA_GSTS_TES;

/** A translation fault: recorded unless fault processing is disabled; the access is dropped. */
function fault(m: Machine, u: VtdUnitState, rid: number, addr: number, write: boolean, reason: number, fpd: boolean, dev: string, out: Parameters<Translator>[4]): false {
  // Requests without PASID: the record's PP bit is clear.
  if (!fpd) dmarRecordFault(m, u, { sid: rid, addr, read: !write, reason, pasid: -1, dev });
  out.fault = dmarFaultReason(reason, m.behaviour(DMAR_SM_FAULT_REASONS)).text;
  out.faultReason = reason;
  return false;
}

export const vtdTranslate: Translator = (m, dev, addr, write, out) => {
  const s = stateOf(m);
  const info = s.devs[dev.name];
  const u = s.units[info.unit];
  if (write) u.writes++;
  else u.reads++;
  if (!(u.regs[GSTS_WORD] & TES)) {
    out.pa = addr; // translation disabled: the request goes through untranslated
    out.hit = '-';
    return true;
  }
  const rid = info.rid;
  let cc = u.ctxCache.get(rid);
  if (!cc) {
    const r = resolveContext(m, u, rid);
    if ('fault' in r) {
      out.hit = 'miss';
      return fault(m, u, rid, addr, write, r.fault, r.fpd, dev.name, out);
    }
    cc = r;
    u.ctxCache.set(rid, cc);
  }
  if (cc.pass) {
    out.pa = addr;
    out.hit = '-';
    return true;
  }
  if (addr >= cc.limit) {
    out.hit = 'miss';
    return fault(m, u, rid, addr, write, FR_ADDR_BEYOND_MGAW, cc.fpd, dev.name, out);
  }
  const pfn = Math.floor(addr / 4096);
  const t = u.iotlb;
  const need = write ? DMA_PTE_WRITE : DMA_PTE_READ;
  let i = lookup(t, cc.did, cc.pasid, pfn);
  if (i >= 0) {
    out.hit = 'hit';
    if (t.gen[i] !== generation(m)) checkStale(m, u, i, dev.name, addr);
  } else {
    out.hit = 'miss';
    u.walks++;
    const pagesOf = m.state.mem.pages;
    // The pfn's 9-bit level indexes from two integer halves (levels 1-3, then 4-5): no
    // floating-point % on the walk, which V8 does by a call to fmod.
    const pfnHi = Math.floor(pfn / PFN_SPLIT);
    const pfnLo = pfn - pfnHi * PFN_SPLIT;
    let n = 0;
    let tablePfn = cc.root / 4096;
    let perm = DMA_PTE_READ | DMA_PTE_WRITE;
    let level = cc.levels;
    let v = 0;
    let f = 0;
    for (;;) {
      // One 8-byte entry of a 4 KiB table: never across a page (read64Word inlined).
      const off = 8 * (level <= 3 ? (pfnLo >>> (9 * level - 9)) & 511 : (pfnHi >>> (9 * level - 36)) & 511);
      const pg = tablePage(pagesOf, level, tablePfn);
      let lo = 0;
      if (pg !== undefined) {
        lo = (pg[off] | (pg[off + 1] << 8) | (pg[off + 2] << 16) | (pg[off + 3] << 24)) >>> 0;
        v = lo + ((pg[off + 4] | (pg[off + 5] << 8) | (pg[off + 6] << 16) | (pg[off + 7] << 24)) >>> 0) * 0x1_0000_0000;
      } else v = 0;
      walkPa[n] = tablePfn * 4096 + off;
      walkWord[n++] = v;
      f = lo & 4095;
      if ((f & 3) === 0) return fault(m, u, rid, addr, write, write ? FR_WRITE : FR_READ, cc.fpd, dev.name, out);
      perm &= f & 3;
      if (level === 1 || ((level === 2 || level === 3) && f & 0x80)) break;
      tablePfn = (v - f) / 4096;
      level--;
    }
    const pages = LEVEL_DIV[level];
    i = fill(t, cc.did, cc.pasid, Math.floor(pfn / pages) * pages, pages, v - f, perm, walkPa, walkWord, n, lastSeq(m, walkPa[n - 1]), generation(m));
  }
  if ((t.perm[i] & need) === 0) return fault(m, u, rid, addr, write, write ? FR_WRITE : FR_READ, cc.fpd, dev.name, out);
  out.pa = t.pa[i] + (addr - t.pfn[i] * 4096);
  return true;
};

/** On a hit after page-table writes: does the table still say what the entry cached? */
export function checkStale(m: Machine, u: VtdUnitState, i: number, dev: string, addr: number): void {
  const t = u.iotlb;
  const at = i * t.walkMax;
  const changed = walkChanged(m, t.walkPa, t.walkWord, at, t.walkN[i]);
  if (changed < 0) {
    t.gen[i] = pteGeneration(m);
    return;
  }
  if (t.staleReported[i]) return;
  t.staleReported[i] = 1;
  const pteAddr = t.walkPa[changed];
  staleReport(m, {
    iommu: u.name,
    mmu: 'iotlb',
    dev,
    iova: addr,
    cachedPa: t.pa[i] + (addr - t.pfn[i] * 4096),
    pteAddr,
    cachedPte: BigInt(t.walkWord[changed]),
    pte: BigInt(read64(m, pteAddr)),
    filledAfter: t.pteSeq[i],
    did: t.did[i],
    pasid: t.pasid[i] >= 0 ? t.pasid[i] : undefined,
  });
}

