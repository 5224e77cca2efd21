/**
 * Highmem on 32-bit ARM: page_address(), kmap()/kunmap() through the pkmap window
 * (mm/highmem.c: kmap_high, map_new_virtual, flush_all_zero_pkmaps, kunmap_high,
 * kmap_high_get) and kmap_atomic()/kunmap_atomic() through the fixmap
 * (arch/arm/mm/highmem.c), v5.0.1 = v5.4.1. One CPU, CONFIG_DEBUG_HIGHMEM off (so
 * kunmap_atomic leaves the fixmap PTE in place), ARCH_NEEDS_KMAP_HIGH_GET set (kmap_atomic
 * of a page kmap() already mapped returns its pkmap address).
 */
import type { Machine } from '../machine.ts';
import { assert } from '../core/assert.ts';
import { kfunc } from '../core/kstack.ts';
import {
  FIXADDR_START, FIX_KMAP_BEGIN, KM_TYPE_NR, LAST_PKMAP, PAGE_SIZE, fixToVirt, pkmapAddr, pkmapBase, virtToFix,
} from './layout.ts';
import { type KmemState, kmemState, lowmemVa, pageHighMem } from './state.ts';

const HIGHMEM_C = 'mm/highmem.c';
const ARM_HIGHMEM_C = 'arch/arm/mm/highmem.c';
const F_KMAP_HIGH = kfunc('kmap_high', HIGHMEM_C, ['page']);
const F_KUNMAP_HIGH = kfunc('kunmap_high', HIGHMEM_C, ['page']);
const F_FLUSH_ALL_ZERO_PKMAPS = kfunc('flush_all_zero_pkmaps', HIGHMEM_C);
const F_KMAP_ATOMIC = kfunc('kmap_atomic', ARM_HIGHMEM_C, ['page']);
const F_KUNMAP_ATOMIC = kfunc('__kunmap_atomic', ARM_HIGHMEM_C, ['kvaddr']);

const pfnOf = (pa: number): number => Math.floor(pa / PAGE_SIZE);

/** page_address(): the linear address of a lowmem page; a highmem page's pkmap address or 0 (NULL). */
export function pageAddress(st: KmemState, pfn: number): number {
  if (!pageHighMem(st, pfn)) return lowmemVa(st, pfn * PAGE_SIZE);
  return st.pageAddress.get(pfn) ?? 0;
}

/** flush_all_zero_pkmaps: every slot with count 1 (mapped, unused) is unmapped. */
function flushAllZeroPkmaps(m: Machine, st: KmemState): void {
  const k = m.kstack.enter(F_FLUSH_ALL_ZERO_PKMAPS);
  let flushed = 0;
  for (let i = 0; i < LAST_PKMAP; i++) {
    if (st.pkmapCount[i] !== 1) continue;
    st.pkmapCount[i] = 0;
    st.pageAddress.delete(st.pkmapPfn[i]); // set_page_address(page, NULL)
    st.pkmapPfn[i] = -1;
    flushed++;
  }
  m.emit('kmap', { op: 'flush_all_zero_pkmaps', count: flushed });
  m.kstack.leave(k);
}

/** map_new_virtual: the next slot after last_pkmap_nr whose count is 0, flushing on wrap. */
function mapNewVirtual(m: Machine, st: KmemState, pfn: number): number {
  let count = LAST_PKMAP;
  for (;;) {
    st.lastPkmapNr = (st.lastPkmapNr + 1) & (LAST_PKMAP - 1);
    if (st.lastPkmapNr === 0) {
      flushAllZeroPkmaps(m, st);
      count = LAST_PKMAP;
    }
    if (!st.pkmapCount[st.lastPkmapNr]) break;
    // The kernel sleeps on pkmap_map_wait here; no scenario holds 512 kmaps at once.
    assert(--count > 0, 'all 512 pkmap slots in use: kmap() would sleep (not modelled)');
  }
  const nr = st.lastPkmapNr;
  st.pkmapPfn[nr] = pfn;
  st.pkmapCount[nr] = 1;
  const va = pkmapAddr(st.layout.pageOffset, nr);
  st.pageAddress.set(pfn, va);
  return va;
}

const pkmapNr = (st: KmemState, va: number): number => (va - pkmapBase(st.layout.pageOffset)) / PAGE_SIZE;

/** kmap(): a lowmem page's linear address, or kmap_high's pkmap slot for a highmem page. */
export function kmap(m: Machine, pa: number): number {
  const st = kmemState(m);
  const pfn = pfnOf(pa);
  if (!pageHighMem(st, pfn)) {
    const va = pageAddress(st, pfn);
    m.emit('kmap', { op: 'kmap', pa, va, via: 'lowmem' });
    return va;
  }
  const k = m.kstack.enter(F_KMAP_HIGH, pa);
  const va = pageAddress(st, pfn) || mapNewVirtual(m, st, pfn);
  const nr = pkmapNr(st, va);
  st.pkmapCount[nr]++;
  m.emit('kmap', { op: 'kmap', pa, va, via: 'pkmap', slot: nr, count: st.pkmapCount[nr] });
  m.kstack.leave(k);
  return va;
}

