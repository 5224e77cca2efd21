/** Larb bus: the SMI topology tree; `p` shows or hides ports; the current stop's larb is marked. */
import { definePanel } from '../panel.ts';
import type { LarbView } from './model.ts';
import { larbRows, type TreeRow } from './rows.ts';
import { LarbViewC } from './view.tsx';

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
  Component: LarbViewC,
});
