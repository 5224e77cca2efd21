import type { IotlbView, TlbEntryView } from './model.ts';

export interface TlbRow {
  readonly text: string;
  readonly head: boolean;
  readonly stale: boolean;
}

const h = (n: number): string => '0x' + n.toString(16);
const perm = (e: TlbEntryView): string => (e.pte !== undefined ? `pte 0x${e.pte.toString(16).padStart(8, '0')}` : `${e.read === false ? '-' : 'r'}${e.write ? 'w' : ''}`);

export function tlbRows(v: IotlbView): TlbRow[] {
  const rows: TlbRow[] = [];
  for (const t of v.tlbs) {
    const stale = t.entries.filter((e) => e.stale).length;
    rows.push({ text: `${t.name} (${t.kind})  ${t.entries.length}/${t.capacity}${stale ? `  ${stale} stale` : ''}`, head: true, stale: stale > 0 });
    for (const e of t.entries) {
      const tag = [e.domain !== undefined ? `d${e.domain}` : '', e.pasid !== undefined ? `pasid ${e.pasid}` : ''].filter(Boolean).join(' ');
      rows.push({
        text: `  ${tag ? tag + ' ' : ''}${h(e.iova)} -> ${h(e.pa)} ${e.size >= 1024 ? `${e.size / 1024}K` : e.size} ${perm(e)}${e.stale ? '  STALE' : ''}`,
        head: false,
        stale: !!e.stale,
      });
    }
  }
  return rows;
}
