/** Registers: every modelled M4U and VT-d register with its raw value and decoded fields; `*` changed since the previous stop. */
import { definePanel } from '../panel.ts';
import { listRows } from '../list-rows.ts';
import type { TuiView } from '../../session-port.ts';

interface RegItem {
  readonly text: string;
  readonly changed: boolean;
  readonly head: boolean;
}

export interface RegistersData {
  readonly items: readonly RegItem[];
  readonly cursor: number;
  readonly changed: number;
}

export const registersPanel = definePanel<RegistersData>({
  id: 'registers',
  title: 'Registers',
  region: 'side',
  available: (v) => !!v.registers,
  select: (v, env) => {
    const blocks = v.registers as NonNullable<TuiView['registers']>;
    const items: RegItem[] = [];
    for (const b of blocks) {
      if (blocks.length > 1) items.push({ text: b.name, changed: false, head: true });
      for (const r of b.rows) items.push({ text: `0x${r.off.toString(16).padStart(3, '0')} ${r.name.padEnd(17)} ${r.val.toString(16).padStart(r.wide ? 16 : 8, '0')}  ${r.fields}`, changed: r.changed, head: false });
    }
    return { items, cursor: Math.min(env.ui.cursor, items.length - 1), changed: items.filter((i) => i.changed).length };
  },
  count: (d) => d.items.length,
  summary: (d) => (d.changed ? `${d.changed} changed` : ''),
  rows: (d, ctx) =>
    listRows(
      d.items.map((i) => ({ text: i.text, mark: i.changed ? '*' : ' ', style: i.changed ? { bold: true, fg: ctx.theme.c('warn') } : i.head ? { bold: true } : undefined })),
      d.cursor,
      ctx,
      undefined,
      { marks: true },
    ),
  legend: [['*', 'changed since the previous stop']],
});
