/** Addresses in the trace are lowercase hex strings ("0x1f000"); numbers stay exact to 2^53. */
export function hex(n: number): string {
  // Number.prototype.toString(16) is slow for values that are not small integers (a PA
  // above 4 GiB); split those into two u32 halves, which print fast and identically.
  if ((n >>> 0) === n) return '0x' + (n >>> 0).toString(16);
  if (n >= 0x1_0000_0000 && Number.isSafeInteger(n)) {
    return '0x' + Math.floor(n / 0x1_0000_0000).toString(16) + ((n % 0x1_0000_0000) >>> 0).toString(16).padStart(8, '0');
  }
  return '0x' + n.toString(16);
}

/** Zero-padded hex for register and PTE words ("0x00000c7f"). */
export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * 1024 * 1024;
export const SZ_4G = 0x1_0000_0000;

/** Bits above 31 of a physical address; bit operators would truncate them. */
export function upper32(pa: number): number {
  return Math.floor(pa / SZ_4G);
}

export function lower32(pa: number): number {
  return pa % SZ_4G;
}
