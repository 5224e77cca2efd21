/**
 * Tearing mappings down (drivers/iommu/intel-iommu.c, v5.0.1 = v5.4.1). domain_unmap clears
 * the highest entries a range covers whole and lists the tables below them for freeing
 * once the IOTLB is flushed (the hardware may still walk them); the tables themselves are
 * not touched, so their words stay in memory until the pages are reused.
 * dma_pte_clear_range / dma_pte_free_pagetable serve the superpage and map_sg paths.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import {
  PTES_PER_TABLE, VTD_PAGE_SIZE, agawToLevel, alignToLevel, domainMaxPfn, dmaPteAddr, dmaPtePresent, dmaPteSuperpage,
  levelBase, levelSize, lvlToNrPages, pfnLevelOffset,
} from './bits.ts';
import { vtdFreeTable, vtdReadPte, vtdSetPte } from './tables.ts';
import type { VtdPgtable } from './types.ts';

const INTEL_IOMMU_C = 'drivers/iommu/intel-iommu.c';
const F_DOMAIN_UNMAP = kfunc('domain_unmap', INTEL_IOMMU_C, ['start_pfn', 'last_pfn']);
const F_CLEAR_LEVEL = kfunc('dma_pte_clear_level', INTEL_IOMMU_C, ['level', 'pfn', 'start_pfn', 'last_pfn']);
const F_CLEAR_RANGE = kfunc('dma_pte_clear_range', INTEL_IOMMU_C, ['start_pfn', 'last_pfn']);
const F_FREE_PAGETABLE = kfunc('dma_pte_free_pagetable', INTEL_IOMMU_C, ['start_pfn', 'last_pfn', 'retain_level']);
const F_FREE_PAGELIST = kfunc('dma_free_pagelist', INTEL_IOMMU_C);

/** A table page waiting to be freed (struct page freelist), and the level it served. */
export interface VtdFreeTable {
  pa: number;
  level: number;
}

/** Table page an entry points at (a table at `level - 1` below an entry at `level`). */
const below = (v: number): number => dmaPteAddr(v);
const firstInPage = (pa: number): boolean => pa % VTD_PAGE_SIZE === 0;
const slotOf = (pa: number): number => (pa % VTD_PAGE_SIZE) / 8;

function clearPte(m: Machine, pt: VtdPgtable, pa: number, level: number, pfn: number): void {
  vtdSetPte(m, pt, pa, level, slotOf(pa), pfn, 0);
}

/**
 * dma_pfn_level_pte(domain, pfn, level, &large_page): the entry at `level` for pfn, or null
 * (with the level where a non-present entry stopped the walk) — a superpage above `level`
 * is returned itself.
 */
function dmaPfnLevelPte(m: Machine, pt: VtdPgtable, pfn: number, level: number): { pa: number | null; large: number } {
  let parent = pt.pgd;
  let total = agawToLevel(pt.agaw);
  while (level <= total) {
    const pa = parent + 8 * pfnLevelOffset(pfn, total);
    if (level === total) return { pa, large: 1 };
    const v = vtdReadPte(m, pa);
    if (!dmaPtePresent(v)) return { pa: null, large: total };
    if (dmaPteSuperpage(v)) return { pa, large: total };
    parent = below(v);
    total--;
  }
  return { pa: null, large: 1 };
}

/** dma_pte_clear_range: clear the leaves of [start_pfn, last_pfn]; tables stay. */
export function vtdPteClearRange(m: Machine, pt: VtdPgtable, startPfn: number, lastPfn: number): void {
  const k = m.kstack.enter(F_CLEAR_RANGE, startPfn, lastPfn);
  do {
    const { pa, large } = dmaPfnLevelPte(m, pt, startPfn, 1);
    if (pa === null) {
      startPfn = alignToLevel(startPfn + 1, large + 1);
      continue;
    }
    let p = pa;
    do {
      clearPte(m, pt, p, large, startPfn);
      startPfn += lvlToNrPages(large);
      p += 8;
    } while (startPfn <= lastPfn && !firstInPage(p));
  } while (startPfn && startPfn <= lastPfn);
  m.kstack.leave(k);
}

