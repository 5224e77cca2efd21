/**
 * Sparse physical memory of up to 2^48 bytes. A 4 KiB page materialises on its first
 * write; memory never written reads as zero. Multi-byte values are little-endian, as on
 * the ARM and x86 machines modelled here.
 */
import { assert } from '../core/assert.ts';
import { LIMITS, SimLimitError } from '../limits.ts';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/**
 * pa & PAGE_MASK is pa % PAGE_SIZE for any non-negative safe integer (ToInt32 keeps the low 32 bits), and
 * stays an integer operation: `%` on an address past 2^31 (a double) is a call into fmod.
 */
const PAGE_MASK = PAGE_SIZE - 1;
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

/**
 * New pages are carved from 64 KiB slabs: an ArrayBuffer of its own per 4 KiB page is a
 * malloc'd backing store that V8's sweeper threads free one by one (a swarm seed writes ~14
 * pages; those allocations and frees were ~10% of a seed's CPU). A slab is zero and its
 * pages are never handed out twice; it is freed when its last page is. Not machine state:
 * a snapshot copies each page's bytes alone (v8.serialize writes a view's own range).
 */
const SLAB_PAGES = 16;
let slab: ArrayBuffer | undefined;
let slabNext = SLAB_PAGES;
function newPage(): Uint8Array {
  if (slabNext === SLAB_PAGES) {
    slab = new ArrayBuffer(SLAB_PAGES * PAGE_SIZE);
    slabNext = 0;
  }
  return new Uint8Array(slab!, PAGE_SIZE * slabNext++, PAGE_SIZE);
}

function pageFor(mem: PhysMem, pfn: number): Uint8Array {
  let p = mem.pages.get(pfn);
  if (!p) {
    if (mem.pages.size >= MAX_PAGES) throw new SimLimitError(`the run backs ${LIMITS.backedBytes / 2 ** 20} MiB of simulated memory with real pages, the limit (writing 0x${(pfn * PAGE_SIZE).toString(16)})`);
    p = newPage();
    mem.pages.set(pfn, p);
  }
  return p;
}

/** A page about to be written: its cached checksum (if any) no longer holds. */
function pageForWrite(mem: PhysMem, pfn: number): Uint8Array {
  const p = pageFor(mem, pfn);
  if (sumsCached) pageSums.delete(p);
  return p;
}

export function read8(mem: PhysMem, pa: number): number {
  checkRange(pa, 1);
  const p = mem.pages.get(Math.floor(pa / PAGE_SIZE));
  return p ? p[pa & PAGE_MASK] : 0;
}

export function write8(mem: PhysMem, pa: number, v: number): void {
  checkRange(pa, 1);
  pageForWrite(mem, Math.floor(pa / PAGE_SIZE))[pa & PAGE_MASK] = v & 0xff;
}

/** Little-endian u32; the common case (inside one page) touches the page once. */
export function read32(mem: PhysMem, pa: number): number {
  const off = pa & PAGE_MASK;
  if (off <= PAGE_SIZE - 4) {
    checkRange(pa, 4);
    const p = mem.pages.get((pa - off) / PAGE_SIZE);
    if (!p) return 0;
    return (p[off] | (p[off + 1] << 8) | (p[off + 2] << 16) | (p[off + 3] << 24)) >>> 0;
  }
  return (read8(mem, pa) | (read8(mem, pa + 1) << 8) | (read8(mem, pa + 2) << 16) | (read8(mem, pa + 3) << 24)) >>> 0;
}

export function write32(mem: PhysMem, pa: number, v: number): void {
  const off = pa & PAGE_MASK;
  if (off <= PAGE_SIZE - 4) {
    checkRange(pa, 4);
    const p = pageForWrite(mem, (pa - off) / PAGE_SIZE);
    p[off] = v & 0xff;
    p[off + 1] = (v >>> 8) & 0xff;
    p[off + 2] = (v >>> 16) & 0xff;
    p[off + 3] = (v >>> 24) & 0xff;
    return;
  }
  for (let i = 0; i < 4; i++) write8(mem, pa + i, (v >>> (8 * i)) & 0xff);
}

/**
 * A little-endian u64 as a number: exact only below 2^53 (VT-d page-table words; AMD's,
 * with bits 61/62, are read as halves, amd/words.ts).
 * Table walks read many: one page lookup for both halves.
 */
export function read64Word(mem: PhysMem, pa: number): number {
  const off = pa % 4096;
  if (off > 4088 || off < 0) return read32(mem, pa) + read32(mem, pa + 4) * 0x1_0000_0000;
  const p = mem.pages.get((pa - off) / 4096);
  if (!p) return 0;
  const lo = (p[off] | (p[off + 1] << 8) | (p[off + 2] << 16) | (p[off + 3] << 24)) >>> 0;
  const hi = (p[off + 4] | (p[off + 5] << 8) | (p[off + 6] << 16) | (p[off + 7] << 24)) >>> 0;
  return lo + hi * 0x1_0000_0000;
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
  const out = new Uint8Array(len);
  readInto(mem, pa, out, 0, len);
  return out;
}

/** Copy len bytes out of memory into out[at..] (which must hold zeros or be overwritten). */
export function readInto(mem: PhysMem, pa: number, out: Uint8Array, at: number, len: number): void {
  checkRange(pa, len);
  let done = 0;
  while (done < len) {
    const cur = pa + done;
    const off = cur & PAGE_MASK;
    const n = Math.min(len - done, PAGE_SIZE - off);
    const p = mem.pages.get((cur - off) / PAGE_SIZE);
    const to = at + done;
    if (!p) out.fill(0, to, to + n);
    else if (n <= 256) for (let i = 0; i < n; i++) out[to + i] = p[off + i]; // no view object for a short copy
    else out.set(n === PAGE_SIZE ? p : p.subarray(off, off + n), to);
    done += n;
  }
}

