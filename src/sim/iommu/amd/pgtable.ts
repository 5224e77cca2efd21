/**
 * The AMD I/O page table as drivers/iommu/amd_iommu.c builds it: 4 KiB tables of 512 u64,
 * `mode` levels (PAGE_MODE_3_LEVEL = 39-bit for DMA and unmanaged domains), PDEs carrying
 * the next level in bits 11:9, leaves with PR | FC | IR | IW, and pages that are not a
 * level size stored as a series of replicated PTEs with next-level 7 (size encoded in the
 * address, like ATS). alloc_pte, fetch_pte, iommu_map_page and iommu_unmap_page follow the
 * kernel line by line; where v5.0.1 and v5.4.1 differ (kernel-facts-2 §11.1) the code
 * follows kernelRelease (a whole generation, not a behaviour row):
 * - a present large leaf with next-level 0 above the target level: v5.0 returns NULL from
 *   alloc_pte ("no level skipping support yet") -> -ENOMEM; v5.4 replaces it with a table;
 * - a next-level-7 series above the target level: v5.0 replaces only the walked slot with a
 *   PDE; v5.4 first clears every replica of the series (first_pte_l7);
 * - increase_address_space: v5.0 sets domain->updated and refuses mode 6 silently; v5.4
 *   returns whether it grew into the caller's `updated`;
 * - free_pagetable: v5.0 discards free_sub_pt's list (the pages are never freed).
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { fill } from '../../mem/phys.ts';
import { physAlloc, physFree } from '../../mem/alloc.ts';
import { stalePteWritten } from '../stale.ts';
import {
  IOMMU_PROT_IR,
  IOMMU_PROT_IW,
  PAGE_MODE_6_LEVEL,
  PAGE_MODE_7_LEVEL,
  PAGE_MODE_NONE,
  PTE_HI_FC,
  PTE_HI_IR,
  PTE_HI_IW,
  PTE_LEVEL_SHIFT,
  PTE_PR,
} from './defs.ts';
import { updateDomain } from './flush.ts';
import { type AmdDomain, amdState } from './state.ts';
import { addrOf, ffs0, ffz64, hi32, lo32, readWord, w64, writeWord } from './words.ts';

const AMD_C = 'drivers/iommu/amd_iommu.c';
const F_ALLOC_PTE = kfunc('alloc_pte', AMD_C, ['address', 'page_size']);
const F_MAP_PAGE = kfunc('iommu_map_page', AMD_C, ['bus_addr', 'phys_addr', 'page_size', 'prot']);
const F_UNMAP_PAGE = kfunc('iommu_unmap_page', AMD_C, ['bus_addr', 'page_size']);
const F_INCREASE = kfunc('increase_address_space', AMD_C, ['address']);

export const EINVAL = -22;
export const ENOMEM = -12;

/** PM_LEVEL_SIZE(mode): the highest address a `mode`-level table translates (mode 6: all). */
export function pmLevelSize(mode: number): number {
  return mode < 6 ? 2 ** (12 + 9 * mode) - 1 : Infinity;
}

/** 1 << PM_LEVEL_SHIFT(level) for levels 0..6 (a table: the walk computes indices on every miss). */
const LEVEL_SIZE = [0, 1, 2, 3, 4, 5, 6].map((l) => 2 ** (12 + 9 * l));

/** PM_LEVEL_INDEX(level, address). */
export const pmLevelIndex = (level: number, a: number): number => Math.floor(a / LEVEL_SIZE[level]) % 512;

/** PTE_LEVEL_PAGE_SIZE(level). */
export const pteLevelPageSize = (level: number): number => LEVEL_SIZE[level];

/** PAGE_SIZE_LEVEL(page_size) = (__ffs(ps) - 12) / 9. */
export const pageSizeLevel = (ps: number): number => Math.floor((ffs0(ps) - 12) / 9);

/** PAGE_SIZE_PTE_COUNT(page_size) = 1 << ((__ffs(ps) - 12) % 9). */
export const pageSizePteCount = (ps: number): number => 2 ** ((ffs0(ps) - 12) % 9);

