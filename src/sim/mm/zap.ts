/**
 * Tearing down PTEs the way munmap, exit and the OOM reaper do: unmap_vmas brackets the
 * range with invalidate_range_start/end, zap_pte_range clears the PTEs and gathers the
 * pages in an mmu_gather, and tlb_finish_mmu flushes (tlb_flush_mmu_tlbonly, which calls
 * invalidate_range for the gathered range) before the pages are freed (mm/memory.c,
 * include/asm-generic/tlb.h, v5.0). x86 has empty tlb_start_vma/tlb_end_vma.
 */
import type { Machine } from '../machine.ts';
import type { MmStruct } from './types.ts';
import { PAGE_SIZE } from './types.ts';
import { freePage, mmModel, ptesIn, setPte, unmapPageRef, vaOf } from './state.ts';
import {
  mmuNotifierInvalidateRange, mmuNotifierInvalidateRangeEnd, mmuNotifierInvalidateRangeStart,
} from './notifier.ts';

/** struct mmu_gather: the range of cleared PTEs and the pages to free after the flush. */
export interface MmuGather {
  mm: MmStruct;
  start: number;
  end: number; // 0 = nothing gathered
  pages: number[];
}

export function tlbGatherMmu(mm: MmStruct): MmuGather {
  return { mm, start: Infinity, end: 0, pages: [] };
}

/** zap_pte_range over [start, end): present PTEs go to the gather, swap entries are freed. */
export function zapPteRange(m: Machine, tlb: MmuGather, start: number, end: number): void {
  const mdl = mmModel(m);
  for (const [vpn, p] of ptesIn(tlb.mm, start, end)) {
    setPte(m, tlb.mm, vpn, undefined, 'zap_pte_range');
    if (p.present) {
      // tlb_remove_tlb_entry: __tlb_adjust_range(tlb, address, PAGE_SIZE)
      tlb.start = Math.min(tlb.start, vaOf(vpn));
      tlb.end = Math.max(tlb.end, vaOf(vpn) + PAGE_SIZE);
      if (!p.special) unmapPageRef(m, p.pfn, 'zap_pte_range', tlb.pages);
    } else if (p.swap >= 0) {
      const slot = mdl.swap.get(p.swap)!;
      if (--slot.refs === 0) mdl.swap.delete(p.swap); // free_swap_and_cache
    }
  }
}

/** tlb_finish_mmu -> tlb_flush_mmu: tlbonly (invalidate_range) first, then free pages. */
export function tlbFinishMmu(m: Machine, tlb: MmuGather): void {
  if (tlb.end) mmuNotifierInvalidateRange(m, tlb.mm, tlb.start, tlb.end, 'tlb_flush_mmu_tlbonly');
  for (const pfn of tlb.pages) freePage(m, pfn, 'tlb_finish_mmu');
  tlb.pages.length = 0;
  tlb.end = 0;
  tlb.start = Infinity;
}

/** unmap_region: unmap_vmas (start, zap, end) then tlb_finish_mmu. */
export function unmapRegion(m: Machine, mm: MmStruct, start: number, end: number): void {
  const tlb = tlbGatherMmu(mm);
  const range = { mm, start, end, blockable: true, event: 'MMU_NOTIFY_UNMAP' as const };
  mmuNotifierInvalidateRangeStart(m, range);
  for (const v of mm.vmas) {
    if (v.end <= start || v.start >= end) continue;
    zapPteRange(m, tlb, Math.max(start, v.start), Math.min(end, v.end));
  }
  mmuNotifierInvalidateRangeEnd(m, range);
  tlbFinishMmu(m, tlb);
}
