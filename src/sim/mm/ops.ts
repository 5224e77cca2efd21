/**
 * Address-space operations a scenario schedules: mmap, munmap, mprotect and mremap
 * (mm/mmap.c, mm/mprotect.c, mm/mremap.c, v5.0), each with the notifier calls the
 * kernel makes and an `mm` record saying what was asked and what happened.
 */
import type { Machine } from '../machine.ts';
import { type MmStruct, PAGE_SIZE, PMD_SIZE, PUD_SIZE, type Vma, type VmaKind } from './types.ts';
import { ptesIn, setPte, vpnOf } from './state.ts';
import { handleMmFault } from './fault.ts';
import {
  type MmuNotifierRange, mmuNotifierInvalidateRangeEnd, mmuNotifierInvalidateRangeStart,
} from './notifier.ts';
import { unmapRegion } from './zap.ts';
import { detachVmas, insertVma, rangeFree, vmaCovering, vmasIn } from './vma.ts';

export interface MmapArgs {
  start: number;
  size: number;
  write: boolean;
  kind: VmaKind;
  shared: boolean;
  file: string;
  pgoff: number;
  populate: boolean;
}

/**
 * do_munmap: split, unmap_region (notifiers, free), then drop the VMAs. With no VMA in
 * [start, end) __do_munmap returns 0 before unmap_region: no notifier call at all.
 */
export function doMunmap(m: Machine, mm: MmStruct, start: number, end: number): void {
  if (rangeFree(mm, start, end)) return;
  vmasIn(mm, start, end);
  unmapRegion(m, mm, start, end);
  detachVmas(mm, start, end);
}

export function munmap(m: Machine, mm: MmStruct, start: number, size: number): void {
  m.emit('mm', { op: 'munmap', mm: mm.name, start, end: start + size });
  doMunmap(m, mm, start, start + size);
}

/** mmap_region with MAP_FIXED: an overlapped range is munmapped first; MAP_POPULATE faults it in. */
export function mmap(m: Machine, mm: MmStruct, a: MmapArgs): void {
  const end = a.start + a.size;
  const prot = a.write ? 'rw' : 'r';
  m.emit('mm', { op: 'mmap', mm: mm.name, start: a.start, end, prot, vma: a.kind, shared: a.shared });
  if (!rangeFree(mm, a.start, end)) doMunmap(m, mm, a.start, end);
  const v: Vma = {
    start: a.start, end, read: true, write: a.write, shared: a.shared, kind: a.kind, file: a.file, pgoff: a.pgoff, anonVma: false,
  };
  insertVma(mm, v);
  if (!a.populate) return;
  // populate_vma_page_range: FOLL_WRITE only for private writable mappings.
  const write = a.write && !a.shared;
  for (let va = a.start; va < end; va += PAGE_SIZE) handleMmFault(m, mm, va, write);
}

/** A PTE table exists for this 2 MiB region (pmd_none is false)? */
function pmdPopulated(mm: MmStruct, addr: number): boolean {
  const base = Math.floor(addr / PMD_SIZE) * PMD_SIZE;
  return ptesIn(mm, base, base + PMD_SIZE).length > 0;
}

/**
 * change_protection_range -> change_pmd_range: per PUD-level sub-range, one notifier pair
 * opened at the first populated PMD and closed after the loop (mm/mprotect.c, v5.0).
 */
function changeProtection(m: Machine, mm: MmStruct, v: Vma, start: number, end: number): void {
  for (let addr = start; addr < end; ) {
    const next = Math.min(end, (Math.floor(addr / PUD_SIZE) + 1) * PUD_SIZE);
    let range: MmuNotifierRange | undefined;
    for (let a = addr; a < next; a = Math.min(next, (Math.floor(a / PMD_SIZE) + 1) * PMD_SIZE)) {
      if (!pmdPopulated(mm, a)) continue;
      if (!range) {
        range = { mm, start: a, end: next, blockable: true, event: 'MMU_NOTIFY_PROTECTION_VMA' };
        mmuNotifierInvalidateRangeStart(m, range);
      }
      changePteRange(m, mm, v, a, Math.min(next, (Math.floor(a / PMD_SIZE) + 1) * PMD_SIZE));
    }
    if (range) mmuNotifierInvalidateRangeEnd(m, range);
    addr = next;
  }
}