/** kunmap(): nothing for lowmem; kunmap_high drops the count (the mapping stays until a flush). */
export function kunmap(m: Machine, pa: number): void {
  const st = kmemState(m);
  const pfn = pfnOf(pa);
  if (!pageHighMem(st, pfn)) return;
  kunmapHigh(m, st, pfn);
}

function kunmapHigh(m: Machine, st: KmemState, pfn: number): void {
  const k = m.kstack.enter(F_KUNMAP_HIGH, pfn * PAGE_SIZE);
  const va = pageAddress(st, pfn);
  assert(va !== 0, 'kunmap_high of a page with no pkmap address (kernel BUG_ON(!vaddr))');
  const nr = pkmapNr(st, va);
  assert(st.pkmapCount[nr] > 1, 'pkmap_count would reach 0 without a TLB flush (kernel BUG)');
  st.pkmapCount[nr]--;
  m.emit('kmap', { op: 'kunmap', pa: pfn * PAGE_SIZE, va, via: 'pkmap', slot: nr, count: st.pkmapCount[nr] });
  m.kstack.leave(k);
}

/**
 * kmap_atomic(): a lowmem page's linear address; a highmem page already kmap()ed keeps its
 * pkmap address (kmap_high_get); otherwise the next fixmap slot of this CPU,
 * FIX_KMAP_BEGIN + type, at __fix_to_virt(idx).
 */
export function kmapAtomic(m: Machine, pa: number): number {
  const st = kmemState(m);
  const pfn = pfnOf(pa);
  const k = m.kstack.enter(F_KMAP_ATOMIC, pa);
  let va: number;
  if (!pageHighMem(st, pfn)) {
    va = pageAddress(st, pfn);
    m.emit('kmap', { op: 'kmap_atomic', pa, va, via: 'lowmem' });
  } else if (st.pageAddress.has(pfn)) {
    va = st.pageAddress.get(pfn)!;
    const nr = pkmapNr(st, va);
    st.pkmapCount[nr]++; // kmap_high_get
    m.emit('kmap', { op: 'kmap_atomic', pa, va, via: 'pkmap', slot: nr, count: st.pkmapCount[nr] });
  } else {
    const type = st.kmapAtomicIdx++; // kmap_atomic_idx_push
    assert(type < KM_TYPE_NR, 'kmap_atomic nested deeper than KM_TYPE_NR (kernel BUG)');
    const idx = FIX_KMAP_BEGIN + type;
    va = fixToVirt(idx);
    st.fixmapPfn[type] = pfn; // set_fixmap_pte
    m.emit('kmap', { op: 'kmap_atomic', pa, va, via: 'fixmap', slot: idx });
  }
  m.kstack.leave(k);
  return va;
}

/** __kunmap_atomic(): pop the fixmap slot (its PTE stays), or kunmap_high a kmap_high_get address. */
export function kunmapAtomic(m: Machine, kvaddr: number): void {
  const st = kmemState(m);
  const va = kvaddr - (kvaddr % PAGE_SIZE);
  const k = m.kstack.enter(F_KUNMAP_ATOMIC, kvaddr);
  const pkmap0 = pkmapBase(st.layout.pageOffset);
  if (va >= FIXADDR_START) {
    const type = --st.kmapAtomicIdx; // kmap_atomic_idx(), then kmap_atomic_idx_pop
    assert(type >= 0 && virtToFix(va) === FIX_KMAP_BEGIN + type, 'kunmap_atomic out of order (kernel BUG_ON with DEBUG_HIGHMEM)');
    m.emit('kmap', { op: 'kunmap_atomic', pa: st.fixmapPfn[type] * PAGE_SIZE, va, via: 'fixmap', slot: FIX_KMAP_BEGIN + type });
  } else if (va >= pkmap0 && va < pkmap0 + LAST_PKMAP * PAGE_SIZE) {
    kunmapHigh(m, st, st.pkmapPfn[pkmapNr(st, va)]);
  } else {
    m.emit('kmap', { op: 'kunmap_atomic', pa: st.layout.physOffset + (va - st.layout.pageOffset), va, via: 'lowmem' });
  }
  m.kstack.leave(k);
}

/**
 * What the CPU's MMU makes of a kernel virtual address: the linear map of lowmem, a pkmap
 * PTE, a kmap_atomic fixmap PTE (kept after kunmap_atomic), or nothing (-1: a data abort).
 */
export function kernelVaToPa(st: KmemState, va: number): number {
  const { pageOffset, physOffset, lowmemLimit } = st.layout;
  const off = va % PAGE_SIZE;
  if (va >= pageOffset && va < pageOffset + (lowmemLimit - physOffset)) return physOffset + (va - pageOffset);
  const pkmap0 = pkmapBase(pageOffset);
  if (va >= pkmap0 && va < pkmap0 + LAST_PKMAP * PAGE_SIZE) {
    const pfn = st.pkmapPfn[pkmapNr(st, va - off)];
    return pfn < 0 ? -1 : pfn * PAGE_SIZE + off;
  }
  if (va >= FIXADDR_START) {
    const type = virtToFix(va) - FIX_KMAP_BEGIN;
    const pfn = type >= 0 && type < KM_TYPE_NR ? st.fixmapPfn[type] : -1;
    return pfn < 0 ? -1 : pfn * PAGE_SIZE + off;
  }
  return -1;
}
