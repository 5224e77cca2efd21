/**
 * The ARM v7s short-descriptor PTE, bit for bit (drivers/iommu/io-pgtable-arm-v7s.c, v5.0 and
 * v5.4). Names are the kernel's macro names, so one grep finds both sides. A PTE is a u32
 * held in a JS number: every bit operation ends in `>>> 0`, and PA bits 32/33 (MediaTek) are
 * handled arithmetically, never with bit operators.
 */
import { assert } from '../../core/assert.ts';
import { SZ_4G, lower32, upper32 } from '../../core/hex.ts';
import { IOMMU_CACHE, IOMMU_MMIO, IOMMU_NOEXEC, IOMMU_PRIV, IOMMU_READ, IOMMU_WRITE } from '../prot.ts';
import type { ArmV7sCfg, Lvl } from './types.ts';

export const SZ_4K = 0x1000;
export const SZ_64K = 0x10000;
export const SZ_1M = 0x100000;
export const SZ_16M = 0x1000000;

export const ARM_V7S_ADDR_BITS = 32;
export const ARM_V7S_TABLE_SHIFT = 10;
export const ARM_V7S_TABLE_MASK = 0xfffffc00; // ~0U << ARM_V7S_TABLE_SHIFT
/** One descriptor repeated 16 times (large page / supersection), not 16 descriptors. */
export const ARM_V7S_CONT_PAGES = 16;

// Explicit per level rather than the kernel's "16 - 4*lvl" style formulas.
export const armV7sLvlShift = (lvl: Lvl): number => (lvl === 1 ? 20 : 12);
export const armV7sPtesPerLvl = (lvl: Lvl): number => (lvl === 1 ? 4096 : 256);
export const armV7sTableSize = (lvl: Lvl): number => (lvl === 1 ? 0x4000 : 0x400);
export const armV7sBlockSize = (lvl: Lvl): number => (lvl === 1 ? SZ_1M : SZ_4K);
export const armV7sLvlMask = (lvl: Lvl): number => (lvl === 1 ? 0xfff00000 : 0xfffff000);
/** ARM_V7S_LVL_MASK(lvl) * ARM_V7S_CONT_PAGES, truncated to u32 as the kernel's u32 is. */
export const armV7sContMask = (lvl: Lvl): number => (lvl === 1 ? 0xff000000 : 0xffff0000);
/** ARM_V7S_LVL_IDX: the (u32) cast of the kernel is ToUint32 here. */
export const armV7sLvlIdx = (iova: number, lvl: Lvl): number =>
  lvl === 1 ? (iova >>> 20) & 0xfff : (iova >>> 12) & 0xff;
/** The 8-bit attribute block sits at [17:10] (level 1) or [11:4] (level 2). */
export const armV7sAttrShift = (lvl: Lvl): number => (lvl === 1 ? 10 : 4);

// Checked at load, like a comptime assert.
assert(armV7sLvlShift(1) - armV7sLvlShift(2) === 8);
assert(armV7sPtesPerLvl(2) * armV7sBlockSize(2) === armV7sBlockSize(1));

// PTE type bits: mixed up with XN in most cases.
export const ARM_V7S_PTE_TYPE_TABLE = 0x1;
export const ARM_V7S_PTE_TYPE_PAGE = 0x2;
export const ARM_V7S_PTE_TYPE_CONT_PAGE = 0x1;

/** XN is bit 4 in a section and bit 0 in a small page: BIT(4 * (2 - lvl)). */
export const ARM_V7S_ATTR_XN = (lvl: Lvl): number => (lvl === 1 ? 1 << 4 : 1 << 0);
export const ARM_V7S_ATTR_B = 1 << 2;
export const ARM_V7S_ATTR_C = 1 << 3;
export const ARM_V7S_ATTR_NS_TABLE = 1 << 3;
export const ARM_V7S_ATTR_NS_SECTION = 1 << 19;
export const ARM_V7S_CONT_SECTION = 1 << 18;
export const ARM_V7S_CONT_PAGE_XN_SHIFT = 15;

// Fields of the 8-bit attribute block (relative to armV7sAttrShift).
export const ARM_V7S_ATTR_AP0 = 1 << 0;
export const ARM_V7S_ATTR_AP1 = 1 << 1;
export const ARM_V7S_ATTR_AP2 = 1 << 5;
export const ARM_V7S_ATTR_S = 1 << 6;
export const ARM_V7S_ATTR_NG = 1 << 7;
export const ARM_V7S_TEX_SHIFT = 2;
export const ARM_V7S_TEX_MASK = 0x7;
export const ARM_V7S_PTE_AF = ARM_V7S_ATTR_AP0;
export const ARM_V7S_PTE_AP_UNPRIV = ARM_V7S_ATTR_AP1;
export const ARM_V7S_PTE_AP_RDONLY = ARM_V7S_ATTR_AP2;