export function writeBytes(mem: PhysMem, pa: number, data: Uint8Array): void {
  writeRange(mem, pa, data, 0, data.length);
}

/** writeBytes of data[from, from + len): a device's page chunk, with no view made of it. */
export function writeRange(mem: PhysMem, pa: number, data: Uint8Array, from: number, len: number): void {
  checkRange(pa, len);
  let done = 0;
  while (done < len) {
    const cur = pa + done;
    const off = cur & PAGE_MASK;
    const n = Math.min(len - done, PAGE_SIZE - off);
    const p = pageFor(mem, (cur - off) / PAGE_SIZE);
    // Rewriting a checksummed page with what it already holds (a device copying the same
    // frame every round) keeps its checksum: compare first, which costs far less than rehashing.
    if (!(sumsCached && pageSums.has(p) && sameBytes(p, off, data, from + done, n))) {
      if (sumsCached) pageSums.delete(p);
      p.set(data.subarray(from + done, from + done + n), off);
    }
    done += n;
  }
}

/**
 * memcmp: Buffer's compare takes both ranges and accepts a plain Uint8Array as `this`, so no
 * view is made (two Buffer views per page and equals() cost twice the compare itself); a
 * byte loop is ~30x slower on a 4 KiB page.
 */
const bufferCompare = Buffer.prototype.compare;
function sameBytes(p: Uint8Array, off: number, data: Uint8Array, from: number, n: number): boolean {
  // Up to 64 bytes (a descriptor, a log line) a loop beats the call into C++ (~85 vs ~130 ns).
  if (n <= 64) {
    for (let i = 0; i < n; i++) if (p[off + i] !== data[from + i]) return false;
    return true;
  }
  return bufferCompare.call(p, data, from, from + n, off, off + n) === 0;
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
    const so = s & PAGE_MASK, doff = d & PAGE_MASK;
    const n = Math.min(len - done, PAGE_SIZE - so, PAGE_SIZE - doff);
    const sp = mem.pages.get((s - so) / PAGE_SIZE);
    if (sp) pageForWrite(mem, (d - doff) / PAGE_SIZE).set(sp.subarray(so, so + n), doff);
    else if (mem.pages.has((d - doff) / PAGE_SIZE)) {
      pageForWrite(mem, (d - doff) / PAGE_SIZE).fill(0, doff, doff + n); // an untouched source page reads as zero
    }
    done += n;
  }
}

export function fill(mem: PhysMem, pa: number, len: number, byte: number): void {
  checkRange(pa, len);
  let done = 0;
  while (done < len) {
    const cur = pa + done;
    const off = cur & PAGE_MASK;
    const n = Math.min(len - done, PAGE_SIZE - off);
    const pfn = (cur - off) / PAGE_SIZE;
    // Filling with zero need not materialise a page that is already zero.
    if (byte !== 0 || mem.pages.has(pfn)) pageForWrite(mem, pfn).fill(byte & 0xff, off, off + n);
    done += n;
  }
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32-bit) over bytes in hand: a short fingerprint of buffer contents for the trace. */
export function fnv1a(bytes: Uint8Array, h = FNV_OFFSET_BASIS): number {
  return fnvRun(h | 0, bytes, 0, bytes.length) >>> 0;
}

/** FNV-1a over a range of memory, hashed in place (no copy); equals fnv1a(readBytes(...)). */
export function checksum(mem: PhysMem, pa: number, len: number): number {
  checkRange(pa, len);
  let h = FNV_OFFSET_BASIS | 0;
  let done = 0;
  while (done < len) {
    const cur = pa + done;
    const off = cur & PAGE_MASK;
    const n = Math.min(len - done, PAGE_SIZE - off);
    const p = mem.pages.get((cur - off) / PAGE_SIZE);
    h = p ? pageRunSum(p, off, n, h) : zeroRun(h, n);
    done += n;
  }
  return h >>> 0;
}

/** h after FNV-1a steps over b[from, to); h stays an int32 (imul wraps mod 2^32). */
function fnvRun(h: number, b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i], FNV_PRIME);
  return h;
}

/** Over n zero bytes each step is h *= prime: one multiply by prime^n. */
function zeroRun(h: number, n: number): number {
  return Math.imul(h, primePow(n));
}

let primePows: Int32Array | undefined;
function primePow(n: number): number {
  if (!primePows) {
    primePows = new Int32Array(PAGE_SIZE + 1);
    primePows[0] = 1;
    for (let i = 1; i <= PAGE_SIZE; i++) primePows[i] = Math.imul(primePows[i - 1], FNV_PRIME);
  }
  return primePows[n];
}

/**
 * The last checksum run over each page, kept until the page is written: the same range
 * hashed from the same running value gives the same result. Keyed by the page array, so a
 * restored snapshot (new arrays) starts empty; derived data only, never in machine state.
 */
interface PageSum {
  off: number;
  n: number;
  hIn: number;
  hOut: number;
}
const pageSums = new WeakMap<Uint8Array, PageSum>();
/** Whether any page was ever cached: until then writes skip the invalidation lookup. */
let sumsCached = false;

function pageRunSum(p: Uint8Array, off: number, n: number, hIn: number): number {
  const c = pageSums.get(p);
  if (c && c.off === off && c.n === n && c.hIn === hIn) return c.hOut;
  const hOut = fnvRun(hIn, p, off, off + n);
  pageSums.set(p, { off, n, hIn, hOut });
  sumsCached = true;
  return hOut;
}
