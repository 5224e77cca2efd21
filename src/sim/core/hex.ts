/** Addresses in the trace are lowercase hex strings ("0x1f000"); numbers stay exact to 2^53. */
export function hex(n: number): string {
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
