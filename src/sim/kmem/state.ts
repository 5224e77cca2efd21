/**
 * Plain-data state of the kernel's own view of memory on a 32-bit ARM kernel: the layout
 * (where lowmem ends), the pkmap slots kmap() hands out (pkmap_count, the PTEs, the
 * page_address hash), the fixmap slots kmap_atomic() uses, and kmemleak's objects.
 */
import type { Machine } from '../machine.ts';
import { modelKey } from '../core/keys.ts';
import { type ArmLayout, LAST_PKMAP, KM_TYPE_NR, PAGE_SIZE } from './layout.ts';

/** One kmemleak object (struct kmemleak_object): a tracked allocation and its colour. */
export interface KmemleakObject {
  /** Kernel virtual address of the first byte (object->pointer). */
  va: number;
  size: number;
  /** KMEMLEAK_BLACK after kmemleak_ignore (never scanned nor reported). */
  black: boolean;
  /** The allocator that registered it ("kmem_cache_alloc(io-pgtable_armv7s_l2)", "kmalloc"). */
  from: string;
}

export interface KmemState {
  readonly layout: ArmLayout;
  /** pkmap_count[nr]: 0 free, 1 mapped but unused (flushed lazily), >1 in use. */
  pkmapCount: number[];
  /** The page frame each pkmap PTE maps, -1 for pte_none. */
  pkmapPfn: number[];
  /** last_pkmap_nr: where map_new_virtual's search continues. */
  lastPkmapNr: number;
  /** page_address_htable: highmem pfn -> its pkmap address (set_page_address). */
  pageAddress: Map<number, number>;
  /** The kmap_atomic fixmap PTEs of CPU 0, by type: the pfn mapped, -1 never set. */
  fixmapPfn: number[];
  /** __kmap_atomic_idx of CPU 0: how many atomic kmaps are nested. */
  kmapAtomicIdx: number;
  /** CONFIG_DEBUG_KMEMLEAK: the objects kmemleak knows, or null when it is off. */
  kmemleak: KmemleakObject[] | null;
  /** Oopses so far (die_counter). */
  oopses: number;
}

export const KMEM_MODEL = modelKey<KmemState>('kmem');

export function kmemState(m: Machine): KmemState {
  return m.model(KMEM_MODEL);
}

export function kmemCreate(m: Machine, layout: ArmLayout, kmemleak: boolean): KmemState {
  return m.addModel(KMEM_MODEL, {
    layout,
    pkmapCount: new Array<number>(LAST_PKMAP).fill(0),
    pkmapPfn: new Array<number>(LAST_PKMAP).fill(-1),
    lastPkmapNr: 0,
    pageAddress: new Map(),
    fixmapPfn: new Array<number>(KM_TYPE_NR).fill(-1),
    kmapAtomicIdx: 0,
    kmemleak: kmemleak ? [] : null,
    oopses: 0,
  });
}

/** PageHighMem: the frame lies at or above arm_lowmem_limit. */
export function pageHighMem(st: KmemState, pfn: number): boolean {
  return pfn * PAGE_SIZE >= st.layout.lowmemLimit;
}

/** __va for lowmem: PAGE_OFFSET + (pa - PHYS_OFFSET). */
export function lowmemVa(st: KmemState, pa: number): number {
  return st.layout.pageOffset + (pa - st.layout.physOffset);
}
