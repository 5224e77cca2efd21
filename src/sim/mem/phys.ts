/**
 * Sparse physical memory of up to 2^48 bytes. A 4 KiB page materialises on its first
 * write; memory never written reads as zero. Multi-byte values are little-endian, as on
 * the ARM and x86 machines modelled here.
 */
import { assert } from '../core/assert.ts';
import { LIMITS, SimLimitError } from '../limits.ts';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PA_LIMIT = 2 ** 48;

export interface PhysMem {
  /** page frame number -> 4 KiB of contents */
  pages: Map<number, Uint8Array>;
}

export function physCreate(): PhysMem {
  return { pages: new Map() };
}

function checkRange(pa: number, len: number): void {
  // Hot path (every PTE read of a table walk): decide first, build messages only on failure.
  if (Number.isSafeInteger(pa) && pa >= 0 && pa + len <= PA_LIMIT) return;
  assert(Number.isSafeInteger(pa) && pa >= 0, `bad physical address ${pa}`);
  assert(pa + len <= PA_LIMIT, `physical access beyond 2^48 at 0x${pa.toString(16)}`);
}

/** Pages a run may back (the limits table's backed memory); the checks keep scenarios below it. */
const MAX_PAGES = LIMITS.backedBytes / PAGE_SIZE;

function pageFor(mem: PhysMem, pfn: number): Uint8Array {
  let p = mem.pages.get(pfn);
  if (!p) {
    if (mem.pages.size >= MAX_PAGES) throw new SimLimitError(`the run backs ${LIMITS.backedBytes / 2 ** 20} MiB of simulated memory with real pages, the limit (writing 0x${(pfn * PAGE_SIZE).toString(16)})`);
    p = new Uint8Array(PAGE_SIZE);
    mem.pages.set(pfn, p);
  }
  return p;
}

export function read8(mem: PhysMem, pa: number): number {
  checkRange(pa, 1);
  const p = mem.pages.get(Math.floor(pa / PAGE_SIZE));
  return p ? p[pa % PAGE_SIZE] : 0;
}

export function write8(mem: PhysMem, pa: number, v: number): void {
  checkRange(pa, 1);
  pageFor(mem, Math.floor(pa / PAGE_SIZE))[pa % PAGE_SIZE] = v & 0xff;
}

/** Little-endian u32; the common case (inside one page) touches the page once. */
export function read32(mem: PhysMem, pa: number): number {
  const off = pa % PAGE_SIZE;
  if (off <= PAGE_SIZE - 4) {
    checkRange(pa, 4);
    const p = mem.pages.get((pa - off) / PAGE_SIZE);
    if (!p) return 0;
    return (p[off] | (p[off + 1] << 8) | (p[off + 2] << 16) | (p[off + 3] << 24)) >>> 0;
  }
  return (read8(mem, pa) | (read8(mem, pa + 1) << 8) | (read8(mem, pa + 2) << 16) | (read8(mem, pa + 3) << 24)) >>> 0;
}

export function write32(mem: PhysMem, pa: number, v: number): void {
  const off = pa % PAGE_SIZE;
  if (off <= PAGE_SIZE - 4) {
    checkRange(pa, 4);
    const p = pageFor(mem, (pa - off) / PAGE_SIZE);
    p[off] = v & 0xff;
    p[off + 1] = (v >>> 8) & 0xff;
    p[off + 2] = (v >>> 16) & 0xff;
    p[off + 3] = (v >>> 24) & 0xff;
    return;
  }
  for (let i = 0; i < 4; i++) write8(mem, pa + i, (v >>> (8 * i)) & 0xff);
}

/** u64 as a bigint (VT-d and AMD descriptors are 64-bit). */
export function read64(mem: PhysMem, pa: number): bigint {
  return BigInt(read32(mem, pa)) | (BigInt(read32(mem, pa + 4)) << 32n);
}

export function write64(mem: PhysMem, pa: number, v: bigint): void {
  write32(mem, pa, Number(v & 0xffff_ffffn));
  write32(mem, pa + 4, Number((v >> 32n) & 0xffff_ffffn));
}

/** Copy len bytes out of memory. */
export function readBytes(mem: PhysMem, pa: number, len: number): Uint8Array {
  checkRange(pa, len);
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const cur = pa + done;
    const off = cur % PAGE_SIZE;
    const n = Math.min(len - done, PAGE_SIZE - off);
    const p = mem.pages.get((cur - off) / PAGE_SIZE);
    if (p) out.set(p.subarray(off, off + n), done);
    done += n;
  }
  return out;
}

export function writeBytes(mem: PhysMem, pa: number, data: Uint8Array): void {
  checkRange(pa, data.length);
  let done = 0;
  while (done < data.length) {
    const cur = pa + done;
    const off = cur % PAGE_SIZE;
    const n = Math.min(data.length - done, PAGE_SIZE - off);
    pageFor(mem, (cur - off) / PAGE_SIZE).set(data.subarray(done, done + n), off);
    done += n;
  }
}

/** memmove semantics: overlapping ranges copy as if through a temporary buffer. */
export function copy(mem: PhysMem, dst: number, src: number, len: number): void {
  if (src < dst + len && dst < src + len) {
    writeBytes(mem, dst, readBytes(mem, src, len));
    return;
  }
  // Disjoint (every bounce copy): page to page, without a temporary buffer.
  checkRange(src, len);
  checkRange(dst, len);
  let done = 0;
  while (done < len) {
    const s = src + done, d = dst + done;
    const so = s % PAGE_SIZE, doff = d % PAGE_SIZE;
    const n = Math.min(len - done, PAGE_SIZE - so, PAGE_SIZE - doff);
    const sp = mem.pages.get((s - so) / PAGE_SIZE);
    if (sp) pageFor(mem, (d - doff) / PAGE_SIZE).set(sp.subarray(so, so + n), doff);
    else {
      const dp = mem.pages.get((d - doff) / PAGE_SIZE);
      if (dp) dp.fill(0, doff, doff + n); // an untouched source page reads as zero
    }
    done += n;
  }
}

export function fill(mem: PhysMem, pa: number, len: number, byte: number): void {
  checkRange(pa, len);
  let done = 0;
  while (done < len) {
    const cur = pa + done;
    const off = cur % PAGE_SIZE;
    const n = Math.min(len - done, PAGE_SIZE - off);
    const pfn = (cur - off) / PAGE_SIZE;
    // Filling with zero need not materialise a page that is already zero.
    if (byte !== 0 || mem.pages.has(pfn)) pageFor(mem, pfn).fill(byte & 0xff, off, off + n);
    done += n;
  }
}

/** FNV-1a over bytes in hand: a short fingerprint of buffer contents for the trace. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** FNV-1a over a range of memory. */
export function checksum(mem: PhysMem, pa: number, len: number): string {
  return fnv1a(readBytes(mem, pa, len));
}
