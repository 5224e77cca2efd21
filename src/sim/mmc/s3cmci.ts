/**
 * The s3cmci host's PIO path (drivers/mmc/host/s3cmci.c, v5.0.1; unchanged in v5.4.1):
 * get_data_buffer hands out the next scatterlist entry, do_pio_read / do_pio_write move
 * FIFO words to or from it with the CPU. Unpatched the driver walks a kernel pointer,
 * sg_virt(sg) = page_address(sg_page(sg)) + sg->offset, which is NULL + offset for a
 * highmem page nobody kmapped. The January 2019 patch ("mmc: s3cmci: handle highmem
 * pages") keeps an offset instead and kmap_atomic()s the page around the copy; its final
 * text is not in any tree we have (kernel-facts-2 §15), so the model maps the page under
 * the current position, per FIFO burst run, which is what the patch describes.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { PAGE_SIZE, readBytes, writeBytes } from '../mem/phys.ts';
import { kmemState } from '../kmem/state.ts';
import { kernelVaToPa, kmapAtomic, kunmapAtomic, pageAddress } from '../kmem/highmem.ts';
import { kernelAccess } from '../kmem/oops.ts';
import type { SgEntry } from '../block/bvec-map-sg.ts';

const S3CMCI_C = 'drivers/mmc/host/s3cmci.c';
export const F_DO_PIO_READ = kfunc('do_pio_read', S3CMCI_C);
export const F_DO_PIO_WRITE = kfunc('do_pio_write', S3CMCI_C);

/** s3cmci_probe: max_blk_count 4095, max_req_size 4095 * 512, max_seg_size = max_req_size, max_segs 128. */
export const S3CMCI_MAX_REQ_SIZE = 4095 * 512;
export const S3CMCI_MAX_SEGS = 128;
/** The SDI FIFO: fifo_count reads up to 64 bytes, fifo_free offers 63 - count. */
const FIFO_READ = 64;
const FIFO_WRITE = 63;

export type PioMode = 'sg_virt' | 'kmap_atomic';

/** The host's PIO cursor (struct s3cmci_host: pio_sgptr, pio_bytes, pio_ptr). */
export interface PioState {
  mode: PioMode;
  sg: SgEntry[];
  /** Index of the next entry get_data_buffer hands out. */
  sgptr: number;
  /** Bytes left in the current entry. */
  bytes: number;
  /** sg_virt mode: the kernel pointer into the current entry. */
  ptr: number;
  /** kmap_atomic mode: bytes of the current entry done. */
  pos: number;
}

export function pioStart(mode: PioMode, sg: SgEntry[]): PioState {
  return { mode, sg, sgptr: 0, bytes: 0, ptr: 0, pos: 0 };
}

/** get_data_buffer: the next entry, or false (-EBUSY: no more buffers). */
function getDataBuffer(m: Machine, p: PioState): boolean {
  if (p.sgptr >= p.sg.length) return false;
  const sg = p.sg[p.sgptr];
  p.bytes = sg.length;
  if (p.mode === 'sg_virt') {
    const off = sg.pa % PAGE_SIZE;
    p.ptr = pageAddress(kmemState(m), (sg.pa - off) / PAGE_SIZE) + off; // sg_virt(sg)
  } else {
    p.pos = 0;
  }
  p.sgptr++;
  return true;
}

/** Where the FIFO data goes or comes from, and the run of `pio` records being built. */
interface Xfer {
  readonly dev: string;
  readonly req: number;
  readonly dir: 'read' | 'write';
  /** The block's bytes (read: from the card; write: filled from memory). */
  readonly data: Uint8Array;
  done: number;
  run: { sg: number; va: number; pa: number; len: number } | null;
  /** kmap_atomic mode: the page mapped now and its address. */
  mapped: { pfn: number; va: number } | null;
}

function flushRun(m: Machine, p: PioState, x: Xfer): void {
  const r = x.run;
  if (!r) return;
  m.emit('pio', { dev: x.dev, req: x.req, sg: r.sg, dir: x.dir, va: r.va, pa: r.pa, len: r.len, via: p.mode });
  x.run = null;
}

