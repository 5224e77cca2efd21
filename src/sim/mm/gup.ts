/**
 * get_user_pages for a range of a process (mm/gup.c __get_user_pages, v5.0.1 = v5.4.1 for
 * what is modelled): per page find the VMA, refuse VM_IO | VM_PFNMAP (check_vma_flags:
 * no struct page to hand out) or a write to a VMA without VM_WRITE, follow the PTE, fault
 * it in when it is missing or read-only for a write, and take the page. It stops at the
 * first failure: the pages pinned so far, or the error when there are none.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { type MmStruct, PAGE_SIZE } from './types.ts';
import { findVma, vpnOf } from './state.ts';
import { handleMmFault } from './fault.ts';
import { vmaIsPfnmap } from './devmap.ts';
import { p2pChunkOf } from '../pci/p2pdma.ts';

const F_GUP = kfunc('__get_user_pages', 'mm/gup.c', ['start', 'nr_pages', 'gup_flags']);
const EFAULT = -14;
const FOLL_WRITE = 0x01;

export interface GupResult {
  /** Page frames pinned, in order. */
  readonly pfns: number[];
  /** Pages pinned, or -errno. */
  readonly ret: number;
}

export function getUserPages(m: Machine, mm: MmStruct, start: number, nr: number, write: boolean): GupResult {
  const k = m.kstack.enter(F_GUP, start, nr, write ? FOLL_WRITE : 0);
  const pfns: number[] = [];
  let reason: string | undefined;
  for (let i = 0; i < nr && reason === undefined; i++) {
    const va = start + i * PAGE_SIZE;
    const vma = findVma(mm, va);
    if (!vma) reason = 'no vma';
    else if (vmaIsPfnmap(vma)) reason = 'VM_IO|VM_PFNMAP (check_vma_flags)';
    else if (write ? !vma.write : !vma.read) reason = write ? 'no VM_WRITE (check_vma_flags)' : 'no VM_READ (check_vma_flags)';
    else {
      let p = mm.ptes.get(vpnOf(va));
      if (!p || !p.present || (write && !p.write)) {
        const r = handleMmFault(m, mm, va, write); // faultin_page, then follow_page_mask again
        if (!r.ok) reason = `fault: ${r.how}`;
        p = mm.ptes.get(vpnOf(va));
      }
      if (reason === undefined && p && p.present) pfns.push(p.pfn);
    }
  }
  const ret = pfns.length ? pfns.length : reason ? EFAULT : 0;
  const kinds = [...new Set(pfns.map((pfn) => (p2pChunkOf(m, pfn * PAGE_SIZE) ? 'p2pmem' : 'ram')))].join(',');
  m.emit('gup', { mm: mm.name, start, nr, write, pinned: pfns.length, ret, reason, pages: kinds || undefined });
  m.kstack.leave(k);
  return { pfns, ret };
}