/** A large page moves TEX from [8:6] to [14:12]. */
export const ARM_V7S_CONT_PAGE_TEX_SHIFT = 6;
export const ARM_V7S_CONT_PAGE_TEX_MASK = ARM_V7S_TEX_MASK << ARM_V7S_CONT_PAGE_TEX_SHIFT; // 0x1c0

// MediaTek: v5.0 ARM_V7S_ATTR_MTK_4GB (bit 9 in every leaf); v5.4 PA bits 32/33 in bits 9/4.
export const ARM_V7S_ATTR_MTK_4GB = 1 << 9;
export const ARM_V7S_ATTR_MTK_PA_BIT32 = 1 << 9;
export const ARM_V7S_ATTR_MTK_PA_BIT33 = 1 << 4;

export interface BitField {
  readonly lsb: number;
  readonly width: number;
  readonly label: string;
}

/** The attribute block as a field table: drives decodePte and the page-tables panel. */
export const ARM_V7S_ATTR = {
  AP0: { lsb: 0, width: 1, label: 'AF' },
  AP1: { lsb: 1, width: 1, label: 'unpriv' },
  TEX: { lsb: 2, width: 3, label: 'TEX' },
  AP2: { lsb: 5, width: 1, label: 'RO' },
  S: { lsb: 6, width: 1, label: 'S' },
  NG: { lsb: 7, width: 1, label: 'nG' },
} as const satisfies Record<string, BitField>;

export function fieldGet(word: number, f: BitField): number {
  return (word >>> f.lsb) & ((1 << f.width) - 1);
}

// Predicates, one question each (ARM_V7S_PTE_IS_VALID, ARM_V7S_PTE_IS_TABLE, arm_v7s_pte_is_cont).
export const armV7sPteIsValid = (pte: number): boolean => (pte & 3) !== 0;
export const armV7sPteIsTable = (pte: number, lvl: Lvl): boolean =>
  lvl === 1 && (pte & 3) === ARM_V7S_PTE_TYPE_TABLE;
export function armV7sPteIsCont(pte: number, lvl: Lvl): boolean {
  if (lvl === 1 && !armV7sPteIsTable(pte, lvl)) return (pte & ARM_V7S_CONT_SECTION) !== 0;
  if (lvl === 2) return (pte & ARM_V7S_PTE_TYPE_PAGE) === 0;
  return false;
}

type QuirkCfg = Pick<ArmV7sCfg, 'kernel' | 'quirks'>;

/** arm_v7s_is_mtk_enabled (v5.4; CONFIG_PHYS_ADDR_T_64BIT is assumed, as on arm64 MTK SoCs). */
export const armV7sIsMtkEnabled = (cfg: QuirkCfg): boolean => cfg.kernel === 'v5.4' && !!cfg.quirks.mtkExt;

/** arm_v7s_prot_to_pte: attribute bits of a leaf (no type change for cont, no address). */
export function armV7sProtToPte(prot: number, lvl: Lvl, cfg: QuirkCfg): number {
  const ap = !cfg.quirks.noPerms;
  let pte = ARM_V7S_ATTR_NG | ARM_V7S_ATTR_S;
  if (!(prot & IOMMU_MMIO)) pte |= 1 << ARM_V7S_TEX_SHIFT; // ARM_V7S_ATTR_TEX(1)
  if (ap) {
    pte |= ARM_V7S_PTE_AF;
    if (!(prot & IOMMU_PRIV)) pte |= ARM_V7S_PTE_AP_UNPRIV;
    if (!(prot & IOMMU_WRITE)) pte |= ARM_V7S_PTE_AP_RDONLY;
  }
  pte <<= armV7sAttrShift(lvl);
  if (prot & IOMMU_NOEXEC && ap) pte |= ARM_V7S_ATTR_XN(lvl);
  if (prot & IOMMU_MMIO) pte |= ARM_V7S_ATTR_B;
  else if (prot & IOMMU_CACHE) pte |= ARM_V7S_ATTR_B | ARM_V7S_ATTR_C;
  pte |= ARM_V7S_PTE_TYPE_PAGE;
  if (lvl === 1 && cfg.quirks.armNs) pte |= ARM_V7S_ATTR_NS_SECTION;
  // v5.0 only: the 4GB-mode bit goes into every leaf, whatever the PA.
  if (cfg.kernel === 'v5.0' && cfg.quirks.mtk4gb) pte |= ARM_V7S_ATTR_MTK_4GB;
  return pte >>> 0;
}

