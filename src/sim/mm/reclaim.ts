/**
 * Page aging and reclaim through rmap (mm/rmap.c, mm/vmscan.c, mm/page_idle.c,
 * mm/khugepaged.c, v5.0): page_referenced_one's ptep_clear_flush_young_notify,
 * try_to_unmap_one's start / young check / ptep_clear_flush / explicit invalidate_range
 * (anonymous pages) / end, the idle tracker's clear_young and khugepaged's test_young.
 */
import type { Machine } from '../machine.ts';
import { readBytes } from '../mem/phys.ts';
import { type MmStruct, PAGE_SIZE } from './types.ts';
import {
  freePage, mmModel, pageMeta, paOf, ptesIn, rmapWalk, setPte, setPteBits, unmapPageRef, vaOf,
} from './state.ts';
import {
  mmuNotifierClearFlushYoung, mmuNotifierClearYoung, mmuNotifierInvalidateRange, mmuNotifierInvalidateRangeEnd,
  mmuNotifierInvalidateRangeStart, mmuNotifierTestYoung,
} from './notifier.ts';

/** ptep_clear_flush_young_notify: the CPU bit is tested and cleared, then the notifiers ORed in. */
function ptepClearFlushYoungNotify(m: Machine, mm: MmStruct, vpn: number): boolean {
  const p = mm.ptes.get(vpn)!;
  let young = p.young;
  if (young) setPteBits(m, mm, vpn, { young: false }, 'ptep_clear_flush_young');
  const va = vaOf(vpn);
  if (mmuNotifierClearFlushYoung(m, mm, va, va + PAGE_SIZE)) young = true;
  return young;
}

/** page_referenced: page_referenced_one for every mapping; how many were young. */
export function pageReferenced(m: Machine, pfn: number): number {
  let referenced = 0;
  for (const { mm, vpn } of rmapWalk(m, pfn)) if (ptepClearFlushYoungNotify(m, mm, vpn)) referenced++;
  return referenced;
}

/** try_to_unmap_one (flags without TTU_IGNORE_ACCESS); false when the mapping was young. */
function tryToUnmapOne(m: Machine, mm: MmStruct, vpn: number, slot: number): boolean {
  const va = vaOf(vpn);
  const range = { mm, start: va, end: va + PAGE_SIZE, blockable: true, event: 'MMU_NOTIFY_CLEAR' as const };
  mmuNotifierInvalidateRangeStart(m, range);
  let ok = !ptepClearFlushYoungNotify(m, mm, vpn);
  if (ok) {
    const p = mm.ptes.get(vpn)!;
    // shrink_page_list passes TTU_BATCH_FLUSH: the CPU TLB flush is batched, the
    // secondary-TLB flush is not (the explicit invalidate_range below, or end's).
    setPte(m, mm, vpn, undefined, 'ptep_get_and_clear');
    if (slot >= 0) {
      const swp = { pfn: 0, present: false, write: false, young: false, dirty: false, swap: slot, special: false };
      setPte(m, mm, vpn, swp, 'set_pte_at(swp_pte)');
      mmModel(m).swap.get(slot)!.refs++;
      // "Invalidate as we cleared the pte": explicit, before the page can be freed.
      mmuNotifierInvalidateRange(m, mm, va, va + PAGE_SIZE, 'try_to_unmap_one');
    }
    unmapPageRef(m, p.pfn, 'try_to_unmap_one', []);
  }
  mmuNotifierInvalidateRangeEnd(m, range);
  return ok;
}

type ReclaimResult = 'activated' | 'reclaimed' | 'busy' | 'writeback';

/** shrink_page_list for one page: page_check_references, add_to_swap, try_to_unmap, free. */
function shrinkPage(m: Machine, pfn: number): ReclaimResult {
  if (pageReferenced(m, pfn) > 0) return 'activated';
  const meta = pageMeta(m, pfn)!;
  const mdl = mmModel(m);
  const maps = rmapWalk(m, pfn);
  if (!meta.anon && maps.some(({ mm, vpn }) => mm.ptes.get(vpn)!.dirty)) return 'writeback';
  let slot = -1;
  if (meta.anon) {
    slot = mdl.swapNext++;
    mdl.swap.set(slot, { data: readBytes(m.state.mem, paOf(pfn), PAGE_SIZE), refs: 0 });
  }
  for (const { mm, vpn } of maps) if (!tryToUnmapOne(m, mm, vpn, slot)) return 'busy';
  const left = pageMeta(m, pfn)!;
  if (left.mapcount === 0) freePage(m, pfn, 'shrink_page_list');
  return 'reclaimed';
}

/** The pages (struct page, no PFN maps or zero page) mapped in [start, end), each once. */
function pagesIn(mm: MmStruct, start: number, end: number): { vpn: number; pfn: number }[] {
  const seen = new Set<number>();
  const out: { vpn: number; pfn: number }[] = [];
  for (const [vpn, p] of ptesIn(mm, start, end)) {
    if (!p.present || p.special || seen.has(p.pfn)) continue;
    seen.add(p.pfn);
    out.push({ vpn, pfn: p.pfn });
  }
  return out;
}

function note(m: Machine, mm: MmStruct, vpn: number, pfn: number, young: boolean, result: string): void {
  m.emit('reclaim', { mm: mm.name, va: vaOf(vpn), pa: paOf(pfn), young, result });
}

/** The LRU scan's aging pass (shrink_active_list): page_referenced, nothing freed. */
export function agePages(m: Machine, mm: MmStruct, start: number, end: number): void {
  m.emit('mm', { op: 'age', mm: mm.name, start, end });
  for (const { vpn, pfn } of pagesIn(mm, start, end)) note(m, mm, vpn, pfn, pageReferenced(m, pfn) > 0, 'aged');
}

/** Reclaim: every page found old is unmapped and freed (anonymous pages go to swap). */
export function reclaimPages(m: Machine, mm: MmStruct, start: number, end: number): void {
  m.emit('mm', { op: 'reclaim', mm: mm.name, start, end });
  for (const { vpn, pfn } of pagesIn(mm, start, end)) {
    const r = shrinkPage(m, pfn);
    note(m, mm, vpn, pfn, r === 'activated' || r === 'busy', r);
  }
}

/** page_idle_clear_pte_refs_one: ptep_clear_young_notify (no flush) per mapping. */
export function pageIdle(m: Machine, mm: MmStruct, start: number, end: number): void {
  m.emit('mm', { op: 'page_idle', mm: mm.name, start, end });
  for (const { vpn, pfn } of pagesIn(mm, start, end)) {
    let young = false;
    for (const map of rmapWalk(m, pfn)) {
      const p = map.mm.ptes.get(map.vpn)!;
      if (p.young) { young = true; setPteBits(m, map.mm, map.vpn, { young: false }, 'ptep_test_and_clear_young'); }
      const va = vaOf(map.vpn);
      if (mmuNotifierClearYoung(m, map.mm, va, va + PAGE_SIZE)) young = true;
    }
    note(m, mm, vpn, pfn, young, 'idle');
  }
}

/** khugepaged_scan_pmd's reference test: pte_young, else mmu_notifier_test_young. */
export function testYoung(m: Machine, mm: MmStruct, start: number, end: number): void {
  m.emit('mm', { op: 'khugepaged_scan', mm: mm.name, start, end });
  for (const { vpn, pfn } of pagesIn(mm, start, end)) {
    const young = mm.ptes.get(vpn)!.young || mmuNotifierTestYoung(m, mm, vaOf(vpn)) === 1;
    note(m, mm, vpn, pfn, young, 'tested');
  }
}
