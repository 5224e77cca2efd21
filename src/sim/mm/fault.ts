/**
 * handle_mm_fault (mm/memory.c, v5.0) for the cases the scenarios reach: anonymous pages
 * (the shared zero page on a read), file pages through the page cache (do_read_fault,
 * do_cow_fault, do_shared_fault), PFN maps of device files, swap-in (do_swap_page), and
 * write-protect faults (do_wp_page: wp_page_reuse or wp_page_copy with its notifiers).
 */
import type { Machine } from '../machine.ts';
import { copy, readBytes, writeBytes, fill } from '../mem/phys.ts';
import { type MmStruct, PAGE_SIZE, type Pte, type Vma } from './types.ts';
import {
  allocPage, findVma, mmModel, pageMeta, paOf, presentPte, setPte, setPteBits, unmapPageRef, vaOf, vpnOf,
} from './state.ts';
import {
  mmuNotifierChangePte, mmuNotifierInvalidateRange, mmuNotifierInvalidateRangeEnd,
  mmuNotifierInvalidateRangeStart,
} from './notifier.ts';

export interface FaultResult {
  readonly ok: boolean;
  /** The kernel path taken, or why it failed (VM_FAULT_SIGSEGV). */
  readonly how: string;
}

/** The shared zero page (ZERO_PAGE(0)): one pfn, never counted, mapped read-only. */
export function zeroPfn(m: Machine): number {
  const mdl = mmModel(m);
  if (mdl.zeroPfn < 0) mdl.zeroPfn = allocPage(m, { mapcount: 1 });
  return mdl.zeroPfn;
}

