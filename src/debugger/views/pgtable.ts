/**
 * The page-table panel's view: every valid entry of the M4U domain's ARM v7s tables,
 * decoded with the same field table the encoder uses, plus which words changed since the
 * previous stop (the caller keeps the previous words).
 */
import type { Machine } from '../../sim/machine.ts';
import { armV7sTableEntries } from '../../sim/pgtable/arm-v7s/index.ts';
import type { ArmV7sDecodedPte, ArmV7sWalkStep } from '../../sim/pgtable/arm-v7s/index.ts';
import { MTK_MODEL } from '../../sim/iommu/mtk/state.ts';
import type { PgtableView, PteType, PteView } from './pgtable-model.ts';

const TYPE: Record<ArmV7sDecodedPte['type'], PteType> = {
  invalid: 'invalid',
  section: 'section',
  supersection: 'supersection',
  table: 'table',
  'large-page': 'large',
  'small-page': 'small',
};

function perm(d: ArmV7sDecodedPte): string {
  if (d.type === 'table') return '';
  return `${d.ap2 ? 'ro' : 'rw'}${d.ap1 ? '' : ' priv'}${d.xn ? ' xn' : ''}`;
}

function attr(d: ArmV7sDecodedPte): string {
  if (d.type === 'table') return '';
  const mem = d.tex === 0 && !d.c && d.b ? 'device' : d.tex === 1 && d.c && d.b ? 'normal wb' : d.tex === 1 && !d.c && !d.b ? 'normal nc' : `tex=${d.tex ?? 0}${d.c ? ' c' : ''}${d.b ? ' b' : ''}`;
  return `${mem}${d.s ? ' s' : ''}${d.ng ? ' ng' : ''}`;
}

function mtkBits(d: ArmV7sDecodedPte): string {
  const parts: string[] = [];
  if (d.mtkPa32) parts.push('pa[32] (bit9)');
  if (d.mtkPa33) parts.push('pa[33] (bit4)');
  return parts.join(' ');
}

/** Words at the previous stop, keyed "domain/l1idx/l2idx" (l2idx -1 for level 1). */
export type PteWords = Map<string, number>;

function entry(e: ArmV7sWalkStep, key: string, prev: PteWords | undefined, now: PteWords): PteView {
  const { decoded: d, pte: raw, index } = e;
  now.set(key, raw);
  const before = prev?.get(key);
  return {
    index,
    raw,
    type: TYPE[d.type],
    out: d.oa,
    perm: perm(d),
    attr: attr(d),
    ns: !!d.ns,
    mtk: mtkBits(d),
    ...(prev && before !== raw ? { changed: true } : {}),
  };
}

export function pgtableView(m: Machine, prev: PteWords | undefined, walkIova: number | undefined): { view: PgtableView; words: PteWords } | undefined {
  const s = m.findModel(MTK_MODEL);
  if (!s) return undefined;
  const pt = s.pgtable;
  // The M4U is there but no domain has a table yet: an empty view, so the panel keeps its
  // place (and number) and says so.
  if (!pt) return { view: { format: 'arm-v7s', domains: [] }, words: new Map() };
  const words: PteWords = new Map();
  const l1: PteView[] = [];
  const l2: Record<number, PteView[]> = {};
  for (const top of armV7sTableEntries(m, pt, 1, pt.pgd)) {
    const e = entry(top, `${pt.domain}/${top.index}/-1`, prev, words);
    l1.push(e);
    if (e.type !== 'table') continue;
    l2[top.index] = armV7sTableEntries(m, pt, 2, e.out).map((x) => entry(x, `${pt.domain}/${top.index}/${x.index}`, prev, words));
  }
  const name = `${pt.domain} (${s.soc}, ${s.m4u.map((x) => x.name).join('+')})`;
  return { view: { format: 'arm-v7s', domains: [{ name, ttbr: pt.pgd, l1, l2 }], ...(walkIova !== undefined ? { walkIova } : {}) }, words };
}