function unmapPage(m: Machine, p: PioState, x: Xfer): void {
  if (!x.mapped) return;
  flushRun(m, p, x);
  kunmapAtomic(m, x.mapped.va);
  x.mapped = null;
}

/** The kernel address of the next byte, and how many bytes fit before the page it lies in ends. */
function nextAddress(m: Machine, p: PioState, x: Xfer): { va: number; room: number } {
  if (p.mode === 'sg_virt') return { va: p.ptr, room: PAGE_SIZE - (p.ptr % PAGE_SIZE) };
  const addr = p.sg[p.sgptr - 1].pa + p.pos;
  const pfn = Math.floor(addr / PAGE_SIZE);
  if (x.mapped?.pfn !== pfn) {
    unmapPage(m, p, x);
    x.mapped = { pfn, va: kmapAtomic(m, pfn * PAGE_SIZE) };
  }
  return { va: x.mapped.va + (addr % PAGE_SIZE), room: PAGE_SIZE - (addr % PAGE_SIZE) };
}

/** Where an sg_virt pointer came from, for the bad-access record. */
function sgVirtWhy(m: Machine, sg: SgEntry): string {
  const off = sg.pa % PAGE_SIZE;
  const page = sg.pa - off;
  const va = pageAddress(kmemState(m), page / PAGE_SIZE);
  const what = va ? `0x${va.toString(16)}` : 'NULL (highmem, no kmap)';
  return `sg_virt(sg) = page_address(page 0x${page.toString(16)}) = ${what}, + offset 0x${off.toString(16)}`;
}

/** Move `n` bytes of the current entry; false when the CPU faulted (the oops is emitted). */
function copyChunk(m: Machine, p: PioState, x: Xfer, n: number, func: string): boolean {
  while (n > 0) {
    const { va, room } = nextAddress(m, p, x);
    const len = Math.min(n, room);
    let pa = kernelVaToPa(kmemState(m), va);
    if (pa < 0) {
      flushRun(m, p, x); // the bytes that made it come first
      const why = p.mode === 'sg_virt' ? sgVirtWhy(m, p.sg[p.sgptr - 1]) : 'kmap_atomic(page) + offset';
      pa = kernelAccess(m, { va, write: x.dir === 'read', func, why, inInterrupt: true });
      if (pa < 0) return false;
    }
    if (x.dir === 'read') writeBytes(m.state.mem, pa, x.data.subarray(x.done, x.done + len));
    else x.data.set(readBytes(m.state.mem, pa, len), x.done);
    const sg = p.sgptr - 1;
    const r = x.run;
    if (r && r.sg === sg && r.va + r.len === va && r.pa + r.len === pa) r.len += len;
    else {
      flushRun(m, p, x);
      x.run = { sg, va, pa, len };
    }
    x.done += len;
    n -= len;
    if (p.mode === 'sg_virt') p.ptr += len;
    else p.pos += len;
  }
  return true;
}

/**
 * do_pio_read / do_pio_write for one block's bytes: FIFO bursts (rounded down to whole
 * words unless they finish the entry), a new entry from get_data_buffer whenever the
 * current one is used up. Returns false when the CPU faulted.
 */
export function doPio(m: Machine, p: PioState, a: { dev: string; req: number; dir: 'read' | 'write'; data: Uint8Array }): boolean {
  const read = a.dir === 'read';
  const k = m.kstack.enter(read ? F_DO_PIO_READ : F_DO_PIO_WRITE);
  const x: Xfer = { ...a, done: 0, run: null, mapped: null };
  let ok = true;
  while (ok && x.done < a.data.length) {
    let fifo = Math.min(read ? FIFO_READ : FIFO_WRITE, a.data.length - x.done);
    if (p.bytes === 0 && !getDataBuffer(m, p)) break;
    if (fifo >= p.bytes) fifo = p.bytes;
    else fifo -= fifo & 3;
    p.bytes -= fifo;
    ok = copyChunk(m, p, x, fifo, read ? 'do_pio_read' : 'do_pio_write');
  }
  if (ok) {
    flushRun(m, p, x);
    unmapPage(m, p, x);
    // do_pio_read ends by fetching the next buffer if this one is used up.
    if (read && p.bytes === 0) getDataBuffer(m, p);
  }
  m.kstack.leave(k);
  return ok;
}
