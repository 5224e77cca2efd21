/**
 * Reading a VT-d second-level table without changing it: the walk of one IOVA level by level
 * (what `info pt` and the VT-d panel print) and intel_iommu_iova_to_phys.
 */
import { type PhysMem, read64Word } from '../../mem/phys.ts';
import { VTD_PAGE_SIZE, type VtdPteDecoded, decodeVtdPte, levelSize, pfnLevelOffset } from './bits.ts';

export interface VtdWalkStep {
  readonly level: number;
  readonly index: number;
  /** PA of the entry and its word. */
  readonly pa: number;
  readonly pte: number;
  readonly decoded: VtdPteDecoded;
}

/** The walk of `iova` from the table at `pgd` with `levels` levels, down to a leaf or a hole. */
export function vtdWalk(mem: PhysMem, pgd: number, levels: number, iova: number): VtdWalkStep[] {
  const out: VtdWalkStep[] = [];
  const pfn = Math.floor(iova / VTD_PAGE_SIZE);
  let table = pgd;
  for (let level = levels; level >= 1 && table; level--) {
    const index = pfnLevelOffset(pfn, level);
    const pa = table + 8 * index;
    const pte = read64Word(mem, pa);
    const decoded = decodeVtdPte(pte, level);
    out.push({ level, index, pa, pte, decoded });
    if (decoded.type !== 'table') break;
    table = decoded.addr;
  }
  return out;
}

/** The PA iova reaches through the table, or 0 when no leaf maps it (intel_iommu_iova_to_phys). */
export function vtdIovaToPhys(mem: PhysMem, pgd: number, levels: number, iova: number): number {
  const steps = vtdWalk(mem, pgd, levels, iova);
  const last = steps[steps.length - 1];
  if (!last || last.decoded.type !== 'page') return 0;
  return last.decoded.addr + (iova % (levelSize(last.level) * VTD_PAGE_SIZE));
}

/** The present entries of one table (for `info pt DOMAIN` without an IOVA). */
export function vtdTableEntries(mem: PhysMem, table: number, level: number): { index: number; pte: number; decoded: VtdPteDecoded }[] {
  const out: { index: number; pte: number; decoded: VtdPteDecoded }[] = [];
  for (let index = 0; index < 512; index++) {
    const pte = read64Word(mem, table + 8 * index);
    if (pte !== 0) out.push({ index, pte, decoded: decodeVtdPte(pte, level) });
  }
  return out;
}
