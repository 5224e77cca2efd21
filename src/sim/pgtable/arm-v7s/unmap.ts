/**
 * Unmap (arm_v7s_unmap -> __arm_v7s_unmap), including the two splits: a contiguous entry
 * rewritten as 16 ordinary ones (arm_v7s_split_cont), and a section replaced by an L2 table
 * minus the unmapped part (arm_v7s_split_blk_unmap).
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { assert } from '../../core/assert.ts';
import {
  ARM_V7S_CONT_PAGES, ARM_V7S_PTE_TYPE_TABLE, ARM_V7S_ATTR_NS_TABLE, SZ_1M, SZ_4K,
  armV7sBlockSize, armV7sContToPte, armV7sIopteToPaddr, armV7sLvlIdx, armV7sLvlShift,
  armV7sPaddrToIopte, armV7sPteIsCont, armV7sPteIsTable, armV7sPteIsValid, armV7sPteToCont,
  armV7sPteToProt, armV7sProtToPte, armV7sPtesPerLvl,
} from './bits.ts';
import { armV7sTlbAddPage, armV7sTlbFlushLeaf, armV7sTlbFlushWalk, armV7sTlbSplitBlk } from './flush.ts';
import { iommuIotlbGatherInit } from './tlb.ts';
import { armV7sAllocTable, armV7sFreeTable, armV7sReadPte, armV7sSetPte, armV7sWarn } from './tables.ts';
import type { ArmV7sPgtable, ArmV7sTlbOps, ArmV7sUnmapArgs, IommuIotlbGather, Lvl } from './types.ts';

export const PGSIZES = [SZ_4K, 0x10000, SZ_1M, 0x1000000] as const;

const V7S_C = 'drivers/iommu/io-pgtable-arm-v7s.c';
const F_ARM_V7S_UNMAP = kfunc('arm_v7s_unmap', V7S_C, ['iova', 'size']);
const F_ARM_V7S_UNMAP_LVL = kfunc('__arm_v7s_unmap', V7S_C, ['iova', 'size', 'lvl']);

/** arm_v7s_unmap: returns the bytes unmapped, 0 on failure (where the kernel WARNs). */
export function armV7sUnmap(m: Machine, pt: ArmV7sPgtable, tlb: ArmV7sTlbOps, a: ArmV7sUnmapArgs): number {
  const k = m.kstack.enter(F_ARM_V7S_UNMAP, a.iova, a.size);
  try {
    assert((PGSIZES as readonly number[]).includes(a.size), `unmap size ${a.size} is not a v7s page size`);
    if (a.iova >= 2 ** 32) {
      armV7sWarn(m, pt, 'arm_v7s_unmap', 'upper_32_bits(iova)');
      return 0;
    }
    const gather = a.gather ?? iommuIotlbGatherInit();
    return armV7sUnmapLvl(m, pt, tlb, gather, a.iova, a.size, 1, pt.pgd);
  } finally {
    m.kstack.leave(k);
  }
}

/** arm_v7s_install_table: cmpxchg of the L1 slot from `curr` to the table descriptor. */
export function armV7sInstallTable(
  m: Machine, pt: ArmV7sPgtable, idx: number, table: number, curr: number, iova: number,
): number {
  let pte = (table | ARM_V7S_PTE_TYPE_TABLE) >>> 0;
  if (pt.cfg.quirks.armNs) pte = (pte | ARM_V7S_ATTR_NS_TABLE) >>> 0;
  const old = armV7sReadPte(m, pt.pgd, idx);
  if (old === curr) {
    armV7sSetPte(m, pt, 1, pt.pgd, idx, pte, iova);
    pt.l2Count++;
  }
  return old;
}

