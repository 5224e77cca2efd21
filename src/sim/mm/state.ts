/**
 * Access to the mm model's state: mms by id or name, VMAs by address, CPU PTEs (every
 * change of a translation is a `cpu-pte` record whose seq the coherency checker cites),
 * and struct-page bookkeeping (alloc, map count, free) over the machine's allocator.
 */
import type { Machine } from '../machine.ts';
import { assert } from '../core/assert.ts';
import { hex } from '../core/hex.ts';
import { physAlloc, physFree } from '../mem/alloc.ts';
import { fill } from '../mem/phys.ts';
import { SimLimitError } from '../limits.ts';
import {
  type MmModel, type MmStruct, PAGE_SHIFT, PAGE_SIZE, type PageMeta, type Pte, type Vma,
} from './types.ts';
import { modelKey } from '../core/keys.ts';

export const MM_MODEL = modelKey<MmModel>('mm');

export function mmModel(m: Machine): MmModel {
  return m.model(MM_MODEL);
}

export function mmById(m: Machine, id: number): MmStruct {
  const mm = mmModel(m).mms[id];
  assert(mm !== undefined, `no mm ${id}`);
  return mm;
}

export function mmByName(m: Machine, name: string): MmStruct | undefined {
  return mmModel(m).mms.find((x) => x.name === name);
}

/** find_vma + the start check: the VMA containing va, if any. */
export function findVma(mm: MmStruct, va: number): Vma | undefined {
  return mm.vmas.find((v) => v.start <= va && va < v.end);
}

export const vpnOf = (va: number): number => Math.floor(va / PAGE_SIZE);
export const vaOf = (vpn: number): number => vpn * PAGE_SIZE;
export const paOf = (pfn: number): number => pfn * PAGE_SIZE;

/** The PTE as an x86-64 word: _PAGE_PRESENT 0x1, _PAGE_RW 0x2, _PAGE_USER 0x4,
 * _PAGE_ACCESSED 0x20, _PAGE_DIRTY 0x40; a swap entry carries its slot in the pfn bits. */
export function pteValue(p: Pte | undefined): number {
  if (!p) return 0;
  const frame = p.present ? p.pfn : p.swap;
  const flags = p.present ? 0x1 | (p.write ? 0x2 : 0) | 0x4 | (p.young ? 0x20 : 0) | (p.dirty ? 0x40 : 0) : 0;
  return frame * 2 ** PAGE_SHIFT + flags;
}

/** The PTE word as text, for views. */
export function pteWord(p: Pte | undefined): string {
  return hex(pteValue(p));
}

/** Does this PTE give a different translation than `old` (frame, presence or write)? */
function translationDiffers(old: Pte | undefined, p: Pte | undefined): boolean {
  if (!old || !p) return (old?.present ?? false) || (p?.present ?? false);
  return old.present !== p.present || old.pfn !== p.pfn || old.write !== p.write;
}

/** set_pte_at / pte_clear with a `cpu-pte` record naming the kernel function. */
export function setPte(m: Machine, mm: MmStruct, vpn: number, p: Pte | undefined, why: string): void {
  const old = mm.ptes.get(vpn);
  const oldWord = pteValue(old);
  if (p) mm.ptes.set(vpn, p);
  else mm.ptes.delete(vpn);
  const r = m.emit('cpu-pte', { mm: mm.name, va: vaOf(vpn), old: oldWord, new: pteValue(p), why });
  if (translationDiffers(old, p)) mm.changedBy.set(vpn, r.seq);
}

/** Change only the accessed/dirty bits (no new translation, so the checker's seq stays). */
export function setPteBits(m: Machine, mm: MmStruct, vpn: number, bits: { young?: boolean; dirty?: boolean }, why: string): void {
  const p = mm.ptes.get(vpn);
  assert(p !== undefined, 'setPteBits on an empty pte');
  const oldWord = pteValue(p);
  if (bits.young !== undefined) p.young = bits.young;
  if (bits.dirty !== undefined) p.dirty = bits.dirty;
  const newWord = pteValue(p);
  if (newWord !== oldWord) m.emit('cpu-pte', { mm: mm.name, va: vaOf(vpn), old: oldWord, new: newWord, why });
}

