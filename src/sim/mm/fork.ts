/**
 * fork's address-space copy (kernel/fork.c dup_mmap -> mm/memory.c copy_page_range, v5.0):
 * a COW mapping is bracketed by invalidate_range_start/end on the *parent* mm, because
 * its writable PTEs are write-protected; the child gets old (not young) PTEs and no
 * notifier subscribers.
 */
import type { Machine } from '../machine.ts';
import type { MmStruct, Vma } from './types.ts';
import { mmModel, pageMeta, ptesIn, setPte } from './state.ts';
import { mmuNotifierInvalidateRangeEnd, mmuNotifierInvalidateRangeStart } from './notifier.ts';

export function mmCreate(m: Machine, name: string): MmStruct {
  const mdl = mmModel(m);
  const mm: MmStruct = {
    id: mdl.mms.length, name, vmas: [], ptes: new Map(), changedBy: new Map(), subscribers: [], exited: false,
  };
  mdl.mms.push(mm);
  return mm;
}

/** copy_one_pte for a present or swap PTE. */
function copyOnePte(m: Machine, parent: MmStruct, child: MmStruct, v: Vma, vpn: number, cow: boolean): void {
  const p = parent.ptes.get(vpn)!;
  if (!p.present) {
    if (p.swap >= 0) mmModel(m).swap.get(p.swap)!.refs++; // swap_duplicate
    child.ptes.set(vpn, { ...p });
    return;
  }
  if (cow && p.write) setPte(m, parent, vpn, { ...p, write: false }, 'ptep_set_wrprotect');
  const q = { ...parent.ptes.get(vpn)!, young: false }; // pte_mkold
  if (v.shared) q.dirty = false; // pte_mkclean
  if (!q.special) pageMeta(m, q.pfn)!.mapcount++; // page_dup_rmap
  setPte(m, child, vpn, q, 'copy_one_pte');
}

/** copy_page_range: skipped for VMAs a fault can refill (no anon_vma, not VM_PFNMAP / VM_MIXEDMAP). */
function copyPageRange(m: Machine, parent: MmStruct, child: MmStruct, v: Vma): void {
  if (v.kind !== 'device' && v.kind !== 'driver' && !v.anonVma) return;
  const cow = !v.shared && v.kind !== 'device'; // is_cow_mapping: private and may write
  const range = { mm: parent, start: v.start, end: v.end, blockable: true, event: 'MMU_NOTIFY_PROTECTION_PAGE' as const };
  if (cow) mmuNotifierInvalidateRangeStart(m, range);
  for (const [vpn] of ptesIn(parent, v.start, v.end)) copyOnePte(m, parent, child, v, vpn, cow);
  if (cow) mmuNotifierInvalidateRangeEnd(m, range);
}

export function fork(m: Machine, parent: MmStruct, childName: string): MmStruct {
  m.emit('mm', { op: 'fork', mm: parent.name, child: childName });
  const child = mmCreate(m, childName);
  for (const v of parent.vmas) {
    child.vmas.push({ ...v });
    copyPageRange(m, parent, child, v);
  }
  return child;
}