/** __arm_v7s_unmap; recursion depth is bounded by the two levels. */
export function armV7sUnmapLvl(
  m: Machine, pt: ArmV7sPgtable, tlb: ArmV7sTlbOps, gather: IommuIotlbGather,
  iova: number, size: number, lvl: Lvl, table: number,
): number {
  const k = m.kstack.enter(F_ARM_V7S_UNMAP_LVL, iova, size, lvl);
  try {
    const numEntries = Math.floor(size / 2 ** armV7sLvlShift(lvl));
    assert(numEntries <= ARM_V7S_CONT_PAGES, 'unmap covers more than one contiguous group');
    const idx = armV7sLvlIdx(iova, lvl);
    const pte: number[] = [];
    for (let i = 0; i < Math.max(numEntries, 1); i++) {
      pte.push(armV7sReadPte(m, table, idx + i));
      if (!armV7sPteIsValid(pte[i])) {
        armV7sWarn(m, pt, '__arm_v7s_unmap', '!ARM_V7S_PTE_IS_VALID(pte[i])'); // nothing mapped here
        return 0;
      }
    }
    // A contiguous entry needs splitting first, unless the whole lot goes.
    if (numEntries <= 1 && armV7sPteIsCont(pte[0], lvl)) {
      pte[0] = armV7sSplitCont(m, pt, tlb, iova, idx, lvl, table);
    }
    if (numEntries > 0) {
      const blkSize = armV7sBlockSize(lvl);
      for (let i = 0; i < numEntries; i++) armV7sSetPte(m, pt, lvl, table, idx + i, 0, iova + i * blkSize);
      for (let i = 0; i < numEntries; i++, iova += blkSize) {
        if (armV7sPteIsTable(pte[i], lvl)) {
          // Also flush any partial walks, before the table goes back to the allocator.
          armV7sTlbFlushWalk(m, pt, tlb, iova, blkSize, armV7sBlockSize(2));
          armV7sFreeTable(m, pt.domain, 2, armV7sIopteToPaddr(pte[i], lvl, pt.cfg));
          pt.l2Count--;
        } else if (!pt.cfg.quirks.nonStrict) {
          armV7sTlbAddPage(m, pt, tlb, gather, iova, blkSize);
        } // NON_STRICT: only smp_wmb; the flush queue's flush_all covers it.
      }
      return size;
    }
    if (lvl === 1 && !armV7sPteIsTable(pte[0], lvl)) {
      return armV7sSplitBlkUnmap(m, pt, tlb, gather, iova, size, pte[0], idx);
    }
    return armV7sUnmapLvl(m, pt, tlb, gather, iova, size, 2, armV7sIopteToPaddr(pte[0], 1, pt.cfg));
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * arm_v7s_split_cont: the 16-entry group becomes 16 ordinary entries (PA preserved), then one
 * synchronous leaf flush of the whole group at the *unaligned* iova being unmapped. Returns
 * the group's first entry, as the kernel does, not the entry at `idx`.
 */
function armV7sSplitCont(
  m: Machine, pt: ArmV7sPgtable, tlb: ArmV7sTlbOps, iova: number, idx: number, lvl: Lvl, table: number,
): number {
  const size = armV7sBlockSize(lvl);
  let pte = armV7sReadPte(m, table, idx);
  if (!armV7sPteIsCont(pte, lvl)) return pte;
  const first = idx - (idx & (ARM_V7S_CONT_PAGES - 1));
  pte = armV7sContToPte(pte, lvl);
  const iovaFirst = iova - (iova % size) - (idx - first) * size; // first IOVA of the group
  for (let i = 0; i < ARM_V7S_CONT_PAGES; i++) {
    armV7sSetPte(m, pt, lvl, table, first + i, (pte + i * size) >>> 0, iovaFirst + i * size);
  }
  armV7sTlbFlushLeaf(m, pt, tlb, iova, size * ARM_V7S_CONT_PAGES, size * ARM_V7S_CONT_PAGES);
  return pte;
}

/**
 * arm_v7s_split_blk_unmap. The kernel (v5.0 through ~v5.10) builds the L2 entries from the
 * section's attributes only and steps them by `size` from 0, so the section's PA is lost:
 * the neighbours of the hole translate to i*size. cfg.splitBlk 'corrected' ORs it in.
 *
 * Also as written: after a supersection split, split_cont returns the *first* section of the
 * group, so for a section at a non-zero offset in the group the cmpxchg in install_table
 * fails and this returns 0. 'corrected' compares against the entry actually there.
 */
function armV7sSplitBlkUnmap(
  m: Machine, pt: ArmV7sPgtable, tlb: ArmV7sTlbOps, gather: IommuIotlbGather,
  iova: number, size: number, blkPte: number, idx1: number,
): number {
  const corrected = pt.cfg.splitBlk === 'corrected';
  if (corrected) blkPte = armV7sReadPte(m, pt.pgd, idx1);
  const table = armV7sAllocTable(m, pt.domain, 2);
  if (table < 0) return 0; // bytes unmapped
  const numPtes = armV7sPtesPerLvl(2);
  const numEntries = size / SZ_4K;
  const unmapIdx = armV7sLvlIdx(iova, 2);
  let pte = armV7sProtToPte(armV7sPteToProt(blkPte, 1), 2, pt.cfg);
  if (numEntries > 1) pte = armV7sPteToCont(pte, 2);
  if (corrected) {
    const blkPa = armV7sIopteToPaddr(blkPte, 1, pt.cfg);
    pte = (pte | armV7sPaddrToIopte(blkPa, 2, pt.cfg)) >>> 0;
  }
  const iovaSection = iova - (iova % SZ_1M);
  for (let i = 0; i < numPtes; i += numEntries, pte = (pte + size) >>> 0) {
    if (i === unmapIdx) continue; // Unmap!
    for (let j = 0; j < numEntries; j++) {
      armV7sSetPte(m, pt, 2, table, i + j, pte, iovaSection + (i + j) * SZ_4K);
    }
  }
  const old = armV7sInstallTable(m, pt, idx1, table, blkPte, iovaSection);
  if (old !== blkPte) {
    armV7sFreeTable(m, pt.domain, 2, table);
    if (!armV7sPteIsTable(old, 1)) return 0;
    return armV7sUnmapLvl(m, pt, tlb, gather, iova, size, 2, armV7sIopteToPaddr(old, 1, pt.cfg));
  }
  armV7sTlbSplitBlk(m, pt, tlb, gather, iova, size);
  return size;
}
