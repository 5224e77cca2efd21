/**
 * PTEs as plain data for the page-tables panel, and the walk of one IOVA. Decoding reads the
 * same constants and field table that encoding uses (bits.ts), so the two cannot drift.
 */
import type { Machine } from '../../machine.ts';
import {
  ARM_V7S_ATTR, ARM_V7S_ATTR_B, ARM_V7S_ATTR_C, ARM_V7S_ATTR_MTK_4GB, ARM_V7S_ATTR_MTK_PA_BIT32,
  ARM_V7S_ATTR_MTK_PA_BIT33, ARM_V7S_ATTR_NS_SECTION, ARM_V7S_ATTR_NS_TABLE, ARM_V7S_ATTR_XN,
  ARM_V7S_CONT_PAGES, ARM_V7S_CONT_PAGE_TEX_MASK, ARM_V7S_CONT_PAGE_TEX_SHIFT, ARM_V7S_CONT_PAGE_XN_SHIFT,
  armV7sAttrShift, armV7sBlockSize, armV7sIopteToPaddr, armV7sIsMtkEnabled, armV7sLvlIdx,
  armV7sPteIsCont, armV7sPteIsTable, armV7sPteIsValid, armV7sPteToProt, armV7sPtesPerLvl, fieldGet,
} from './bits.ts';
import { armV7sReadPte } from './tables.ts';
import type { ArmV7sCfg, ArmV7sDecodedPte, ArmV7sPgtable, ArmV7sPteType, ArmV7sWalkStep, Lvl } from './types.ts';

function pteType(pte: number, lvl: Lvl): ArmV7sPteType {
  if (!armV7sPteIsValid(pte)) return 'invalid';
  if (armV7sPteIsTable(pte, lvl)) return 'table';
  const cont = armV7sPteIsCont(pte, lvl);
  if (lvl === 1) return cont ? 'supersection' : 'section';
  return cont ? 'large-page' : 'small-page';
}

/** XN and TEX of a large page sit at bit 15 and [14:12], not bit 0 and [8:6]. */
function xnTex(pte: number, lvl: Lvl, attr: number, largePage: boolean): { xn: boolean; tex: number } {
  if (!largePage) return { xn: (pte & ARM_V7S_ATTR_XN(lvl)) !== 0, tex: fieldGet(attr, ARM_V7S_ATTR.TEX) };
  const tex = (pte >>> (ARM_V7S_CONT_PAGE_TEX_SHIFT + 6)) & (ARM_V7S_CONT_PAGE_TEX_MASK >>> 6);
  return { xn: ((pte >>> ARM_V7S_CONT_PAGE_XN_SHIFT) & 1) !== 0, tex };
}

/**
 * Decode one PTE. With the MTK quirks, bits 9 and 4 are PA bits (v5.4 MTK_EXT) or the 4GB
 * flag (v5.0 MTK_4GB) rather than attributes; NO_PERMS guarantees AP/XN are unused there.
 */
export function decodePte(pte: number, lvl: Lvl, cfg: Pick<ArmV7sCfg, 'kernel' | 'quirks'>): ArmV7sDecodedPte {
  const type = pteType(pte, lvl);
  if (type === 'invalid') return { type, size: 0, oa: 0 };
  if (type === 'table') return { type, size: 0, oa: armV7sIopteToPaddr(pte, lvl, cfg), ns: (pte & ARM_V7S_ATTR_NS_TABLE) !== 0 };
  const cont = type === 'supersection' || type === 'large-page';
  const attr = (pte >>> armV7sAttrShift(lvl)) & 0xff;
  const mtkExt = armV7sIsMtkEnabled(cfg);
  const mtk4gb = cfg.kernel === 'v5.0' && !!cfg.quirks.mtk4gb;
  const { xn, tex } = xnTex(pte, lvl, attr, type === 'large-page');
  return {
    type,
    size: armV7sBlockSize(lvl) * (cont ? ARM_V7S_CONT_PAGES : 1),
    oa: armV7sIopteToPaddr(pte, lvl, cfg) + (mtk4gb && pte & ARM_V7S_ATTR_MTK_4GB ? 2 ** 32 : 0),
    // At level 2, bit 4 (AF) and bit 9 (AP2) carry the MTK PA bits instead.
    ap0: fieldGet(attr, ARM_V7S_ATTR.AP0) === 1 && !(mtkExt && lvl === 2),
    ap1: fieldGet(attr, ARM_V7S_ATTR.AP1) === 1,
    ap2: fieldGet(attr, ARM_V7S_ATTR.AP2) === 1 && !((mtkExt || mtk4gb) && lvl === 2),
    tex,
    s: fieldGet(attr, ARM_V7S_ATTR.S) === 1,
    ng: fieldGet(attr, ARM_V7S_ATTR.NG) === 1,
    xn: mtkExt && lvl === 1 ? false : xn,
    c: (pte & ARM_V7S_ATTR_C) !== 0,
    b: (pte & ARM_V7S_ATTR_B) !== 0,
    ...(lvl === 1 ? { ns: (pte & ARM_V7S_ATTR_NS_SECTION) !== 0 } : {}),
    ...(mtkExt || mtk4gb ? { mtkPa32: (pte & ARM_V7S_ATTR_MTK_PA_BIT32) !== 0 } : {}),
    ...(mtkExt ? { mtkPa33: (pte & ARM_V7S_ATTR_MTK_PA_BIT33) !== 0 } : {}),
    prot: armV7sPteToProt(pte, lvl),
  };
}

/** The walk the hardware does for one IOVA: level 1, then level 2 if level 1 is a table. */
export function armV7sWalk(m: Machine, pt: ArmV7sPgtable, iova: number): ArmV7sWalkStep[] {
  const steps: ArmV7sWalkStep[] = [];
  let table = pt.pgd;
  for (let lvl: Lvl = 1; ; lvl = 2) {
    const index = armV7sLvlIdx(iova, lvl);
    const pte = armV7sReadPte(m, table, index);
    const decoded = decodePte(pte, lvl, pt.cfg);
    steps.push({ lvl, index, pteAddr: table + 4 * index, pte, decoded });
    if (lvl === 2 || decoded.type !== 'table') return steps;
    table = decoded.oa;
  }
}

/** The valid entries of one table (level 1 at pt.pgd, or a level-2 table), decoded, in index order. */
export function armV7sTableEntries(m: Machine, pt: ArmV7sPgtable, lvl: Lvl, table: number): ArmV7sWalkStep[] {
  const out: ArmV7sWalkStep[] = [];
  for (let index = 0; index < armV7sPtesPerLvl(lvl); index++) {
    const pte = armV7sReadPte(m, table, index);
    if (armV7sPteIsValid(pte)) out.push({ lvl, index, pteAddr: table + 4 * index, pte, decoded: decodePte(pte, lvl, pt.cfg) });
  }
  return out;
}