/** PTE_PAGE_SIZE(pte) = 1 << (1 + ffz(pte | 0xfff)): the size of a next-level-7 page. */
export const ptePageSize = (lo: number, hi: number): number => 2 ** (1 + ffz64(lo | 0xfff, hi));

export const ptePresent = (lo: number): boolean => (lo & PTE_PR) !== 0;
/** PM_PTE_LEVEL(pte): bits 11:9. */
export const pteLevel = (lo: number): number => (lo >>> PTE_LEVEL_SHIFT) & 7;

/** PM_LEVEL_PDE(level, pa) = pa | PM_LEVEL_ENC(level) | PR | IR | IW, as [lo, hi]. */
export function pmLevelPde(level: number, pa: number): [number, number] {
  return [((lo32(pa) & 0xffff_f000) | (level << PTE_LEVEL_SHIFT) | PTE_PR) >>> 0, ((hi32(pa) & 0x000f_ffff) | PTE_HI_IR | PTE_HI_IW) >>> 0];
}

/**
 * The leaf iommu_map_page writes for (pa, page_size, prot): count == 1 -> pa | PR | FC;
 * count > 1 -> PAGE_SIZE_PTE(pa, ps) | PM_LEVEL_ENC(7) | PR | FC; then IR / IW from prot.
 */
export function leafPte(pa: number, ps: number, prot: number): [number, number] {
  let lo: number;
  let hi: number;
  if (pageSizePteCount(ps) > 1) {
    // PAGE_SIZE_PTE(a, ps) = ((a | (ps - 1)) & ~(ps >> 1)) & PM_ADDR_MASK
    const v = ((BigInt(pa) | BigInt(ps - 1)) & ~BigInt(ps / 2)) & 0x000f_ffff_ffff_f000n;
    lo = (Number(v & 0xffff_ffffn) | (PAGE_MODE_7_LEVEL << PTE_LEVEL_SHIFT) | PTE_PR) >>> 0;
    hi = (Number(v >> 32n) | PTE_HI_FC) >>> 0;
  } else {
    lo = ((lo32(pa) & 0xffff_f000) | PTE_PR) >>> 0;
    hi = ((hi32(pa) & 0x000f_ffff) | PTE_HI_FC) >>> 0;
  }
  if (prot & IOMMU_PROT_IR) hi = (hi | PTE_HI_IR) >>> 0;
  if (prot & IOMMU_PROT_IW) hi = (hi | PTE_HI_IW) >>> 0;
  return [lo, hi];
}

const W = [0, 0];

/** One entry store; a `amd-pte` record when the word changes. `near` is any IOVA the table spans. */
function setPte(m: Machine, dom: AmdDomain, table: number, index: number, level: number, lo: number, hi: number, near: number, by: string): void {
  const addr = table + 8 * index;
  readWord(m.state.mem, addr, W);
  if (W[0] === lo && W[1] === hi) return;
  const oldLo = W[0];
  const oldHi = W[1];
  writeWord(m.state.mem, addr, lo, hi);
  const span = 2 ** (12 + 9 * (level + 1));
  const iova = (near - (near % span)) + index * pteLevelPageSize(level);
  const r = m.emit('amd-pte', { domain: dom.name, domid: dom.id, level, index, old: w64(oldLo, oldHi), new: w64(lo, hi), addr, iova, by });
  stalePteWritten(m, addr, r.seq);
}

/** get_zeroed_page for a page-table page of `dom` at 0-based `level`; -1 when DRAM is exhausted. */
export function amdAllocTable(m: Machine, dom: AmdDomain, level: number): number {
  const pa = physAlloc(m.state.alloc, 4096, { align: 4096 });
  if (pa < 0) return -1;
  fill(m.state.mem, pa, 4096, 0);
  dom.ptPages++;
  m.emit('pgtable-table', { domain: dom.name, op: 'alloc', level, addr: pa });
  return pa;
}