/** Deterministic page-cache contents: every byte of file page `pgoff` is the same value. */
export function fileByte(file: string, pgoff: number): number {
  let h = 0x811c9dc5;
  for (const c of `${file}:${pgoff}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h & 0xff;
}

/** find_get_page or read the page in: the page-cache page of (file, pgoff). */
function pageCachePage(m: Machine, file: string, pgoff: number): number {
  const key = `${file}:${pgoff}`;
  const mdl = mmModel(m);
  let pfn = mdl.pagecache.get(key);
  if (pfn === undefined) {
    pfn = allocPage(m, { cache: key });
    fill(m.state.mem, paOf(pfn), PAGE_SIZE, fileByte(file, pgoff));
    mdl.pagecache.set(key, pfn);
  }
  return pfn;
}

const pgoffOf = (vma: Vma, vpn: number): number => vma.pgoff + (vpn - vma.start / PAGE_SIZE);

function mapPage(m: Machine, mm: MmStruct, vpn: number, pfn: number, write: boolean, why: string): void {
  const meta = pageMeta(m, pfn);
  if (meta) meta.mapcount++;
  const p = presentPte(pfn, write);
  p.dirty = write;
  setPte(m, mm, vpn, p, why);
}

/** A fault on a PTE that is none (never mapped) or a swap entry. */
function doFaultNone(m: Machine, mm: MmStruct, vma: Vma, vpn: number, write: boolean): FaultResult {
  const old = mm.ptes.get(vpn);
  if (old && old.swap >= 0) return doSwapPage(m, mm, vma, vpn, old, write);
  // do_fault: no ->fault and a none PTE, "the VMA was not fully populated on mmap()".
  if (vma.kind === 'driver') return { ok: false, how: 'VM_FAULT_SIGBUS' };
  if (vma.kind === 'device') {
    setPte(m, mm, vpn, presentPte(pgoffOf(vma, vpn), vma.write, true), 'vmf_insert_pfn');
    return { ok: true, how: 'vmf_insert_pfn' };
  }
  if (vma.kind === 'anon') {
    vma.anonVma = true;
    if (!write) {
      setPte(m, mm, vpn, presentPte(zeroPfn(m), false, true), 'do_anonymous_page(zero)');
      return { ok: true, how: 'do_anonymous_page(zero page)' };
    }
    mapPage(m, mm, vpn, allocPage(m, { anon: true }), true, 'do_anonymous_page');
    return { ok: true, how: 'do_anonymous_page' };
  }
  const cached = pageCachePage(m, vma.file, pgoffOf(vma, vpn));
  if (vma.shared) {
    mapPage(m, mm, vpn, cached, vma.write, write ? 'do_shared_fault' : 'do_read_fault');
    return { ok: true, how: write ? 'do_shared_fault' : 'do_read_fault' };
  }
  if (!write) {
    mapPage(m, mm, vpn, cached, false, 'do_read_fault');
    return { ok: true, how: 'do_read_fault' };
  }
  vma.anonVma = true;
  const pfn = allocPage(m, { anon: true });
  copy(m.state.mem, paOf(pfn), paOf(cached), PAGE_SIZE);
  mapPage(m, mm, vpn, pfn, true, 'do_cow_fault');
  return { ok: true, how: 'do_cow_fault' };
}

/** do_swap_page: read the slot back into a new page; writable only for a write fault. */
function doSwapPage(m: Machine, mm: MmStruct, vma: Vma, vpn: number, old: Pte, write: boolean): FaultResult {
  const mdl = mmModel(m);
  const slot = mdl.swap.get(old.swap)!;
  const pfn = allocPage(m, { anon: true });
  writeBytes(m.state.mem, paOf(pfn), slot.data);
  if (--slot.refs === 0) mdl.swap.delete(old.swap);
  mapPage(m, mm, vpn, pfn, write && vma.write, 'do_swap_page');
  return { ok: true, how: 'do_swap_page' };
}

/**
 * wp_page_copy: start(page) -> ptep_clear_flush_notify (invalidate_range under the PTL)
 * -> set_pte_at_notify (change_pte, then the PTE) -> invalidate_range_only_end -> the
 * old page's reference is dropped last.
 */
export function wpPageCopy(m: Machine, mm: MmStruct, vpn: number, old: Pte): void {
  const start = vaOf(vpn), end = start + PAGE_SIZE;
  const isZero = old.special && old.pfn === zeroPfn(m);
  const pfn = allocPage(m, { anon: true });
  if (!isZero) copy(m.state.mem, paOf(pfn), paOf(old.pfn), PAGE_SIZE);
  const range = { mm, start, end, blockable: true, event: 'MMU_NOTIFY_CLEAR' as const };
  mmuNotifierInvalidateRangeStart(m, range);
  setPte(m, mm, vpn, undefined, 'ptep_clear_flush_notify');
  mmuNotifierInvalidateRange(m, mm, start, end, 'ptep_clear_flush_notify');
  mmuNotifierChangePte(m, mm, start, pfn);
  const p = presentPte(pfn, true);
  p.dirty = true;
  pageMeta(m, pfn)!.mapcount++;
  setPte(m, mm, vpn, p, 'set_pte_at_notify');
  mmuNotifierInvalidateRangeEnd(m, range, true);
  if (!old.special) unmapPageRef(m, old.pfn, 'wp_page_copy');
}

/** do_wp_page: reuse an exclusive anonymous page, otherwise copy it. */
function doWpPage(m: Machine, mm: MmStruct, vma: Vma, vpn: number, old: Pte): FaultResult {
  const meta = pageMeta(m, old.pfn);
  const zero = old.special && old.pfn === zeroPfn(m);
  const exclusiveAnon = meta !== undefined && meta.anon && !meta.ksm && meta.mapcount === 1;
  const sharedMapping = vma.shared && !zero;
  if (exclusiveAnon || sharedMapping) {
    setPte(m, mm, vpn, { ...old, write: true, young: true, dirty: true }, 'wp_page_reuse');
    return { ok: true, how: 'wp_page_reuse' };
  }
  vma.anonVma = true;
  wpPageCopy(m, mm, vpn, old);
  return { ok: true, how: 'wp_page_copy' };
}

/** handle_mm_fault after find_vma and access_error, as the CPU and the PRI handlers call it. */
export function handleMmFault(m: Machine, mm: MmStruct, va: number, write: boolean): FaultResult {
  if (mm.exited) return { ok: false, how: 'mm gone' };
  const vma = findVma(mm, va);
  if (!vma) return { ok: false, how: 'no vma' };
  if (write ? !vma.write : !vma.read) return { ok: false, how: 'access_error' };
  const vpn = vpnOf(va);
  const p = mm.ptes.get(vpn);
  if (!p || !p.present) return doFaultNone(m, mm, vma, vpn, write);
  if (write && !p.write) return doWpPage(m, mm, vma, vpn, p);
  setPteBits(m, mm, vpn, { young: true, dirty: write ? true : undefined }, 'handle_pte_fault');
  return { ok: true, how: 'spurious' };
}

/** A CPU store by the process: fault as needed, then write the bytes. */
export function cpuWrite(m: Machine, mm: MmStruct, va: number, data: Uint8Array): FaultResult {
  const vpn = vpnOf(va);
  const p0 = mm.ptes.get(vpn);
  let r: FaultResult = { ok: true, how: 'present' };
  if (!p0 || !p0.present || !p0.write) r = handleMmFault(m, mm, va, true);
  if (!r.ok) return r;
  const p = mm.ptes.get(vpn)!;
  setPteBits(m, mm, vpn, { young: true, dirty: true }, 'cpu-store');
  writeBytes(m.state.mem, paOf(p.pfn) + (va % PAGE_SIZE), data.subarray(0, PAGE_SIZE - (va % PAGE_SIZE)));
  return r;
}

/** A CPU load: fault as needed; the bytes, or the failed fault (SIGSEGV or SIGBUS). */
export function cpuRead(m: Machine, mm: MmStruct, va: number, len: number): FaultResult & { data?: Uint8Array } {
  const vpn = vpnOf(va);
  const p0 = mm.ptes.get(vpn);
  let r: FaultResult = { ok: true, how: 'present' };
  if (!p0 || !p0.present) r = handleMmFault(m, mm, va, false);
  if (!r.ok) return r;
  const p = mm.ptes.get(vpn)!;
  setPteBits(m, mm, vpn, { young: true }, 'cpu-load');
  return { ...r, data: readBytes(m.state.mem, paOf(p.pfn) + (va % PAGE_SIZE), Math.min(len, PAGE_SIZE - (va % PAGE_SIZE))) };
}