/** change_pte_range: pte_modify with the VMA's new vm_page_prot (private stays read-only). */
function changePteRange(m: Machine, mm: MmStruct, v: Vma, start: number, end: number): void {
  for (const [vpn, p] of ptesIn(mm, start, end)) {
    if (!p.present) continue;
    const sharedWritable = (v.shared || v.kind === 'device') && !(p.special && v.kind !== 'device');
    const write = !v.write ? false : sharedWritable ? true : p.write;
    if (write !== p.write) setPte(m, mm, vpn, { ...p, write }, 'change_pte_range');
  }
}

export function mprotect(m: Machine, mm: MmStruct, start: number, size: number, write: boolean): void {
  const end = start + size;
  m.emit('mm', { op: 'mprotect', mm: mm.name, start, end, prot: write ? 'rw' : 'r' });
  for (const v of vmasIn(mm, start, end)) {
    v.write = write; // mprotect_fixup, then change_protection over the VMA
    changeProtection(m, mm, v, v.start, v.end);
  }
}

/** move_page_tables: one notifier pair over the old range around move_ptes. */
function movePageTables(m: Machine, mm: MmStruct, oldStart: number, newStart: number, len: number): void {
  const range = { mm, start: oldStart, end: oldStart + len, blockable: true, event: 'MMU_NOTIFY_UNMAP' as const };
  mmuNotifierInvalidateRangeStart(m, range);
  for (const [vpn, p] of ptesIn(mm, oldStart, oldStart + len)) {
    setPte(m, mm, vpn, undefined, 'move_ptes');
    setPte(m, mm, vpnOf(newStart) + (vpn - vpnOf(oldStart)), p, 'move_ptes');
  }
  mmuNotifierInvalidateRangeEnd(m, range);
}

/** mremap: shrink (do_munmap of the tail), grow in place, or MREMAP_FIXED move (mremap_to). */
export function mremap(m: Machine, mm: MmStruct, a: { start: number; oldSize: number; newSize: number; newStart?: number }): void {
  const oldEnd = a.start + a.oldSize;
  const to = a.newStart ?? a.start;
  const rec = { op: 'mremap', mm: mm.name, start: a.start, end: oldEnd, newStart: to, newEnd: to + a.newSize };
  const v = vmaCovering(mm, a.start, oldEnd);
  if (!v) return void m.emit('mm', { ...rec, result: 'EFAULT' });
  if (a.newStart === undefined || a.newStart === a.start) {
    if (a.newSize <= a.oldSize) {
      m.emit('mm', { ...rec, result: 'shrink' });
      if (a.newSize < a.oldSize) doMunmap(m, mm, a.start + a.newSize, oldEnd);
      return;
    }
    if (v.end !== oldEnd || !rangeFree(mm, oldEnd, a.start + a.newSize)) {
      return void m.emit('mm', { ...rec, result: 'ENOMEM' });
    }
    m.emit('mm', { ...rec, result: 'grow' });
    v.end = a.start + a.newSize; // vma_adjust: no PTE changes, no notifiers
    return;
  }
  m.emit('mm', { ...rec, result: 'move' });
  doMunmap(m, mm, a.newStart, a.newStart + a.newSize);
  let len = a.oldSize;
  if (a.newSize < len) {
    doMunmap(m, mm, a.start + a.newSize, oldEnd);
    len = a.newSize;
  }
  const [old] = vmasIn(mm, a.start, a.start + len);
  insertVma(mm, { ...old, start: a.newStart, end: a.newStart + a.newSize });
  movePageTables(m, mm, a.start, a.newStart, len);
  doMunmap(m, mm, a.start, a.start + len);
}
