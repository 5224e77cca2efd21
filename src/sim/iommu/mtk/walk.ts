/**
 * The M4U's hardware table walker: it reads the ARM v7s short-descriptor table from
 * memory on an IOTLB miss. This is the hardware's view, separate from the kernel's
 * io-pgtable code: PTE bit 9 is output-address bit 32 (4GB mode and MTK_EXT) and, on the
 * 34-bit mt8183 walker, bit 4 is bit 33 (io-pgtable-arm-v7s.c ARM_V7S_ATTR_MTK_PA_BIT32/33).
 * Returns the leaf or where the walk stopped; allocation-free on the hot path via `out`.
 */
import { read32 } from '../../mem/phys.ts';

export interface HwWalk {
  ok: boolean;
  /** 0: stopped at level 1, 1: at level 2 (FAULT_VA's layer bit). */
  layer: number;
  /** Output address of the page containing iova, and the page size. */
  pa: number;
  size: number;
  iovaBase: number;
  ptePa: number;
  pte: number;
  l1Pa: number;
  l1: number;
}

export function hwWalkCreate(): HwWalk {
  return { ok: false, layer: 0, pa: 0, size: 0, iovaBase: 0, ptePa: 0, pte: 0, l1Pa: 0, l1: 0 };
}

function extBits(pte: number, paBits: number): number {
  let hi = 0;
  if (pte & (1 << 9)) hi += 2 ** 32;
  if (paBits >= 34 && pte & (1 << 4)) hi += 2 ** 33;
  return hi;
}

export function hwWalk(mem: Parameters<typeof read32>[0], pgd: number, iova: number, paBits: number, out: HwWalk): HwWalk {
  const l1Pa = pgd + 4 * (iova >>> 20);
  const l1 = read32(mem, l1Pa);
  out.l1Pa = l1Pa;
  out.l1 = l1;
  out.ok = false;
  if ((l1 & 3) === 0) {
    out.layer = 0;
    out.ptePa = l1Pa;
    out.pte = l1;
    return out;
  }
  if ((l1 & 3) === 1) {
    const ptePa = (l1 & 0xfffffc00) >>> 0;
    const l2Pa = ptePa + 4 * ((iova >>> 12) & 0xff);
    const l2 = read32(mem, l2Pa);
    out.ptePa = l2Pa;
    out.pte = l2;
    out.layer = 1;
    if ((l2 & 3) === 0) return out;
    const large = (l2 & 3) === 1;
    out.size = large ? 0x10000 : 0x1000;
    out.pa = ((l2 & (large ? 0xffff0000 : 0xfffff000)) >>> 0) + extBits(l2, paBits);
  } else {
    out.ptePa = l1Pa;
    out.pte = l1;
    out.layer = 0;
    const supersection = (l1 & (1 << 18)) !== 0;
    out.size = supersection ? 0x1000000 : 0x100000;
    out.pa = ((l1 & (supersection ? 0xff000000 : 0xfff00000)) >>> 0) + extBits(l1, paBits);
  }
  out.iovaBase = (iova & ~(out.size - 1)) >>> 0; // a 32-bit IOVA, a power-of-two size (`%` on a double is an fmod call)
  out.ok = true;
  return out;
}
