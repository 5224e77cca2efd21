/**
 * The stale-translation checker, shared by every IOMMU model. It remembers, per PTE word
 * address, the seq of the last `pte` record that wrote it. A driver's hardware model calls
 * staleCheck on every IOTLB hit: if the words the cached entry was filled from no longer
 * hold what they held (the PTE changed or went away) and no invalidation dropped the entry,
 * the device is using a stale translation, and a `stale-tlb` record names the `pte` record
 * that changed it. It only reads machine state and writes its own bookkeeping.
 */
import type { Machine } from '../machine.ts';
import type { TraceRecord } from '../core/trace.ts';
import { hex, hex32 } from '../core/hex.ts';
import { read32 } from '../mem/phys.ts';
import type { IotlbEntry } from './iotlb.ts';
import { iommuCore } from './types.ts';

const WATCHING = 'iommu.stale.watching';

/** Start remembering `pte` records (once per machine, at build). */
export function staleCheckerInstall(m: Machine): void {
  if (m.hasService(WATCHING)) return;
  m.provide(WATCHING, true);
  m.watch('pte', (mm: Machine, r: TraceRecord) => {
    const addr = r.addr;
    if (typeof addr !== 'string') return;
    iommuCore(mm).pteSeq.set(parseInt(addr, 16), r.seq);
  });
}

/** Seq of the last `pte` record that wrote the word at ptePa, or -1. */
export function lastPteSeq(m: Machine, ptePa: number): number {
  return iommuCore(m).pteSeq.get(ptePa) ?? -1;
}

/** Does the page table still hold the words this entry was filled from? */
export function iotlbEntryCurrent(m: Machine, e: IotlbEntry): boolean {
  const mem = m.state.mem;
  return read32(mem, e.ptePa) === e.pte && (e.l1Pa === e.ptePa || read32(mem, e.l1Pa) === e.l1);
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
  const now = read32(m.state.mem, changedPa);
  iommuCore(m).stale++;
  m.emit('stale-tlb', {
    iommu: where.iommu,
    mmu: where.mmu,
    dev: where.dev,
    iova: hex(iova),
    cachedPa: hex(e.pa + (iova - e.iova)),
    pteAddr: hex(changedPa),
    cachedPte: hex32(leafChanged ? e.pte : e.l1),
    pte: hex32(now),
    changedBy: lastPteSeq(m, changedPa),
    filledAfter: e.pteSeq,
  });
  return true;
}
