/** PASID spaces (VT-d's IDR, IOASID frameworks), guest PASID bindings, and the last guest invalidation's path to the host. */
import { definePanel } from '../panel.ts';
import type { PasidView } from './model.ts';
import { type PasidRow, pasidRows } from './rows.ts';
import { listRows } from '../list-rows.ts';

export interface PasidData {
  readonly rows: readonly PasidRow[];
  readonly cursor: number;
  readonly refused: boolean;
}

export const pasidPanel = definePanel<PasidData>({
  id: 'pasid',
  title: 'PASID',
  region: 'side',
  available: (v) => !!v.pasid,
  select: (v, env) => {
    const pv = v.pasid as PasidView;
    const rows = pasidRows(pv);
    return { rows, cursor: Math.min(env.ui.cursor, rows.length - 1), refused: (pv.lastInvalidation?.result ?? 0) < 0 };
  },
  count: (d) => d.rows.length,
  summary: (d) => (d.refused ? 'last invalidation refused' : ''),
  rows: (d, ctx) =>
    listRows(
      d.rows.map((r) => ({ text: r.text, style: { bold: r.head, fg: r.bad ? ctx.theme.c('bad') : undefined } })),
      d.cursor,
      ctx,
      'no PASID allocated yet',
    ),
  legend: [['*', 'the active IOASID allocator'], ['guest -> host', 'the last passed-down invalidation: checks, klog, descriptors'], ['red', 'a refusal, a skipped pair or an error line']],
});
