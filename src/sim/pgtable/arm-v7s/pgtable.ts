/**
 * arm_v7s_alloc_pgtable, arm_v7s_iova_to_phys and free_io_pgtable_ops/arm_v7s_free_pgtable;
 * map and unmap live in map.ts and unmap.ts.
 */
import type { Machine } from '../../machine.ts';
import { assert } from '../../core/assert.ts';
import { kfunc } from '../../core/kstack.ts';
import {
  ARM_V7S_ADDR_BITS, SZ_16M, SZ_1M, SZ_4K, SZ_64K, armV7sContMask, armV7sIopteToPaddr,
  armV7sLvlIdx, armV7sLvlMask, armV7sPteIsCont, armV7sPteIsTable, armV7sPteIsValid, armV7sPtesPerLvl,
} from './bits.ts';
import { armV7sTlbFlushAll } from './flush.ts';
import { armV7sAllocTable, armV7sFreeTable, armV7sReadPte } from './tables.ts';
import {
  ENOMEM, EINVAL, type ArmV7sAllocResult, type ArmV7sCfg, type ArmV7sCfgIn, type ArmV7sPgtable,
  type ArmV7sTlbOps, type Lvl,
} from './types.ts';

export { armV7sMap } from './map.ts';
export { armV7sUnmap } from './unmap.ts';

// Register bits (ARM_V7S_PRRR_*, ARM_V7S_NMRR_*, ARM_V7S_TTBR_*, ARM_V7S_TCR_PD1).
const ARM_V7S_RGN_NC = 0;
const ARM_V7S_RGN_WBWA = 1;
const ARM_V7S_PRRR_TYPE_DEVICE = 1;
const ARM_V7S_PRRR_TYPE_NORMAL = 2;
const prrrTr = (n: number, type: number): number => (type & 3) << (n * 2);
const ARM_V7S_PRRR_DS0 = 1 << 16;
const ARM_V7S_PRRR_DS1 = 1 << 17;
const ARM_V7S_PRRR_NS1 = 1 << 19;
const prrrNos = (n: number): number => (1 << (n + 24)) >>> 0;
const nmrrIr = (n: number, attr: number): number => (attr & 3) << (n * 2);
const nmrrOr = (n: number, attr: number): number => (attr & 3) << (n * 2 + 16);
const ARM_V7S_TTBR_S = 1 << 1;
const ARM_V7S_TTBR_NOS = 1 << 5;
const ttbrOrgn = (attr: number): number => (attr & 3) << 3;
const ttbrIrgn = (attr: number): number => ((attr & 1) << 6) | ((attr & 2) >> 1);
const ARM_V7S_TCR_PD1 = 1 << 5;

/** The quirks a kernel's arm_v7s_alloc_pgtable accepts; an unknown one is refused. */
function quirksProblem(cfg: ArmV7sCfgIn): string | undefined {
  const q = cfg.quirks;
  if (cfg.kernel === 'v5.0' && q.mtkExt) return 'IO_PGTABLE_QUIRK_ARM_MTK_EXT does not exist in v5.0';
  if (cfg.kernel === 'v5.4' && q.mtk4gb) return 'IO_PGTABLE_QUIRK_ARM_MTK_4GB was renamed ARM_MTK_EXT by v5.4';
  if ((q.mtk4gb || q.mtkExt) && !q.noPerms) return 'the MediaTek 4GB/EXT quirk requires NO_PERMS';
  return undefined;
}

function oasMax(cfg: ArmV7sCfgIn): number {
  return cfg.kernel === 'v5.4' && cfg.quirks.mtkExt ? 34 : ARM_V7S_ADDR_BITS;
}

const F_ARM_V7S_ALLOC_PGTABLE = kfunc('arm_v7s_alloc_pgtable', 'drivers/iommu/io-pgtable-arm-v7s.c');

/** arm_v7s_alloc_pgtable: validate, allocate the L1 (pgd), compute the registers. */
export function armV7sAllocPgtable(m: Machine, cfgIn: ArmV7sCfgIn): ArmV7sAllocResult {
  const k = m.kstack.enter(F_ARM_V7S_ALLOC_PGTABLE);
  try {
    return allocPgtable(m, cfgIn);
  } finally {
    m.kstack.leave(k);
  }
}

/** arm_v7s_alloc_pgtable's PRRR and NMRR: the same for every table. */
const PRRR = (prrrTr(1, ARM_V7S_PRRR_TYPE_DEVICE) | prrrTr(4, ARM_V7S_PRRR_TYPE_NORMAL) | prrrTr(7, ARM_V7S_PRRR_TYPE_NORMAL) |
  ARM_V7S_PRRR_DS0 | ARM_V7S_PRRR_DS1 | ARM_V7S_PRRR_NS1 | prrrNos(7)) >>> 0;
