/** Larb bus: the SMI topology tree; `p` shows or hides ports; the current stop's larb is marked. */
import { definePanel } from '../panel.ts';
import type { LarbView } from './model.ts';
import { larbRows, type TreeRow } from './rows.ts';
import { listRows } from '../list-rows.ts';

export interface LarbData {
  readonly rows: readonly TreeRow[];
  readonly cursor: number;
  readonly current?: number;
  readonly showPorts: boolean;
}

export const larbPanel = definePanel<LarbData>({
  id: 'larb',
  title: 'Larb bus',
  region: 'side',
  available: (v) => !!v.larb,
  select: (v, env) => {
    const lv = v.larb as LarbView;
    const showPorts = env.ui.open !== 0;
    const rows = larbRows(lv, showPorts);
    return { rows, cursor: Math.min(env.ui.cursor, rows.length - 1), current: lv.currentLarb, showPorts };
  },
  count: (d) => d.rows.length,
  summary: (d) => (d.current !== undefined ? `stop at larb${d.current}` : ''),
  keys: [{ keys: ['p'], scope: 'larb', command: 'larb.ports', description: 'Show / hide ports', tag: 'panel', hint: 'ports' }],
  actions: { 'larb.ports': (ui, d) => ({ ...ui, open: d.showPorts ? 0 : undefined, cursor: 0 }) },
  rows: (d, ctx) =>
    listRows(
      d.rows.map((r) => {
        // The larb of the current stop (a fault names it) is marked and highlighted.
        const cur = r.kind === 'larb' && r.larb !== undefined && r.larb === d.current;
        return { text: r.text, mark: cur ? '>' : ' ', style: cur ? { bold: true, fg: ctx.theme.c('warn') } : { fg: r.tone ? ctx.theme.c(r.tone) : undefined } };
      }),
      d.cursor,
      ctx,
      undefined,
      { marks: true },
    ),
  legend: [['>', "the larb the current stop names (a fault's larb)"]],
});
