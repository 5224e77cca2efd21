/**
 * Putting a driver's pages into a user VMA (mm/memory.c): vm_insert_page / insert_page,
 * and the range helpers built on it — the January 2019 proposal's vm_insert_range /
 * vm_insert_range_buggy and v5.2+'s vm_map_pages / vm_map_pages_zero (kernel-facts.md §9,
 * kernel-facts-2.md §14). Inserted pages are the driver's: they are not on the LRU, so the
 * PTE is marked special here, which keeps rmap, reclaim and page freeing off them.
 */
import type { Machine } from '../machine.ts';
import { kernelRelease } from '../kernel.ts';
import { kfunc } from '../core/kstack.ts';
import { type MmStruct, PAGE_SIZE, type Vma } from './types.ts';
import { presentPte, setPte, vpnOf } from './state.ts';

export const EFAULT = 14;
export const EINVAL = 22;
export const EBUSY = 16;
export const ENXIO = 6;

const ERRNO: Record<number, string> = { [EFAULT]: 'EFAULT', [EINVAL]: 'EINVAL', [EBUSY]: 'EBUSY', [ENXIO]: 'ENXIO' };
/** "0" or "-ENXIO". */
export const errnoText = (ret: number): string => (ret === 0 ? '0' : `-${ERRNO[-ret] ?? -ret}`);

/** What insert_page asks of a struct page. */
export interface StructPage {
  pfn: number;
  /** page_count(): 0 for a free page. */
  count: number;
  anon: boolean;
  slab: boolean;
  /** page_has_type(): PG_buddy, PG_offline, PG_kmemcg or PG_table; '' for none. */
  type: '' | 'buddy' | 'offline' | 'kmemcg' | 'table';
}

/** A normal page a driver allocated and holds. */
export const driverPage = (pfn: number): StructPage => ({ pfn, count: 1, anon: false, slab: false, type: '' });

const MEMORY_C = 'mm/memory.c';
const F_VM_INSERT_PAGE = kfunc('vm_insert_page', MEMORY_C, ['addr', 'page']);
const F_VM_INSERT_RANGE = kfunc('vm_insert_range', MEMORY_C, ['num', 'offset']);
const F_VM_MAP_PAGES = kfunc('vm_map_pages', MEMORY_C, ['num', 'offset']);

/** vma_pages(). */
export const vmaPages = (vma: Vma): number => (vma.end - vma.start) / PAGE_SIZE;

/**
 * vm_insert_page -> insert_page: -EFAULT outside the VMA, -EINVAL for a free page and for
 * an anonymous page (v5.4 also slab and typed pages), -EBUSY when a PTE is already there;
 * else the page's PTE with the VMA's protection (writable only in a shared writable VMA).
 */
export function vmInsertPage(m: Machine, mm: MmStruct, vma: Vma, addr: number, page: StructPage): number {
  if (addr < vma.start || addr >= vma.end) return -EFAULT;
  if (!page.count) return -EINVAL;
  const k = m.kstack.enter(F_VM_INSERT_PAGE, addr, page.pfn * PAGE_SIZE);
  try {
    const v54 = kernelRelease(m.config.kernel) === 'v5.4';
    if (page.anon || (v54 && (page.slab || page.type !== ''))) return -EINVAL;
    const vpn = vpnOf(addr);
    if (mm.ptes.has(vpn)) return -EBUSY; // !pte_none: present or a swap entry
    setPte(m, mm, vpn, presentPte(page.pfn, vma.write && vma.shared, true), 'insert_page');
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

export interface RangeResult {
  readonly ret: number;
  /** Pages vm_insert_page mapped before the helper returned. */
  readonly inserted: number;
  /** Which check refused, when one did. */
  readonly reason?: string;
}

/** Insert pages[offset .. offset+count) from vm_start; the first error stops it (pages stay). */
function insertRun(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[], offset: number, count: number): RangeResult {
  for (let i = 0; i < count; i++) {
    const ret = vmInsertPage(m, mm, vma, vma.start + i * PAGE_SIZE, pages[offset + i]);
    if (ret < 0) return { ret, inserted: i, reason: `vm_insert_page of page ${offset + i} returned ${errnoText(ret)}` };
  }
  return { ret: 0, inserted: count };
}

/**
 * The January 2019 __vm_insert_range(vma, pages, num, offset): -ENXIO when offset > num
 * (the merged form says >=; the next check catches offset == num anyway) or when the VMA
 * is larger than what remains of the object.
 */
function vmInsertRangeJan2019(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[], num: number, offset: number): RangeResult {
  const k = m.kstack.enter(F_VM_INSERT_RANGE, num, offset);
  const count = vmaPages(vma);
  let r: RangeResult;
  if (offset > num) r = { ret: -ENXIO, inserted: 0, reason: `offset ${offset} > num ${num}` };
  else if (count > num - offset) r = { ret: -ENXIO, inserted: 0, reason: `VMA of ${count} pages > ${num - offset} pages left after offset ${offset}` };
  else r = insertRun(m, mm, vma, pages, offset, count);
  m.kstack.leave(k);
  return r;
}

/** v5.4 __vm_map_pages(vma, pages, num, offset). */
function vmMapPagesAt(m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[], num: number, offset: number): RangeResult {
  const k = m.kstack.enter(F_VM_MAP_PAGES, num, offset);
  const count = vmaPages(vma);
  let r: RangeResult;
  if (offset >= num) r = { ret: -ENXIO, inserted: 0, reason: `offset ${offset} >= num ${num}` };
  else if (count > num - offset) r = { ret: -ENXIO, inserted: 0, reason: `VMA of ${count} pages > ${num - offset} pages left after offset ${offset}` };
  else r = insertRun(m, mm, vma, pages, offset, count);
  m.kstack.leave(k);
  return r;
}

/** vm_insert_range (Jan 2019): offset = vma->vm_pgoff. */
export const vmInsertRange = (m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[], num: number): RangeResult =>
  vmInsertRangeJan2019(m, mm, vma, pages, num, vma.pgoff);

/** vm_insert_range_buggy (Jan 2019): for drivers that ignored vm_pgoff, offset 0. */
export const vmInsertRangeBuggy = (m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[], num: number): RangeResult =>
  vmInsertRangeJan2019(m, mm, vma, pages, num, 0);

/** vm_map_pages (v5.2+): offset = vma->vm_pgoff. */
export const vmMapPages = (m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[], num: number): RangeResult =>
  vmMapPagesAt(m, mm, vma, pages, num, vma.pgoff);

/** vm_map_pages_zero (v5.2+): offset 0, whatever vm_pgoff says. */
export const vmMapPagesZero = (m: Machine, mm: MmStruct, vma: Vma, pages: readonly StructPage[], num: number): RangeResult =>
  vmMapPagesAt(m, mm, vma, pages, num, 0);
