/**
 * VT-d second-level page-table geometry and entry bits (include/linux/intel-iommu.h and the
 * helpers at the top of drivers/iommu/intel-iommu.c, identical in v5.0.1 and v5.4.1).
 * Tables are 4 KiB of 512 little-endian u64 entries, 9 bits of the pfn per level. Entry
 * words stay below 2^52 (address bits 51:12 plus flags in 11:0), so they are exact doubles:
 * arithmetic here uses division and remainders, never 32-bit bit operators.
 */
export const VTD_PAGE_SHIFT = 12;
export const VTD_PAGE_SIZE = 4096;
export const LEVEL_STRIDE = 9;
export const PTES_PER_TABLE = 512;
export const MAX_AGAW_WIDTH = 64;
/** DEFAULT_DOMAIN_ADDRESS_WIDTH: what a new DMA domain asks for before the unit trims it. */
export const DEFAULT_DOMAIN_ADDRESS_WIDTH = 57;

export const DMA_PTE_READ = 1;
export const DMA_PTE_WRITE = 2;
export const DMA_PTE_LARGE_PAGE = 1 << 7;
export const DMA_PTE_SNP = 1 << 11;

/** agaw_to_level: agaw 1, 2, 3 walk 3, 4, 5 levels. */
export const agawToLevel = (agaw: number): number => agaw + 2;
/** agaw_to_width: 39, 48, 57 bits. */
export const agawToWidth = (agaw: number): number => Math.min(30 + agaw * LEVEL_STRIDE, MAX_AGAW_WIDTH);
/** width_to_agaw: DIV_ROUND_UP(width - 30, 9). */
export const widthToAgaw = (width: number): number => Math.ceil((width - 30) / LEVEL_STRIDE);

/** guestwidth_to_adjustwidth: round the width up to 12 + a multiple of 9, at most 64. */
export function guestwidthToAdjustwidth(gaw: number): number {
  const r = (gaw - 12) % 9;
  return Math.min(r === 0 ? gaw : gaw + 9 - r, 64);
}

/** level_size(level) in 4 KiB pages: 1, 512, 512^2, ... */
export const levelSize = (level: number): number => 2 ** ((level - 1) * LEVEL_STRIDE);
/** pfn_level_offset: the pfn's index in a table at `level`. */
export const pfnLevelOffset = (pfn: number, level: number): number => Math.floor(pfn / levelSize(level)) % PTES_PER_TABLE;
/** pfn & level_mask(level): the first pfn the entry covering `pfn` at `level` maps. */
export const levelBase = (pfn: number, level: number): number => pfn - (pfn % levelSize(level));
/** align_to_level: round pfn up to the level's size. */
export const alignToLevel = (pfn: number, level: number): number => Math.ceil(pfn / levelSize(level)) * levelSize(level);
/** lvl_to_nr_pages. */
export const lvlToNrPages = (lvl: number): number => 2 ** Math.min((lvl - 1) * LEVEL_STRIDE, MAX_AGAW_WIDTH - VTD_PAGE_SHIFT);

/** __DOMAIN_MAX_PFN(gaw) and DOMAIN_MAX_ADDR(gaw): the last pfn and its address. */
export const domainMaxPfn = (gaw: number): number => 2 ** (gaw - VTD_PAGE_SHIFT) - 1;
export const domainMaxAddr = (gaw: number): number => domainMaxPfn(gaw) * VTD_PAGE_SIZE;

/** The low 12 bits of an entry word (R, W, superpage, SNP, ...). */
export const pteFlags = (v: number): number => v % VTD_PAGE_SIZE;
/** dma_pte_addr: bits 63:12. */
export const dmaPteAddr = (v: number): number => v - (v % VTD_PAGE_SIZE);
/** dma_pte_present: R or W set (the hardware's "not present" is both clear). */
export const dmaPtePresent = (v: number): boolean => v % 4 !== 0;
export const dmaPteSuperpage = (v: number): boolean => (pteFlags(v) & DMA_PTE_LARGE_PAGE) !== 0;

/** aligned_nrpages(host_addr, size): 4 KiB pages the buffer [addr, addr+size) touches. */
export const alignedNrpages = (addr: number, size: number): number => Math.ceil(((addr % VTD_PAGE_SIZE) + size) / VTD_PAGE_SIZE);

/** How an entry reads, for views and tests. */
export interface VtdPteDecoded {
  readonly present: boolean;
  readonly read: boolean;
  readonly write: boolean;
  /** Bit 7 at a level that may hold a superpage (2 and 3). */
  readonly superpage: boolean;
  readonly snoop: boolean;
  /** Next-level table or page frame. */
  readonly addr: number;
  /** What the entry is at its level: a table pointer, a leaf page or nothing. */
  readonly type: 'none' | 'table' | 'page';
  /** Bytes a leaf maps (4K, 2M, 1G); 0 for a table or nothing. */
  readonly size: number;
}

export function decodeVtdPte(v: number, level: number): VtdPteDecoded {
  const f = pteFlags(v);
  const present = dmaPtePresent(v);
  const superpage = (level === 2 || level === 3) && (f & DMA_PTE_LARGE_PAGE) !== 0;
  const leaf = present && (level === 1 || superpage);
  return {
    present,
    read: (f & DMA_PTE_READ) !== 0,
    write: (f & DMA_PTE_WRITE) !== 0,
    superpage,
    snoop: (f & DMA_PTE_SNP) !== 0,
    addr: dmaPteAddr(v),
    type: !present ? 'none' : leaf ? 'page' : 'table',
    size: leaf ? levelSize(level) * VTD_PAGE_SIZE : 0,
  };
}

/** A leaf word as __domain_mapping builds it: (phys_pfn << 12) | prot, bit 7 for a superpage. */
export function vtdLeafPte(pa: number, prot: number, superpage = false): number {
  return dmaPteAddr(pa) + ((prot & (DMA_PTE_READ | DMA_PTE_WRITE | DMA_PTE_SNP)) | (superpage ? DMA_PTE_LARGE_PAGE : 0));
}

/** A table pointer as pfn_to_dma_pte links one: the table's address | DMA_PTE_READ | DMA_PTE_WRITE. */
export const vtdTablePte = (tablePa: number): number => dmaPteAddr(tablePa) + (DMA_PTE_READ | DMA_PTE_WRITE);