/**
 * arm_v7s_pte_to_prot: what collapses: READ is always reported; MMIO (TEX == 0) wins over
 * CACHE; B without C is lost. It reads XN and TEX at the section/small-page positions, so
 * it is meaningless for a level-2 large page (the kernel only calls it on level-1 blocks).
 */
export function armV7sPteToProt(pte: number, lvl: Lvl): number {
  let prot = IOMMU_READ;
  const attr = pte >>> armV7sAttrShift(lvl);
  if (!(attr & ARM_V7S_PTE_AP_RDONLY)) prot |= IOMMU_WRITE;
  if (!(attr & ARM_V7S_PTE_AP_UNPRIV)) prot |= IOMMU_PRIV;
  if ((attr & (ARM_V7S_TEX_MASK << ARM_V7S_TEX_SHIFT)) === 0) prot |= IOMMU_MMIO;
  else if (pte & ARM_V7S_ATTR_C) prot |= IOMMU_CACHE;
  if (pte & ARM_V7S_ATTR_XN(lvl)) prot |= IOMMU_NOEXEC;
  return prot;
}

/** arm_v7s_pte_to_cont: section -> supersection (bit 18); small -> large page (XN, TEX move). */
export function armV7sPteToCont(pte: number, lvl: Lvl): number {
  if (lvl === 1) return (pte | ARM_V7S_CONT_SECTION) >>> 0;
  const xn = pte & ARM_V7S_ATTR_XN(2);
  const tex = pte & ARM_V7S_CONT_PAGE_TEX_MASK;
  pte ^= xn | tex | ARM_V7S_PTE_TYPE_PAGE;
  pte |= (xn << ARM_V7S_CONT_PAGE_XN_SHIFT) | (tex << ARM_V7S_CONT_PAGE_TEX_SHIFT) | ARM_V7S_PTE_TYPE_CONT_PAGE;
  return pte >>> 0;
}

/** arm_v7s_cont_to_pte: the exact inverse of armV7sPteToCont. */
export function armV7sContToPte(pte: number, lvl: Lvl): number {
  if (lvl === 1) return (pte & ~ARM_V7S_CONT_SECTION) >>> 0;
  const xn = pte & (1 << ARM_V7S_CONT_PAGE_XN_SHIFT);
  const tex = pte & (ARM_V7S_CONT_PAGE_TEX_MASK << ARM_V7S_CONT_PAGE_TEX_SHIFT);
  pte ^= xn | tex | ARM_V7S_PTE_TYPE_CONT_PAGE;
  pte |= (xn >>> ARM_V7S_CONT_PAGE_XN_SHIFT) | (tex >>> ARM_V7S_CONT_PAGE_TEX_SHIFT) | ARM_V7S_PTE_TYPE_PAGE;
  return pte >>> 0;
}

/**
 * paddr_to_iopte (v5.4; v5.0 inlines `paddr & ARM_V7S_LVL_MASK(lvl)`). With MTK_EXT, PA bit 32
 * goes to PTE bit 9 and PA bit 33 to PTE bit 4; other bits above 31 are dropped, as the u32 is.
 */
export function armV7sPaddrToIopte(pa: number, lvl: Lvl, cfg: QuirkCfg): number {
  let pte = (lower32(pa) & armV7sLvlMask(lvl)) >>> 0;
  if (!armV7sIsMtkEnabled(cfg)) return pte;
  const hi = upper32(pa);
  if (hi & 1) pte |= ARM_V7S_ATTR_MTK_PA_BIT32;
  if (hi & 2) pte |= ARM_V7S_ATTR_MTK_PA_BIT33;
  return pte >>> 0;
}

/** iopte_to_paddr (v5.4; v5.0 masks the same way and has no PA bits above 31). */
export function armV7sIopteToPaddr(pte: number, lvl: Lvl, cfg: QuirkCfg): number {
  let mask: number;
  if (armV7sPteIsTable(pte, lvl)) mask = ARM_V7S_TABLE_MASK;
  else if (armV7sPteIsCont(pte, lvl)) mask = armV7sContMask(lvl);
  else mask = armV7sLvlMask(lvl);
  const pa = (pte & mask) >>> 0;
  if (!armV7sIsMtkEnabled(cfg)) return pa;
  let hi = 0;
  if (pte & ARM_V7S_ATTR_MTK_PA_BIT32) hi |= 1;
  if (pte & ARM_V7S_ATTR_MTK_PA_BIT33) hi |= 2;
  return pa + hi * SZ_4G;
}
