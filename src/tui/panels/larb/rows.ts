/**
 * The SMI topology as tree rows, from the memory side down: EMI, the M4U cells with their
 * traffic and IOTLB hit rate, SMI common with bus_sel, each GALS, its larbs (with the cell
 * their bus selection reaches) and their ports.
 */
import type { LarbView, MmuCellView } from './model.ts';

export interface TreeRow {
  readonly text: string;
  readonly tone?: 'bad' | 'muted' | 'accent' | 'good';
  /** Larb id on larb and port rows (for the current-stop highlight). */
  readonly larb?: number;
  readonly kind: 'emi' | 'cell' | 'common' | 'gals' | 'larb' | 'port';
}

export function hitRate(c: MmuCellView): string {
  const n = c.iotlbHits + c.iotlbMisses;
  return n === 0 ? '-' : `${((100 * c.iotlbHits) / n).toFixed(1)}%`;
}

const onOff = (b: boolean): string => (b ? 'on' : 'off');

export function larbRows(v: LarbView, showPorts: boolean): TreeRow[] {
  const rows: TreeRow[] = [{ text: `EMI (${v.soc})`, kind: 'emi' }];
  for (const c of v.cells) {
    rows.push({
      text: `├ ${c.id}  tx ${c.traffic}  iotlb hit ${hitRate(c)} (${c.iotlbHits}/${c.iotlbHits + c.iotlbMisses})  faults ${c.faults}`,
      tone: c.faults ? 'bad' : undefined,
      kind: 'cell',
    });
  }
  rows.push({
    text: `└ SMI common  bus_sel 0x${v.busSelReg.toString(16).padStart(8, '0')}  clk ${onOff(v.commonClock)} pwr ${onOff(v.commonPower)}`,
    tone: v.commonClock && v.commonPower ? undefined : 'muted',
    kind: 'common',
  });
  // Group larbs under their GALS (direct ones first), keeping id order inside a group.
  const groups = new Map<string, typeof v.larbs[number][]>();
  for (const l of v.larbs) {
    const g = l.gals ?? '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(l);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
  keys.forEach((g, gi) => {
    const lastG = gi === keys.length - 1;
    const pad = g === '' ? '  ' : `  ${lastG ? ' ' : '│'} `;
    if (g !== '') rows.push({ text: `  ${lastG ? '└' : '├'} GALS ${g}`, kind: 'gals' });
    const larbs = groups.get(g)!;
    larbs.forEach((l, li) => {
      const lastL = li === larbs.length - 1 && (g !== '' || lastG);
      const state = l.clock && l.power ? '' : `  clk ${onOff(l.clock)} pwr ${onOff(l.power)}`;
      rows.push({
        text: `${pad}${lastL ? '└' : '├'} ${l.name} sel ${l.busSel} -> ${l.cell}  faults ${l.faults}${state}`,
        tone: l.faults ? 'bad' : l.clock && l.power ? undefined : 'muted',
        larb: l.id,
        kind: 'larb',
      });
      if (showPorts) {
        const pp = `${pad}${lastL ? ' ' : '│'} `;
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
  return rows;
}
