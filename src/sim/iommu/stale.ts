/**
 * The stale-translation checker, shared by every IOMMU model. It remembers, per PTE word
 * address, the seq of the last `pte` record that wrote it. A driver's hardware model calls
 * staleCheck on every IOTLB hit: if the words the cached entry was filled from no longer
 * hold what they held (the PTE changed or went away) and no invalidation dropped the entry,
 * the device is using a stale translation, and a `stale-tlb` record names the `pte` record
 * that changed it. It only reads machine state and writes its own bookkeeping.
 */
import type { Machine } from '../machine.ts';
import type { FieldsFor } from '../trace-kinds.ts';
import { read32 } from '../mem/phys.ts';
import type { IotlbEntry } from './iotlb.ts';
import { iommuCore } from './types.ts';

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

/** Has any page-table word been written since generation `gen`? (the IOTLB-hit fast path) */
export function stalePteGen(m: Machine): number {
  return iommuCore(m).pteGen;
}

/** Emit a finding of any IOMMU model (the fields of a 64-bit format included) and count it. */
export function staleReport(m: Machine, f: FieldsFor<'stale-tlb'>): void {
  iommuCore(m).stale++;
  m.emit('stale-tlb', f);
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
  const now = read32(m.state.mem, changedPa);
  iommuCore(m).stale++;
  m.emit('stale-tlb', {
    iommu: where.iommu,
    mmu: where.mmu,
    dev: where.dev,
    iova,
    cachedPa: e.pa + (iova - e.iova),
    pteAddr: changedPa,
    cachedPte: leafChanged ? e.pte : e.l1,
    pte: now,
    changedBy: lastPteSeq(m, changedPa),
    filledAfter: e.pteSeq,
  });
  return true;
}