export function presentPte(pfn: number, write: boolean, special = false): Pte {
  return { pfn, present: true, write, young: true, dirty: false, swap: -1, special };
}

/** alloc_page(GFP_HIGHUSER_MOVABLE), zeroed like do_anonymous_page's page. */
export function allocPage(m: Machine, meta: Partial<PageMeta>): number {
  const pa = physAlloc(m.state.alloc, PAGE_SIZE);
  // The kernel would OOM here; the scenario asked for more user pages than its DRAM holds.
  if (pa < 0) throw new SimLimitError(`out of simulated DRAM for user pages (${m.state.alloc.allocated} bytes allocated); add memory.dram or map less`);
  fill(m.state.mem, pa, PAGE_SIZE, 0);
  const pfn = pa / PAGE_SIZE;
  mmModel(m).pages.set(pfn, { mapcount: 0, anon: false, ksm: false, cache: '', ...meta });
  return pfn;
}

export function pageMeta(m: Machine, pfn: number): PageMeta | undefined {
  return mmModel(m).pages.get(pfn);
}

/** put_page on the last reference: back to the allocator, with a record. */
export function freePage(m: Machine, pfn: number, why: string): void {
  const mdl = mmModel(m);
  const meta = mdl.pages.get(pfn);
  assert(meta !== undefined, `free of unknown page ${pfn}`);
  if (meta.cache) mdl.pagecache.delete(meta.cache);
  mdl.pages.delete(pfn);
  physFree(m.state.alloc, paOf(pfn), PAGE_SIZE);
  m.emit('page-free', { pa: paOf(pfn), why });
}

/** page_remove_rmap + put_page: a page no mapping and no page cache holds is freed. */
export function unmapPageRef(m: Machine, pfn: number, why: string, deferred?: number[]): void {
  const meta = pageMeta(m, pfn);
  if (!meta) return; // a special (PFN-map) pte has no struct page
  meta.mapcount--;
  assert(meta.mapcount >= 0, 'negative mapcount');
  if (meta.mapcount === 0 && !meta.cache) {
    if (deferred) deferred.push(pfn);
    else freePage(m, pfn, why);
  }
}

/** rmap_walk: every (mm, vpn) mapping the page, in mm creation order then address. */
export function rmapWalk(m: Machine, pfn: number): { mm: MmStruct; vpn: number }[] {
  const out: { mm: MmStruct; vpn: number }[] = [];
  for (const mm of mmModel(m).mms) {
    for (const [vpn, p] of mm.ptes) if (p.present && p.pfn === pfn && !p.special) out.push({ mm, vpn });
  }
  return out.sort((a, b) => a.mm.id - b.mm.id || a.vpn - b.vpn);
}

/** PTEs of an mm in [start, end), in address order (a walk of the page table). */
export function ptesIn(mm: MmStruct, start: number, end: number): [number, Pte][] {
  const lo = vpnOf(start), hi = Math.ceil(end / PAGE_SIZE);
  const out: [number, Pte][] = [];
  if (hi - lo < mm.ptes.size) {
    for (let v = lo; v < hi; v++) {
      const p = mm.ptes.get(v);
      if (p) out.push([v, p]);
    }
  } else {
    for (const [v, p] of mm.ptes) if (v >= lo && v < hi) out.push([v, p]);
    out.sort((a, b) => a[0] - b[0]);
  }
  return out;
}

/** The model's empty state, created by the scenario's processes build step. */
export function mmModelCreate(m: Machine): MmModel {
  const mdl: MmModel = {
    mms: [], pages: new Map(), swap: new Map(), swapNext: 0, pagecache: new Map(), zeroPfn: -1, plan: [], prng: m.forkPrng(),
  };
  return m.addModel(MM_MODEL, mdl);
}
