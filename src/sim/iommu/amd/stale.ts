/**
 * The stale-IOTLB checker for AMD's 64-bit entries (the shared bookkeeping and the
 * `stale-tlb` record are src/sim/iommu/stale.ts). An entry is stale when a word on the walk
 * it was filled from (root PDE down to the leaf) no longer holds what it held. Two findings:
 * - "access": a device access was served from a stale entry (the lazy window, a missed flush);
 * - "flush": a whole-domain flush completed (domain_flush_complete) and an IOMMU still holds a
 *   stale entry of that domain, because the flush was never sent there (dev_iommu[i] was 0).
 * Each entry is reported once per fill.
 */
import type { Machine } from '../../machine.ts';
import { read32 } from '../../mem/phys.ts';
import { pteGeneration, staleReport } from '../stale.ts';
import type { AmdDomain, AmdIommu, AmdIotlbEntry } from './state.ts';
import { amdState } from './state.ts';
import { w64 } from './words.ts';

/** Does the table still hold every word the entry was filled from? Reads only (views use it). */
export function amdEntryMatches(m: Machine, e: AmdIotlbEntry): boolean {
  const mem = m.state.mem;
  const p = e.path;
  for (let i = 0; i < p.length; i += 3) {
    if (read32(mem, p[i]) !== p[i + 1] || read32(mem, p[i] + 4) !== p[i + 2]) return false;
  }
  return true;
}

/** amdEntryMatches, skipped when no PTE was written since the entry last matched (the hit path). */
export function amdEntryCurrent(m: Machine, e: AmdIotlbEntry): boolean {
  const gen = pteGeneration(m);
  if (e.gen === gen) return true;
  if (!amdEntryMatches(m, e)) return false;
  e.gen = gen;
  return true;
}

function report(m: Machine, iommu: AmdIommu, e: AmdIotlbEntry, dev: string, iova: number, found: 'access' | 'flush', cause: number): void {
  e.staleReported = true;
  const mem = m.state.mem;
  const p = e.path;
  // The deepest word that changed: the leaf for an unmap or a remap.
  let at = p.length - 3;
  while (at > 0 && read32(mem, p[at]) === p[at + 1] && read32(mem, p[at] + 4) === p[at + 2]) at -= 3;
  const pteAddr = p[at];
  staleReport(m, {
    iommu: iommu.name,
    dev,
    iova,
    cachedPa: e.pa + (iova - e.iova),
    pteAddr,
    cachedPte: w64(p[at + 1], p[at + 2]),
    pte: w64(read32(mem, pteAddr), read32(mem, pteAddr + 4)),
    filledAfter: e.pteSeq,
    domid: e.domid,
    found,
    cause: cause >= 0 ? cause : undefined,
  });
}

function liveDomain(m: Machine, domid: number): AmdDomain | undefined {
  for (const d of amdState(m).domains) if (d.id === domid && !d.freed) return d;
  return undefined;
}

/** On an IOTLB hit: true when the entry is stale (reported once per fill); the access still uses it. */
export function amdStaleOnHit(m: Machine, iommu: AmdIommu, e: AmdIotlbEntry, dev: string, iova: number): boolean {
  if (amdEntryCurrent(m, e)) return false;
  if (!e.staleReported) report(m, iommu, e, dev, iova, 'access', liveDomain(m, e.domid)?.skippedSince[iommu.index] ?? -1);
  return true;
}

/** After a whole-domain flush completed: every IOMMU's stale entries of that domain are findings. */
export function amdCheckAfterFlush(m: Machine, dom: AmdDomain): void {
  for (const iommu of amdState(m).iommus) {
    for (const e of iommu.iotlb.entries) {
      if (!e.valid || e.domid !== dom.id || e.staleReported) continue;
      if (!amdEntryCurrent(m, e)) report(m, iommu, e, '-', e.iova, 'flush', dom.skippedSince[iommu.index]);
    }
  }
}
