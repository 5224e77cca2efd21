/**
 * Page-table pages in simulated memory: alloc_pgtable_page (a zeroed 4 KiB page anywhere in
 * DRAM) and free_pgtable_page, and every entry store as a `pte` record with its 64-bit words.
 */
import type { Machine } from '../../machine.ts';
import { fill, read64Word, write32 } from '../../mem/phys.ts';
import { physAlloc, physFree } from '../../mem/alloc.ts';
import { VTD_PAGE_SIZE, levelBase } from './bits.ts';
import type { VtdPgtable } from './types.ts';

/** alloc_pgtable_page(): -1 when DRAM is full (the kernel returns NULL). */
export function vtdAllocTable(m: Machine, pt: VtdPgtable, level: number): number {
  const pa = physAlloc(m.state.alloc, VTD_PAGE_SIZE, { align: VTD_PAGE_SIZE });
  if (pa < 0) return -1;
  fill(m.state.mem, pa, VTD_PAGE_SIZE, 0);
  pt.tables++;
  m.emit('pgtable-table', { domain: pt.domain, op: 'alloc', level, addr: pa });
  return pa;
}

/** free_pgtable_page(): the contents stay in memory, as free_page leaves them. */
export function vtdFreeTable(m: Machine, pt: VtdPgtable, pa: number, level: number): void {
  physFree(m.state.alloc, pa, VTD_PAGE_SIZE);
  pt.tables--;
  m.emit('pgtable-table', { domain: pt.domain, op: 'free', level, addr: pa });
}

export function vtdReadPte(m: Machine, pa: number): number {
  return read64Word(m.state.mem, pa);
}

/** One entry store at `pa` (slot `index` of a table at `level` covering `pfn`). */
export function vtdSetPte(m: Machine, pt: VtdPgtable, pa: number, level: number, index: number, pfn: number, v: number): void {
  const old = read64Word(m.state.mem, pa);
  write32(m.state.mem, pa, v % 0x1_0000_0000);
  write32(m.state.mem, pa + 4, Math.floor(v / 0x1_0000_0000));
  m.emit('pte', { domain: pt.domain, level, index, old: BigInt(old), new: BigInt(v), addr: pa, iova: levelBase(pfn, level) * VTD_PAGE_SIZE });
}