/** dma_pte_free_level: free tables below `retain_level` that the range covers whole. */
function freeLevel(m: Machine, pt: VtdPgtable, level: number, retain: number, table: number, pfn: number, startPfn: number, lastPfn: number): void {
  pfn = Math.max(startPfn, pfn);
  let pa = table + 8 * pfnLevelOffset(pfn, level);
  do {
    const v = vtdReadPte(m, pa);
    if (dmaPtePresent(v) && !dmaPteSuperpage(v)) {
      const levelPfn = levelBase(pfn, level);
      const levelTable = below(v);
      if (level > 2) freeLevel(m, pt, level - 1, retain, levelTable, levelPfn, startPfn, lastPfn);
      if (level < retain && !(startPfn > levelPfn || lastPfn < levelPfn + levelSize(level) - 1)) {
        clearPte(m, pt, pa, level, levelPfn);
        vtdFreeTable(m, pt, levelTable, level - 1);
      }
    }
    pfn += levelSize(level);
    pa += 8;
  } while (!firstInPage(pa) && pfn <= lastPfn);
}

/** dma_pte_free_pagetable: clear the leaves, then free the tables below `retain_level`. */
export function vtdPteFreePagetable(m: Machine, pt: VtdPgtable, startPfn: number, lastPfn: number, retain: number): void {
  const k = m.kstack.enter(F_FREE_PAGETABLE, startPfn, lastPfn, retain);
  vtdPteClearRange(m, pt, startPfn, lastPfn);
  freeLevel(m, pt, agawToLevel(pt.agaw), retain, pt.pgd, 0, startPfn, lastPfn);
  if (startPfn === 0 && lastPfn === domainMaxPfn(pt.gaw)) {
    vtdFreeTable(m, pt, pt.pgd, agawToLevel(pt.agaw));
    pt.pgd = 0;
  }
  m.kstack.leave(k);
}

/** dma_pte_list_pagetables: the table under `pte` and every table below it, newest first. */
function listPagetables(m: Machine, level: number, ptePa: number, freelist: VtdFreeTable[]): void {
  const pg = below(vtdReadPte(m, ptePa));
  freelist.push({ pa: pg, level });
  if (level === 1) return;
  for (let i = 0; i < PTES_PER_TABLE; i++) {
    const v = vtdReadPte(m, pg + 8 * i);
    if (dmaPtePresent(v) && !dmaPteSuperpage(v)) listPagetables(m, level - 1, pg + 8 * i, freelist);
  }
}

/** dma_pte_clear_level: clear what the range covers whole, recurse where it covers a part. */
function clearLevel(m: Machine, pt: VtdPgtable, level: number, table: number, pfn: number, startPfn: number, lastPfn: number, freelist: VtdFreeTable[]): void {
  const k = m.kstack.enter(F_CLEAR_LEVEL, level, pfn, startPfn, lastPfn);
  pfn = Math.max(startPfn, pfn);
  let pa = table + 8 * pfnLevelOffset(pfn, level);
  do {
    const v = vtdReadPte(m, pa);
    if (dmaPtePresent(v)) {
      const levelPfn = levelBase(pfn, level);
      if (startPfn <= levelPfn && lastPfn >= levelPfn + levelSize(level) - 1) {
        if (level > 1 && !dmaPteSuperpage(v)) listPagetables(m, level - 1, pa, freelist);
        clearPte(m, pt, pa, level, levelPfn);
      } else if (level > 1) {
        clearLevel(m, pt, level - 1, below(v), levelPfn, startPfn, lastPfn, freelist);
      }
    }
    pfn += levelSize(level);
    pa += 8;
  } while (!firstInPage(pa) && pfn <= lastPfn);
  m.kstack.leave(k);
}

/**
 * domain_unmap(domain, start_pfn, last_pfn): clears and returns the freelist, in the order
 * dma_free_pagelist will free it (the kernel's list is built newest first). Unmapping the
 * whole space also gives up the top table (domain->pgd = NULL).
 */
export function vtdDomainUnmap(m: Machine, pt: VtdPgtable, startPfn: number, lastPfn: number): VtdFreeTable[] {
  const k = m.kstack.enter(F_DOMAIN_UNMAP, startPfn, lastPfn);
  const freelist: VtdFreeTable[] = [];
  clearLevel(m, pt, agawToLevel(pt.agaw), pt.pgd, 0, startPfn, lastPfn, freelist);
  if (startPfn === 0 && lastPfn === domainMaxPfn(pt.gaw)) {
    freelist.push({ pa: pt.pgd, level: agawToLevel(pt.agaw) });
    pt.pgd = 0;
  }
  m.kstack.leave(k);
  return freelist.reverse();
}

/** dma_free_pagelist: give the listed tables back (after the IOTLB flush that made it safe). */
export function vtdFreePagelist(m: Machine, pt: VtdPgtable, freelist: readonly VtdFreeTable[]): void {
  if (!freelist.length) return;
  const k = m.kstack.enter(F_FREE_PAGELIST);
  for (const t of freelist) vtdFreeTable(m, pt, t.pa, t.level);
  m.kstack.leave(k);
}