const NMRR = (nmrrIr(7, ARM_V7S_RGN_WBWA) | nmrrOr(7, ARM_V7S_RGN_WBWA)) >>> 0;

function allocPgtable(m: Machine, cfgIn: ArmV7sCfgIn): ArmV7sAllocResult {
  // The kernel returns NULL for all of these; the driver sees no ops.
  const fail = (error: number, reason: string): ArmV7sAllocResult => ({ ok: false, error, reason });
  if (cfgIn.ias > ARM_V7S_ADDR_BITS) return fail(-EINVAL, `ias ${cfgIn.ias} > 32`);
  if (cfgIn.oas > oasMax(cfgIn)) return fail(-EINVAL, `oas ${cfgIn.oas} > ${oasMax(cfgIn)}`);
  const problem = quirksProblem(cfgIn);
  if (problem) return fail(-EINVAL, problem);
  const pgd = armV7sAllocTable(m, cfgIn.domain, 1);
  if (pgd < 0) return fail(-ENOMEM, 'no 16 KiB below 4 GiB for the L1 table');
  // v5.0 always walks WBWA; v5.4 only if the walker is coherent (cfg.coherent_walk).
  const rgn = cfgIn.kernel === 'v5.0' || cfgIn.coherentWalk ? ARM_V7S_RGN_WBWA : ARM_V7S_RGN_NC;
  // Every field named (a spread of cfgIn plus new keys was a slow object build, per domain).
  const cfg: ArmV7sCfg = {
    domain: cfgIn.domain,
    kernel: cfgIn.kernel,
    quirks: { ...cfgIn.quirks },
    // Supersections only if the driver asked for SZ_16M.
    pgsizeBitmap: cfgIn.pgsizeBitmap & (SZ_4K | SZ_64K | SZ_1M | SZ_16M),
    ias: cfgIn.ias,
    oas: cfgIn.oas,
    coherentWalk: cfgIn.coherentWalk,
    splitBlk: cfgIn.splitBlk,
    tcr: ARM_V7S_TCR_PD1,
    prrr: PRRR,
    nmrr: NMRR,
    ttbr0: (pgd | ARM_V7S_TTBR_S | ARM_V7S_TTBR_NOS | ttbrIrgn(rgn) | ttbrOrgn(rgn)) >>> 0,
    ttbr1: 0,
  };
  return { ok: true, pt: { domain: cfgIn.domain, cfg, pgd, l2Count: 0 } };
}

/**
 * arm_v7s_iova_to_phys: 0 when unmapped. v5.0 returns (pte & mask) | (iova & ~mask); v5.4
 * goes through iopte_to_paddr, which puts MTK_EXT PA bits 32/33 back.
 */
export function armV7sIovaToPhys(m: Machine, pt: ArmV7sPgtable, iova: number): number {
  let lvl: Lvl = 1;
  let pte = armV7sReadPte(m, pt.pgd, armV7sLvlIdx(iova, 1));
  if (armV7sPteIsTable(pte, 1)) {
    lvl = 2;
    pte = armV7sReadPte(m, armV7sIopteToPaddr(pte, 1, pt.cfg), armV7sLvlIdx(iova, 2));
  }
  if (!armV7sPteIsValid(pte)) return 0;
  const mask = armV7sPteIsCont(pte, lvl) ? armV7sContMask(lvl) : armV7sLvlMask(lvl);
  const offset = (iova & ~mask) >>> 0;
  if (pt.cfg.kernel === 'v5.0') return ((pte & mask) | offset) >>> 0;
  return armV7sIopteToPaddr(pte, lvl, pt.cfg) + offset;
}

/** free_io_pgtable_ops: tlb_flush_all, then arm_v7s_free_pgtable frees every L2 and the L1. */
export function armV7sFreePgtable(m: Machine, pt: ArmV7sPgtable, tlb: ArmV7sTlbOps): void {
  armV7sTlbFlushAll(m, tlb);
  for (let i = 0; i < armV7sPtesPerLvl(1); i++) {
    const pte = armV7sReadPte(m, pt.pgd, i);
    if (!armV7sPteIsTable(pte, 1)) continue;
    armV7sFreeTable(m, pt.domain, 2, armV7sIopteToPaddr(pte, 1, pt.cfg));
    pt.l2Count--;
  }
  assert(pt.l2Count === 0, 'L2 tables leaked or double-counted');
  armV7sFreeTable(m, pt.domain, 1, pt.pgd);
}