function freeTable(m: Machine, dom: AmdDomain, pa: number, level: number): void {
  physFree(m.state.alloc, pa, 4096);
  dom.ptPages--;
  m.emit('pgtable-table', { domain: dom.name, op: 'free', level, addr: pa });
}

/**
 * free_sub_pt(root, mode, freelist): the table pages of a `mode`-level subtree, children
 * first (DEFINE_FREE_PT_FN: skips entries that are not present or are leaves, level 0 or 7).
 */
export function freeSubPt(m: Machine, root: number, mode: number, out: { pa: number; level: number }[]): void {
  if (mode === PAGE_MODE_NONE || mode === PAGE_MODE_7_LEVEL) return;
  if (mode > 1) {
    const w = [0, 0];
    for (let i = 0; i < 512; i++) {
      readWord(m.state.mem, root + 8 * i, w);
      if (!ptePresent(w[0])) continue;
      const l = pteLevel(w[0]);
      if (l === 0 || l === 7) continue;
      freeSubPt(m, addrOf(w[0], w[1]), mode - 1, out);
    }
  }
  out.push({ pa: root, level: mode - 1 });
}

/** increase_address_space(domain[, address]): one more level on top. */
function increaseAddressSpace(m: Machine, dom: AmdDomain, address: number): boolean {
  const v54 = amdState(m).release === 'v5.4';
  // v5.4 re-checks under domain->lock and WARN_ON_ONCEs at mode 6; v5.0 just refuses mode 6.
  if (v54 && address <= pmLevelSize(dom.mode)) return false;
  if (dom.mode === PAGE_MODE_6_LEVEL) return false;
  const k = m.kstack.enter(F_INCREASE, address);
  const pa = amdAllocTable(m, dom, dom.mode);
  if (pa < 0) {
    m.kstack.leave(k);
    return false;
  }
  const [lo, hi] = pmLevelPde(dom.mode, dom.root);
  setPte(m, dom, pa, 0, dom.mode, lo, hi, 0, 'increase_address_space');
  dom.root = pa;
  dom.mode += 1;
  if (!v54) dom.updated = true;
  m.emit('amd-domain', { op: 'grow', domain: dom.name, id: dom.id, type: dom.type, mode: dom.mode, root: dom.root });
  m.kstack.leave(k);
  return true;
}

/** Where alloc_pte/fetch_pte ended: the table, the slot and the table's 0-based level. */
export interface PteSlot {
  table: number;
  index: number;
  level: number;
}

/**
 * alloc_pte(domain, address, page_size, NULL, gfp[, &updated]): walk down to the level
 * page_size lives at, allocating tables; null where the kernel returns NULL. `upd.updated`
 * is v5.4's out parameter (v5.0 sets domain->updated instead).
 */
