/**
 * The 32-bit ARM kernel's virtual memory layout (arch/arm, v5.0.1 = v5.4.1, 2-level page
 * tables, CONFIG_HIGHMEM): the linear map of lowmem at PAGE_OFFSET, the pkmap window just
 * below it (kmap), and the fixmap slots at the top (kmap_atomic). Constants and formulas
 * as the kernel spells them; the numbers are what a test derives addresses from by hand.
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** 2-level tables: one pgd entry maps 2 MiB (arch/arm/include/asm/pgtable-2level.h). */
export const PMD_SIZE = 0x20_0000;

/** CONFIG_VMSPLIT_3G: the default PAGE_OFFSET. */
export const DEFAULT_PAGE_OFFSET = 0xc000_0000;
/** arch/arm/include/asm/pgtable.h */
export const VMALLOC_END = 0xff80_0000;
export const VMALLOC_OFFSET = 8 * 0x10_0000;
/** arch/arm/mm/mmu.c: vmalloc_min's default reserve, 240 MiB. */
export const VMALLOC_DEFAULT = 240 * 0x10_0000;
const SZ_16M = 0x100_0000;
const SZ_32M = 0x200_0000;

/** arch/arm/include/asm/highmem.h: PKMAP_BASE = PAGE_OFFSET - PMD_SIZE, LAST_PKMAP = PTRS_PER_PTE. */
export const LAST_PKMAP = 512;
export const pkmapBase = (pageOffset: number): number => pageOffset - PMD_SIZE;
export const pkmapAddr = (pageOffset: number, nr: number): number => pkmapBase(pageOffset) + nr * PAGE_SIZE;

/** arch/arm/include/asm/fixmap.h: FIXADDR_START 0xffc00000, FIXADDR_END 0xfff00000, TOP = END - PAGE_SIZE. */
export const FIXADDR_START = 0xffc0_0000;
export const FIXADDR_TOP = 0xfff0_0000 - PAGE_SIZE;
/** enum fixed_addresses: FIX_EARLYCON_MEM_BASE is 0, so FIX_KMAP_BEGIN is 1. */
export const FIX_KMAP_BEGIN = 1;
/** arch/arm/include/asm/kmap_types.h; one CPU modelled, so FIX_KMAP_END = BEGIN + 15. */
export const KM_TYPE_NR = 16;
/** include/asm-generic/fixmap.h: __fix_to_virt(x) = FIXADDR_TOP - (x << PAGE_SHIFT). */
export const fixToVirt = (idx: number): number => FIXADDR_TOP - idx * PAGE_SIZE;
export const virtToFix = (va: number): number => (FIXADDR_TOP - (va - (va % PAGE_SIZE))) / PAGE_SIZE;

export interface ArmLayoutIn {
  readonly pageOffset: number;
  /** The `vmalloc=` boot parameter in bytes; undefined: the default reserve. */
  readonly vmalloc?: number;
  readonly dram: readonly { base: number; size: number }[];
}

export interface ArmLayout {
  readonly pageOffset: number;
  /** PHYS_OFFSET: the first DRAM byte, mapped at PAGE_OFFSET. */
  readonly physOffset: number;
  /** arm_lowmem_limit: the first physical byte that is highmem. */
  readonly lowmemLimit: number;
  /** max_pfn << PAGE_SHIFT: the end of DRAM. */
  readonly dramEnd: number;
}

/**
 * vmalloc_min (the default, or early_vmalloc's clamped reserve) and adjust_lowmem_bounds:
 * lowmem ends at the lower of vmalloc_limit and the end of the banks that start below it.
 */
export function armLayout(a: ArmLayoutIn): ArmLayout {
  const physOffset = Math.min(...a.dram.map((r) => r.base));
  let vmallocMin = VMALLOC_END - VMALLOC_DEFAULT - VMALLOC_OFFSET;
  if (a.vmalloc !== undefined) {
    const reserve = Math.min(Math.max(a.vmalloc, SZ_16M), VMALLOC_END - (a.pageOffset + SZ_32M));
    vmallocMin = VMALLOC_END - reserve;
  }
  const vmallocLimit = vmallocMin - a.pageOffset + physOffset;
  let lowmemLimit = 0;
  for (const r of a.dram) {
    if (r.base < vmallocLimit && r.base + r.size > lowmemLimit) lowmemLimit = Math.min(vmallocLimit, r.base + r.size);
  }
  const dramEnd = Math.max(...a.dram.map((r) => r.base + r.size));
  return { pageOffset: a.pageOffset, physOffset, lowmemLimit, dramEnd };
}
