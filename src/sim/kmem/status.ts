/** The kernel-memory model as plain typed data for `info kmem`: numbers and names, never text. */
import type { Machine } from '../machine.ts';
import { FIX_KMAP_BEGIN, PAGE_SIZE, fixToVirt, pkmapAddr } from './layout.ts';
import { KMEM_MODEL } from './state.ts';

export interface PkmapSlotStatus {
  readonly nr: number;
  readonly va: number;
  readonly pa: number;
  /** pkmap_count: 1 mapped but unused, >1 in use. */
  readonly count: number;
}

export interface FixmapSlotStatus {
  readonly idx: number;
  readonly va: number;
  readonly pa: number;
  /** Below __kmap_atomic_idx: held by a kmap_atomic now (else a stale PTE left by kunmap_atomic). */
  readonly held: boolean;
}

export interface KmemleakObjectStatus {
  readonly va: number;
  readonly size: number;
  readonly black: boolean;
  readonly from: string;
}

export interface KmemStatus {
  readonly pageOffset: number;
  readonly physOffset: number;
  readonly lowmemLimit: number;
  readonly dramEnd: number;
  readonly pkmap: readonly PkmapSlotStatus[];
  readonly fixmap: readonly FixmapSlotStatus[];
  /** null: CONFIG_DEBUG_KMEMLEAK is off. */
  readonly kmemleak: readonly KmemleakObjectStatus[] | null;
  readonly oopses: number;
}

export function kmemStatus(m: Machine): KmemStatus | undefined {
  const st = m.findModel(KMEM_MODEL);
  if (!st) return undefined;
  const pkmap: PkmapSlotStatus[] = [];
  st.pkmapCount.forEach((count, nr) => {
    if (count) pkmap.push({ nr, va: pkmapAddr(st.layout.pageOffset, nr), pa: st.pkmapPfn[nr] * PAGE_SIZE, count });
  });
  const fixmap: FixmapSlotStatus[] = [];
  st.fixmapPfn.forEach((pfn, type) => {
    if (pfn >= 0) fixmap.push({ idx: FIX_KMAP_BEGIN + type, va: fixToVirt(FIX_KMAP_BEGIN + type), pa: pfn * PAGE_SIZE, held: type < st.kmapAtomicIdx });
  });
  return {
    ...st.layout,
    pkmap,
    fixmap,
    kmemleak: st.kmemleak ? st.kmemleak.map((o) => ({ ...o })) : null,
    oopses: st.oopses,
  };
}
