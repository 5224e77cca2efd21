/**
 * The stale-translation checker, shared by every IOMMU model. It remembers, per PTE word
 * address, the seq of the last `pte` record that wrote it. A driver's hardware model calls
 * staleCheck on every IOTLB hit: if the words the cached entry was filled from no longer
 * hold what they held (the PTE changed or went away) and no invalidation dropped the entry,
 * the device is using a stale translation, and a `stale-tlb` record names the `pte` record
 * that changed it. It only reads machine state and writes its own bookkeeping.
 *
 * Two entry shapes: the v7s IOTLB entry (32-bit leaf and level-1 words, staleCheck) and a
 * walk kept as 64-bit words, top level first (walkChanged + staleReport), for formats whose
 * unmap clears an upper-level entry and leaves the leaf in a freed table (VT-d, AMD).
 */
import type { Machine } from '../machine.ts';
import { read32, read64Word } from '../mem/phys.ts';
import type { IotlbEntry } from './iotlb.ts';
import { iommuCore } from './types.ts';

/** The count of `pte` records seen: an entry found current at this generation still is. */
export function pteGeneration(m: Machine): number {
  return iommuCore(m).pteGen;
}

/**
 * A walk's 64-bit words `pa[at..at+n)` against what they held (`word[...]`): the index of the
 * first one that changed, or -1 when the page table still says what the entry cached.
 */
export function walkChanged(m: Machine, pa: ArrayLike<number>, word: ArrayLike<number>, at: number, n: number): number {
  const mem = m.state.mem;
  for (let i = at; i < at + n; i++) if (read64Word(mem, pa[i]) !== word[i]) return i;
  return -1;
}

/** What a stale use is reported with (the `stale-tlb` fields the model knows). */
export interface StaleUse {
  iommu: string;
  mmu?: string;
  dev: string;
  iova: number;
  cachedPa: number;
  /** The page-table word that changed: where, what the entry cached, what it holds now. */
  pteAddr: number;
  cachedPte: number | bigint;
  pte: number | bigint;
  filledAfter: number;
  did?: number;
  pasid?: number;
  /** AMD: the domain ID the entry is tagged with. */
  domid?: number;
  /** Where it was found: a device's access (default) or a completed flush that missed it. */
  found?: 'access' | 'flush';
  /** The record that explains why no invalidation reached the entry. */
  cause?: number;
}

/** Emit the `stale-tlb` finding, naming the `pte` record that last wrote the changed word. */
export function staleReport(m: Machine, u: StaleUse): void {
  iommuCore(m).stale++;
  m.emit('stale-tlb', {
    iommu: u.iommu,
    mmu: u.mmu,
    dev: u.dev,
    iova: u.iova,
    cachedPa: u.cachedPa,
    pteAddr: u.pteAddr,
    cachedPte: u.cachedPte,
    pte: u.pte,
    changedBy: lastPteSeq(m, u.pteAddr),
    filledAfter: u.filledAfter,
    did: u.did,
    pasid: u.pasid,
    domid: u.domid,
    found: u.found,
    cause: u.cause,
  });
}

/** Start remembering `pte` records (iommuCoreInit calls it once per machine, at build). */
export function staleCheckerInstall(m: Machine): void {
  m.watch('pte', (mm, r) => stalePteWritten(mm, r.addr, r.seq));
}

/**
 * A page-table word at `addr` was written by record `seq`. Formats whose entries do not
 * fit a `pte` record (64-bit AMD PTEs are `amd-pte`) call this at their store.
 */
export function stalePteWritten(m: Machine, addr: number, seq: number): void {
  const core = iommuCore(m);
  core.pteSeq.set(addr, seq);
  core.pteGen++;
}

/** Seq of the last `pte` record that wrote the word at ptePa, or -1. */
export function lastPteSeq(m: Machine, ptePa: number): number {
  return iommuCore(m).pteSeq.get(ptePa) ?? -1;
}

/**
 * Does the page table still hold the words this entry was filled from? When no `pte` record
 * has been emitted since the entry was last found current, the answer is yes without reading
 * memory (the IOTLB-hit fast path). A page-table word changed by anything other than an
 * io-pgtable store (say, a device DMA-ing into the table) is only seen after the next `pte`
 * record.
 */
export function iotlbEntryCurrent(m: Machine, e: IotlbEntry): boolean {
  const core = iommuCore(m);
  if (e.gen === core.pteGen) return true;
  const mem = m.state.mem;
  const current = read32(mem, e.ptePa) === e.pte && (e.l1Pa === e.ptePa || read32(mem, e.l1Pa) === e.l1);
  if (current) e.gen = core.pteGen;
  return current;
}

/**
 * Called on an IOTLB hit. Returns true when the entry is stale (and reports it once per
 * fill); the caller still serves the access from the entry, as the hardware would.
 */
export function staleCheck(m: Machine, where: { iommu: string; mmu: string; dev: string }, e: IotlbEntry, iova: number): boolean {
  if (iotlbEntryCurrent(m, e)) return false;
  if (e.staleReported) return true;
  e.staleReported = true;
  const leafChanged = read32(m.state.mem, e.ptePa) !== e.pte;
  const changedPa = leafChanged ? e.ptePa : e.l1Pa;
  staleReport(m, {
    ...where,
    iova,
    cachedPa: e.pa + (iova - e.iova),
    pteAddr: changedPa,
    cachedPte: leafChanged ? e.pte : e.l1,
    pte: read32(m.state.mem, changedPa),
    filledAfter: e.pteSeq,
  });
  return true;
}
