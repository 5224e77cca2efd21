/**
 * The page-table panel's view: every valid entry of the M4U domain's ARM v7s tables,
 * decoded with the same field table the encoder uses, plus which words changed since the
 * previous stop (the caller keeps the previous words).
 */
import type { Machine } from '../../sim/machine.ts';
import { read32 } from '../../sim/mem/phys.ts';
import { decodePte } from '../../sim/pgtable/arm-v7s/index.ts';
import type { ArmV7sDecodedPte, ArmV7sPgtable, Lvl } from '../../sim/pgtable/arm-v7s/index.ts';
import { MTK_MODEL, type MtkState } from '../../sim/iommu/mtk/state.ts';
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

function entry(raw: number, lvl: Lvl, index: number, pt: ArmV7sPgtable, key: string, prev: PteWords | undefined, now: PteWords): PteView {
  const d = decodePte(raw, lvl, pt.cfg);
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
  if (!m.hasModel(MTK_MODEL)) return undefined;
  const s = m.model<MtkState>(MTK_MODEL);
  const pt = s.pgtable;
  // The M4U is there but no domain has a table yet: an empty view, so the panel keeps its
  // place (and number) and says so.
  if (!pt) return { view: { format: 'arm-v7s', domains: [] }, words: new Map() };
  const mem = m.state.mem;
  const words: PteWords = new Map();
  const l1: PteView[] = [];
  const l2: Record<number, PteView[]> = {};
  for (let i = 0; i < 4096; i++) {
    const raw = read32(mem, pt.pgd + 4 * i);
    if ((raw & 3) === 0) continue;
    const e = entry(raw, 1, i, pt, `${pt.domain}/${i}/-1`, prev, words);
    l1.push(e);
    if (e.type !== 'table') continue;
    const rows: PteView[] = [];
    for (let j = 0; j < 256; j++) {
      const w = read32(mem, e.out + 4 * j);
      if ((w & 3) !== 0) rows.push(entry(w, 2, j, pt, `${pt.domain}/${i}/${j}`, prev, words));
    }
    l2[i] = rows;
  }
  const name = `${pt.domain} (${s.soc}, ${s.m4u.map((x) => x.name).join('+')})`;
  return { view: { format: 'arm-v7s', domains: [{ name, ttbr: pt.pgd, l1, l2 }], ...(walkIova !== undefined ? { walkIova } : {}) }, words };
}
