/**
 * The SMI topology as tree rows, from the memory side down: EMI, per M4U its cells with
 * their traffic and IOTLB hit rate, SMI common with bus_sel, each GALS, its larbs (with the
 * cell their bus selection reaches) and their ports.
 */
import type { LarbItemView, LarbView, M4uView, MmuCellView } from './model.ts';

export interface TreeRow {
  readonly text: string;
  readonly tone?: 'bad' | 'muted' | 'accent' | 'good';
  /** Larb id on larb and port rows (for the current-stop highlight). */
  readonly larb?: number;
  readonly kind: 'emi' | 'm4u' | 'cell' | 'common' | 'gals' | 'larb' | 'port';
}

export function hitRate(c: MmuCellView): string {
  const n = c.iotlbHits + c.iotlbMisses;
  return n === 0 ? '-' : `${((100 * c.iotlbHits) / n).toFixed(1)}%`;
}

const onOff = (b: boolean): string => (b ? 'on' : 'off');

export function larbRows(v: LarbView, showPorts: boolean): TreeRow[] {
  const rows: TreeRow[] = [{ text: `EMI (${v.soc})`, kind: 'emi' }];
  // One M4U: its cells hang off EMI directly. Several (mt2712): one subtree per M4U, each
  // with its own SMI common and the larbs bound to it.
  const nested = v.m4us.length > 1;
  v.m4us.forEach((m, mi) => {
    const lastM = mi === v.m4us.length - 1;
    let pad = '';
    if (nested) {
      rows.push({ text: `${lastM ? '└' : '├'} ${m.name}`, kind: 'm4u' });
      pad = lastM ? '  ' : '│ ';
    }
    m4uRows(rows, v, m, pad, nested, showPorts);
  });
  return rows;
}

function m4uRows(rows: TreeRow[], v: LarbView, m: M4uView, pad: string, nested: boolean, showPorts: boolean): void {
  for (const c of m.cells) {
    rows.push({
      text: `${pad}├ ${c.id}  tx ${c.traffic}  iotlb hit ${hitRate(c)} (${c.iotlbHits}/${c.iotlbHits + c.iotlbMisses})  faults ${c.faults}`,
      tone: c.faults ? 'bad' : undefined,
      kind: 'cell',
    });
  }
  rows.push({
    text: `${pad}└ SMI common  bus_sel 0x${v.busSelReg.toString(16).padStart(8, '0')}  clk ${onOff(v.commonClock)} pwr ${onOff(v.commonPower)}`,
    tone: v.commonClock && v.commonPower ? undefined : 'muted',
    kind: 'common',
  });
  // Group larbs under their GALS (direct ones first), keeping id order inside a group.
  const groups = new Map<string, LarbItemView[]>();
  for (const l of v.larbs) {
    if (l.m4u !== m.name) continue;
    const g = l.gals ?? '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(l);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
  const under = `${pad}  `;
  keys.forEach((g, gi) => {
    const lastG = gi === keys.length - 1;
    const lpad = g === '' ? under : `${under}${lastG ? ' ' : '│'} `;
    if (g !== '') rows.push({ text: `${under}${lastG ? '└' : '├'} GALS ${g}`, kind: 'gals' });
    const larbs = groups.get(g)!;
    larbs.forEach((l, li) => {
      const lastL = li === larbs.length - 1 && (g !== '' || lastG);
      const state = l.clock && l.power ? '' : `  clk ${onOff(l.clock)} pwr ${onOff(l.power)}`;
      rows.push({
        text: `${lpad}${lastL ? '└' : '├'} ${l.name} sel ${l.busSel} -> ${nested ? `${l.m4u}.` : ''}${l.cell}  faults ${l.faults}${state}`,
        tone: l.faults ? 'bad' : l.clock && l.power ? undefined : 'muted',
        larb: l.id,
        kind: 'larb',
      });
      if (showPorts) {
        const pp = `${lpad}${lastL ? ' ' : '│'} `;
        l.ports.forEach((p, pi) =>
          rows.push({
            text: `${pp}${pi === l.ports.length - 1 ? '└' : '├'} p${p.id} ${p.name}  tx ${p.traffic}  faults ${p.faults}`,
            tone: p.faults ? 'bad' : 'muted',
            larb: l.id,
            kind: 'port',
          }),
        );
      }
    });
  });
}