export function allocPte(m: Machine, dom: AmdDomain, address: number, pageSize: number, upd: { updated: boolean }): PteSlot | null {
  const k = m.kstack.enter(F_ALLOC_PTE, address, pageSize);
  try {
    const v54 = amdState(m).release === 'v5.4';
    while (address > pmLevelSize(dom.mode)) {
      const grew = increaseAddressSpace(m, dom, address);
      if (v54) upd.updated = grew || upd.updated;
      // v5.0 would spin here forever when the page allocation fails; stop instead.
      if (!grew) break;
    }
    let level = dom.mode - 1;
    let table = dom.root;
    let index = pmLevelIndex(level, address);
    address -= address % pageSize; // PAGE_SIZE_ALIGN
    const endLvl = pageSizeLevel(pageSize);
    const w = [0, 0];
    while (level > endLvl) {
      readWord(m.state.mem, table + 8 * index, w);
      const lo = w[0];
      const hi = w[1];
      const lvl = pteLevel(lo);
      if (v54 && ptePresent(lo) && lvl === PAGE_MODE_7_LEVEL) {
        // first_pte_l7: clear every replica that still matches the large mapping, then retry.
        const count = pageSizePteCount(ptePageSize(lo, hi));
        const first = index - (index % count);
        const r = [0, 0];
        for (let i = 0; i < count; i++) {
          readWord(m.state.mem, table + 8 * (first + i), r);
          if (r[0] === lo && r[1] === hi) setPte(m, dom, table, first + i, level, 0, 0, address, 'alloc_pte');
        }
        upd.updated = true;
        continue;
      }
      const replace = v54 ? !ptePresent(lo) || lvl === PAGE_MODE_NONE : !ptePresent(lo) || lvl === PAGE_MODE_7_LEVEL;
      if (replace) {
        const page = amdAllocTable(m, dom, level - 1);
        if (page < 0) return null;
        const [plo, phi] = pmLevelPde(level, page);
        setPte(m, dom, table, index, level, plo, phi, address, 'alloc_pte');
        if (v54) {
          if (ptePresent(lo)) upd.updated = true;
        } else if (lvl === PAGE_MODE_7_LEVEL) dom.updated = true;
        continue;
      }
      // "No level skipping support yet"
      if (lvl !== level) return null;
      level -= 1;
      table = addrOf(lo, hi);
      index = pmLevelIndex(level, address);
    }
    return { table, index, level };
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * fetch_pte(domain, address, &page_size): the leaf (the first of a next-level-7 series) and
 * its size; `table` -1 when nothing is mapped, with `size` the level size where the walk
 * stopped (what iommu_unmap_page steps by), or 0 beyond PM_LEVEL_SIZE(mode).
 */
export function fetchPte(m: Machine, dom: AmdDomain, address: number): PteSlot & { size: number } {
  if (address > pmLevelSize(dom.mode)) return { table: -1, index: 0, level: 0, size: 0 };
  let level = dom.mode - 1;
  let table = dom.root;
  let index = pmLevelIndex(level, address);
  let size = pteLevelPageSize(level);
  const w = [0, 0];
  while (level > 0) {
    readWord(m.state.mem, table + 8 * index, w);
    if (!ptePresent(w[0])) return { table: -1, index, level, size };
    const l = pteLevel(w[0]);
    if (l === 7 || l === 0) break;
    if (l !== level) return { table: -1, index, level, size };
    level -= 1;
    table = addrOf(w[0], w[1]);
    index = pmLevelIndex(level, address);
    size = pteLevelPageSize(level);
  }
  readWord(m.state.mem, table + 8 * index, w);
  if (ptePresent(w[0]) && pteLevel(w[0]) === PAGE_MODE_7_LEVEL) {
    size = ptePageSize(w[0], w[1]);
    const count = pageSizePteCount(size);
    index -= index % count;
  }
  return { table, index, level, size };
}

/**
 * iommu_map_page(dom, bus_addr, phys_addr, page_size, prot, gfp): 0, -EINVAL (no IR/IW in
 * prot) or -ENOMEM (alloc_pte failed). Mapping over a leaf replaces it without a flush;
 * replacing a table frees it after update_domain's flush.
 */
export function iommuMapPage(m: Machine, dom: AmdDomain, busAddr: number, physAddr: number, pageSize: number, prot: number): number {
  const k = m.kstack.enter(F_MAP_PAGE, busAddr, physAddr, pageSize, prot);
  try {
    const s = amdState(m);
    const call = s.mapPageCalls++;
    const v54 = s.release === 'v5.4';
    if (!(prot & (IOMMU_PROT_IR | IOMMU_PROT_IW))) return EINVAL;
    const upd = { updated: false };
    // Fault injection: this call's GFP_ATOMIC page allocation fails, as alloc_pte's would.
    const slot = s.mapPageEnomem.includes(call) ? null : allocPte(m, dom, busAddr, pageSize, upd);
    if (!slot) {
      if (v54 && upd.updated) updateDomain(m, dom);
      return ENOMEM;
    }
    const count = pageSizePteCount(pageSize);
    const freed: { pa: number; level: number }[] = [];
    const w = [0, 0];
    for (let i = 0; i < count; i++) {
      // free_clear_pte: cmpxchg to 0, then free the subtree a PDE pointed to.
      readWord(m.state.mem, slot.table + 8 * (slot.index + i), w);
      setPte(m, dom, slot.table, slot.index + i, slot.level, 0, 0, busAddr, 'iommu_map_page');
      if (ptePresent(w[0])) freeSubPt(m, addrOf(w[0], w[1]), pteLevel(w[0]), freed);
    }
    if (freed.length) {
      if (v54) upd.updated = true;
      else dom.updated = true;
    }
    const [lo, hi] = leafPte(physAddr, pageSize, prot);
    for (let i = 0; i < count; i++) setPte(m, dom, slot.table, slot.index + i, slot.level, lo, hi, busAddr, 'iommu_map_page');
    if (v54 ? upd.updated : dom.updated) updateDomain(m, dom);
    // "Everything flushed out, free pages now"
    for (const f of freed) freeTable(m, dom, f.pa, f.level);
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * iommu_unmap_page(dom, bus_addr, page_size): zero what fetch_pte finds (all replicas of a
 * series), stepping by the size found, until page_size bytes are covered. No flush, no
 * table freed. Returns the bytes covered.
 */
export function iommuUnmapPage(m: Machine, dom: AmdDomain, busAddr: number, pageSize: number): number {
  const k = m.kstack.enter(F_UNMAP_PAGE, busAddr, pageSize);
  let unmapped = 0;
  while (unmapped < pageSize) {
    const f = fetchPte(m, dom, busAddr);
    if (f.size === 0) break; // beyond the table: the kernel would loop forever
    if (f.table >= 0) {
      const count = pageSizePteCount(f.size);
      for (let i = 0; i < count; i++) setPte(m, dom, f.table, f.index + i, f.level, 0, 0, busAddr, 'iommu_unmap_page');
    }
    busAddr = busAddr - (busAddr % f.size) + f.size;
    unmapped += f.size;
  }
  m.kstack.leave(k);
  return unmapped;
}

/** amd_iommu_iova_to_phys: 0 when nothing present maps iova. */
export function amdIovaToPhys(m: Machine, dom: AmdDomain, iova: number): number {
  if (dom.mode === PAGE_MODE_NONE) return iova;
  const f = fetchPte(m, dom, iova);
  if (f.table < 0) return 0;
  readWord(m.state.mem, f.table + 8 * f.index, W);
  if (!ptePresent(W[0])) return 0;
  const a = addrOf(W[0], W[1]);
  return a - (a % f.size) + (iova % f.size);
}

/**
 * free_pagetable(domain) at domain free: v5.0 calls free_sub_pt and drops the list it
 * returns, so no page is freed (the pages leak); v5.4 frees them.
 */
export function freePagetable(m: Machine, dom: AmdDomain): number {
  if (dom.mode === PAGE_MODE_NONE) return 0;
  const pages: { pa: number; level: number }[] = [];
  freeSubPt(m, dom.root, dom.mode, pages);
  if (amdState(m).release !== 'v5.4') return 0;
  for (const p of pages) freeTable(m, dom, p.pa, p.level);
  return pages.length;
}

/** One step of a walk as the panel and `info amd` show it. */
export interface AmdWalkStep {
  readonly level: number;
  readonly index: number;
  readonly addr: number;
  readonly lo: number;
  readonly hi: number;
}

/** The walk of iova in a table rooted at `root` with `mode` levels, as the hardware does it. */
export function amdWalk(m: Machine, root: number, mode: number, iova: number): AmdWalkStep[] {
  const out: AmdWalkStep[] = [];
  let level = mode - 1;
  let table = root;
  const w = [0, 0];
  while (level >= 0 && out.length < 7) {
    const index = pmLevelIndex(level, iova);
    const addr = table + 8 * index;
    readWord(m.state.mem, addr, w);
    out.push({ level, index, addr, lo: w[0], hi: w[1] });
    if (!ptePresent(w[0])) break;
    const l = pteLevel(w[0]);
    if (l === 0 || l === 7 || l - 1 >= level) break;
    level = l - 1;
    table = addrOf(w[0], w[1]);
  }
  return out;
}

