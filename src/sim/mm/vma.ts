/**
 * VMA list operations (mm/mmap.c): split at an address (__split_vma), detach a range,
 * find a free range. VMAs stay sorted by start and never overlap.
 */
import type { MmStruct, Vma } from './types.ts';
import { PAGE_SIZE } from './types.ts';

/** __split_vma: cut the VMA containing addr (if any) so that addr is a boundary. */
export function splitVma(mm: MmStruct, addr: number): void {
  const i = mm.vmas.findIndex((v) => v.start < addr && addr < v.end);
  if (i < 0) return;
  const v = mm.vmas[i];
  const tail: Vma = { ...v, start: addr, pgoff: v.pgoff + (addr - v.start) / PAGE_SIZE };
  v.end = addr;
  mm.vmas.splice(i + 1, 0, tail);
}

/** The VMAs inside [start, end) after splitting at both ends. */
export function vmasIn(mm: MmStruct, start: number, end: number): Vma[] {
  splitVma(mm, start);
  splitVma(mm, end);
  return mm.vmas.filter((v) => v.start >= start && v.end <= end);
}

export function insertVma(mm: MmStruct, v: Vma): void {
  const i = mm.vmas.findIndex((x) => x.start > v.start);
  if (i < 0) mm.vmas.push(v);
  else mm.vmas.splice(i, 0, v);
}

export function detachVmas(mm: MmStruct, start: number, end: number): void {
  mm.vmas = mm.vmas.filter((v) => v.end <= start || v.start >= end);
}

export function rangeFree(mm: MmStruct, start: number, end: number): boolean {
  return !mm.vmas.some((v) => v.start < end && start < v.end);
}

/** One VMA covers all of [start, end)? (vma_to_resize's check for mremap) */
export function vmaCovering(mm: MmStruct, start: number, end: number): Vma | undefined {
  return mm.vmas.find((v) => v.start <= start && end <= v.end);
}
