/** Map (arm_v7s_map -> __arm_v7s_map -> arm_v7s_init_pte). */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { assert } from '../../core/assert.ts';
import { IOMMU_READ, IOMMU_WRITE } from '../prot.ts';
import {
  armV7sBlockSize, armV7sIopteToPaddr, armV7sLvlIdx, armV7sLvlShift, armV7sPaddrToIopte,
  armV7sProtToPte, armV7sPteIsTable, armV7sPteToCont, SZ_4K,
} from './bits.ts';
import { armV7sTlbFlushWalk } from './flush.ts';
import { armV7sAllocTable, armV7sFreeTable, armV7sReadPte, armV7sSetPte, armV7sWarn } from './tables.ts';
import { PGSIZES, armV7sInstallTable, armV7sUnmapLvl } from './unmap.ts';
import { iommuIotlbGatherInit } from './tlb.ts';
import {
  EEXIST, EINVAL, ENOMEM, ERANGE, type ArmV7sMapArgs, type ArmV7sPgtable, type ArmV7sTlbOps, type Lvl,
} from './types.ts';

const V7S_C = 'drivers/iommu/io-pgtable-arm-v7s.c';
const F_ARM_V7S_MAP = kfunc('arm_v7s_map', V7S_C, ['iova', 'paddr', 'size', 'prot']);
const F_ARM_V7S_MAP_LVL = kfunc('__arm_v7s_map', V7S_C, ['iova', 'paddr', 'size', 'lvl']);

/**
 * arm_v7s_map: one page size per call (iommu_map splits ranges by pgsize_bitmap, so a size
 * or alignment that is not one of the formats' is a caller bug and asserts).
 */
export function armV7sMap(m: Machine, pt: ArmV7sPgtable, tlb: ArmV7sTlbOps, a: ArmV7sMapArgs): number {
  const k = m.kstack.enter(F_ARM_V7S_MAP, a.iova, a.pa, a.size, a.prot);
  try {
    const { iova, pa, size, prot } = a;
    assert((PGSIZES as readonly number[]).includes(size), `map size ${size} is not a v7s page size`);
    assert(iova % size === 0 && pa % size === 0, 'map: iova and pa must be aligned to size');
    if (!(prot & (IOMMU_READ | IOMMU_WRITE))) return 0; // no access: nothing to do
    if (!armV7sMapInRange(pt, iova, pa)) {
      const cond = pt.cfg.kernel === 'v5.0'
        ? 'upper_32_bits(iova) || upper_32_bits(paddr)'
        : 'iova >= (1ULL << data->iop.cfg.ias) || paddr >= (1ULL << data->iop.cfg.oas)';
      armV7sWarn(m, pt, 'arm_v7s_map', cond);
      return -ERANGE;
    }
    const ret = armV7sMapLvl1(m, pt, tlb, iova, pa, size, prot);
    // Synchronise the PTE updates before anything can walk the new iova (whatever ret is).
    if (pt.cfg.quirks.tlbiOnMap) armV7sTlbFlushWalk(m, pt, tlb, iova, size, armV7sBlockSize(2));
    return ret;
  } finally {
    m.kstack.leave(k);
  }
}

/** v5.0: WARN_ON(upper_32_bits(iova) || upper_32_bits(paddr)); v5.4: against ias and oas. */
function armV7sMapInRange(pt: ArmV7sPgtable, iova: number, pa: number): boolean {
  if (pt.cfg.kernel === 'v5.0') return iova < 2 ** 32 && pa < 2 ** 32;
  return iova < 2 ** pt.cfg.ias && pa < 2 ** pt.cfg.oas;
}

/** __arm_v7s_map at level 1: a section/supersection here, or find/allocate the L2 table. */
function armV7sMapLvl1(
  m: Machine, pt: ArmV7sPgtable, tlb: ArmV7sTlbOps, iova: number, pa: number, size: number, prot: number,
): number {
  const k = m.kstack.enter(F_ARM_V7S_MAP_LVL, iova, pa, size, 1);
  try {
    const numEntries = Math.floor(size / 2 ** armV7sLvlShift(1));
    const idx = armV7sLvlIdx(iova, 1);
    if (numEntries) return armV7sInitPte(m, pt, tlb, iova, pa, prot, 1, numEntries, pt.pgd, idx);
    let pte = armV7sReadPte(m, pt.pgd, idx);
    if (!pte) {
      const table = armV7sAllocTable(m, pt.domain, 2);
      if (table < 0) return -ENOMEM;
      pte = armV7sInstallTable(m, pt, idx, table, 0, iova - (iova % 2 ** 20));
      if (pte) armV7sFreeTable(m, pt.domain, 2, table); // lost the race: use theirs
      else pte = armV7sReadPte(m, pt.pgd, idx);
    }
    if (!armV7sPteIsTable(pte, 1)) return armV7sEexist(m, pt, '__arm_v7s_map'); // a leaf: unmap first
    const table = armV7sIopteToPaddr(pte, 1, pt.cfg);
    const numEntries2 = Math.floor(size / SZ_4K);
    if (!numEntries2) return -EINVAL; // can't allocate tables at the final level
      // __arm_v7s_map(..., lvl + 1, cptep): the level-2 call.
    const k2 = m.kstack.enter(F_ARM_V7S_MAP_LVL, iova, pa, size, 2);
    try {
      return armV7sInitPte(m, pt, tlb, iova, pa, prot, 2, numEntries2, table, armV7sLvlIdx(iova, 2));
    } finally {
      m.kstack.leave(k2);
    }
  } finally {
    m.kstack.leave(k);
  }
}

/** "We require an unmap first": -EEXIST, with WARN_ON(!selftest_running). */
function armV7sEexist(m: Machine, pt: ArmV7sPgtable, func: string): number {
  if (!pt.selftestRunning) armV7sWarn(m, pt, func, '!selftest_running');
  return -EEXIST;
}

/**
 * arm_v7s_init_pte: a table in a target slot is unmapped first (flush walk, free); any other
 * non-zero entry is -EEXIST (the kernel WARNs unless the selftest runs). Then one PTE value,
 * contiguous if numEntries > 1, is stored into every slot.
 */
function armV7sInitPte(
  m: Machine, pt: ArmV7sPgtable, tlb: ArmV7sTlbOps, iova: number, pa: number, prot: number,
  lvl: Lvl, numEntries: number, table: number, idx: number,
): number {
  const sz = armV7sBlockSize(lvl);
  for (let i = 0; i < numEntries; i++) {
    const old = armV7sReadPte(m, table, idx + i);
    if (armV7sPteIsTable(old, lvl)) {
      const done = armV7sUnmapLvl(m, pt, tlb, iommuIotlbGatherInit(), iova + i * sz, sz, lvl, table);
      if (done !== sz) {
        const cond = '__arm_v7s_unmap(data, NULL, iova + i * sz, sz, lvl, tblp) != sz';
        armV7sWarn(m, pt, 'arm_v7s_init_pte', cond);
        return -EINVAL;
      }
    } else if (old) {
      return armV7sEexist(m, pt, 'arm_v7s_init_pte');
    }
  }
  let pte = armV7sProtToPte(prot, lvl, pt.cfg);
  if (numEntries > 1) pte = armV7sPteToCont(pte, lvl);
  pte = (pte | armV7sPaddrToIopte(pa, lvl, pt.cfg)) >>> 0;
  for (let i = 0; i < numEntries; i++) armV7sSetPte(m, pt, lvl, table, idx + i, pte, iova + i * sz);
  return 0;
}
