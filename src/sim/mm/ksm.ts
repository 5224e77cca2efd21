/**
 * KSM merging (mm/ksm.c, v5.0). write_protect_page: start(page) -> ptep_clear_flush (no
 * notify) -> set_pte_at_notify(wrprotected, clean) -> end, only when the PTE was
 * writable or dirty. replace_page: start(page) -> ptep_clear_flush -> set_pte_at_notify
 * (the KSM page) -> end; the old page's last reference goes after end.
 */
import type { Machine } from '../machine.ts';
import { readBytes } from '../mem/phys.ts';
import { type MmStruct, PAGE_SIZE } from './types.ts';
import { freePage, pageMeta, paOf, setPte, unmapPageRef, vaOf, vpnOf } from './state.ts';
import {
  mmuNotifierChangePte, mmuNotifierInvalidateRangeEnd, mmuNotifierInvalidateRangeStart,
} from './notifier.ts';

function pagesIdentical(m: Machine, a: number, b: number): boolean {
  const x = readBytes(m.state.mem, paOf(a), PAGE_SIZE), y = readBytes(m.state.mem, paOf(b), PAGE_SIZE);
  for (let i = 0; i < PAGE_SIZE; i++) if (x[i] !== y[i]) return false;
  return true;
}

function writeProtectPage(m: Machine, mm: MmStruct, vpn: number): void {
  const va = vaOf(vpn);
  const range = { mm, start: va, end: va + PAGE_SIZE, blockable: true, event: 'MMU_NOTIFY_CLEAR' as const };
  mmuNotifierInvalidateRangeStart(m, range);
  const p = mm.ptes.get(vpn)!;
  if (p.write || p.dirty) {
    setPte(m, mm, vpn, undefined, 'ptep_clear_flush');
    mmuNotifierChangePte(m, mm, va, p.pfn);
    setPte(m, mm, vpn, { ...p, write: false, dirty: false }, 'set_pte_at_notify');
  }
  mmuNotifierInvalidateRangeEnd(m, range);
}

/** replace_page: returns the old page, whose reference the caller drops after end. */
function replacePage(m: Machine, mm: MmStruct, vpn: number, kpfn: number): number {
  const va = vaOf(vpn);
  const range = { mm, start: va, end: va + PAGE_SIZE, blockable: true, event: 'MMU_NOTIFY_CLEAR' as const };
  mmuNotifierInvalidateRangeStart(m, range);
  const old = mm.ptes.get(vpn)!;
  pageMeta(m, kpfn)!.mapcount++; // get_page + page_add_anon_rmap
  setPte(m, mm, vpn, undefined, 'ptep_clear_flush');
  mmuNotifierChangePte(m, mm, va, kpfn);
  setPte(m, mm, vpn, { ...old, pfn: kpfn, write: false, dirty: false, young: true }, 'set_pte_at_notify');
  mmuNotifierInvalidateRangeEnd(m, range);
  return old.pfn;
}

/** try_to_merge_one_page(vma, page, kpage); kpage < 0 makes `page` the KSM page. */
function tryToMergeOnePage(m: Machine, mm: MmStruct, vpn: number, kpfn: number): void {
  writeProtectPage(m, mm, vpn);
  const pfn = mm.ptes.get(vpn)!.pfn;
  if (kpfn < 0) {
    pageMeta(m, pfn)!.ksm = true; // set_page_stable_node
    return;
  }
  const old = replacePage(m, mm, vpn, kpfn);
  unmapPageRef(m, old, 'replace_page', []);
  if (pageMeta(m, old)?.mapcount === 0) freePage(m, old, 'cmp_and_merge_page');
}

function mergeable(m: Machine, mm: MmStruct, vpn: number): number {
  const p = mm.ptes.get(vpn);
  if (!p || !p.present || p.special) return -1;
  const meta = pageMeta(m, p.pfn);
  return meta && meta.anon ? p.pfn : -1;
}

/**
 * cmp_and_merge_page for (mm, va) against a candidate (other, otherVa): a stable-tree
 * KSM page is merged into directly; an unstable-tree page goes through
 * try_to_merge_two_pages (the scanned page becomes the KSM page, the tree page is replaced).
 */
export function ksmMerge(m: Machine, mm: MmStruct, va: number, other: MmStruct, otherVa: number): void {
  const vpn = vpnOf(va), ovpn = vpnOf(otherVa);
  const rec = { op: 'ksm', mm: mm.name, start: va, end: va + PAGE_SIZE, with: { mm: other.name, va: otherVa } };
  const pfn = mergeable(m, mm, vpn), tree = mergeable(m, other, ovpn);
  if (pfn < 0 || tree < 0) return void m.emit('mm', { ...rec, result: 'not-mergeable' });
  if (pfn === tree) return void m.emit('mm', { ...rec, result: 'same-page' });
  if (!pagesIdentical(m, pfn, tree)) return void m.emit('mm', { ...rec, result: 'differ' });
  if (pageMeta(m, tree)!.ksm) {
    m.emit('mm', { ...rec, result: 'stable-merge' });
    tryToMergeOnePage(m, mm, vpn, tree);
    return;
  }
  m.emit('mm', { ...rec, result: 'unstable-merge' });
  tryToMergeOnePage(m, mm, vpn, -1);
  tryToMergeOnePage(m, other, ovpn, pfn);
}
