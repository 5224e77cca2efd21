/**
 * 64-bit words as two u32 halves. The hot paths (table walks, IOTLB fills) stay on plain
 * numbers; records take the bigint (hex64 fields) made here.
 */
import { read32, write32, type PhysMem } from '../../mem/phys.ts';

export const SZ_4G = 0x1_0000_0000;

export const lo32 = (n: number): number => n % SZ_4G >>> 0;
export const hi32 = (n: number): number => Math.floor(n / SZ_4G) >>> 0;

/** The word as a bigint (for hex64 record fields). */
export function w64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Read the u64 at pa into `out` ([lo, hi]); returns lo. */
export function readWord(mem: PhysMem, pa: number, out: number[]): number {
  out[0] = read32(mem, pa);
  out[1] = read32(mem, pa + 4);
  return out[0];
}

export function writeWord(mem: PhysMem, pa: number, lo: number, hi: number): void {
  write32(mem, pa, lo);
  write32(mem, pa + 4, hi);
}

/** Bits 51:12 of a word: the address field of a PTE or DTE root (PM_ADDR_MASK). */
export const addrOf = (lo: number, hi: number): number => ((lo & 0xffff_f000) >>> 0) + (hi & 0x000f_ffff) * SZ_4G;

/** ffz(x) over the 64-bit word: the lowest clear bit. */
export function ffz64(lo: number, hi: number): number {
  for (let b = 0; b < 32; b++) if (((lo >>> b) & 1) === 0) return b;
  for (let b = 0; b < 32; b++) if (((hi >>> b) & 1) === 0) return 32 + b;
  return 64;
}

/** __ffs(x): index of the lowest set bit of a positive power-of-two-friendly number. */
export function ffs0(x: number): number {
  let b = 0;
  while (x > 1 && x % 2 === 0) {
    x /= 2;
    b++;
  }
  return b;
}
