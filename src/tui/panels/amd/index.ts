/** AMD IOMMU: the stop's device (DTE, walk of its address), command buffer, event log, domains. */
import { definePanel } from '../panel.ts';
import type { AmdView } from './model.ts';
import { type AmdRow, amdRows } from './rows.ts';
import { listRows } from '../list-rows.ts';

export interface AmdData {
  readonly rows: readonly AmdRow[];
  readonly cursor: number;
  readonly device?: string;
  readonly pending: number;
}

export const amdPanel = definePanel<AmdData>({
  id: 'amd',
  title: 'AMD IOMMU',
  region: 'side',
  available: (v) => !!v.amd,
  select: (v, env) => {
    const av = v.amd as AmdView;
    const rows = amdRows(av);
    return {
      rows,
      cursor: Math.min(env.ui.cursor, rows.length - 1),
      device: av.device?.name,
      pending: av.iommus.reduce((a, io) => a + io.events.filter((e) => e.pending).length, 0),
    };
  },
  count: (d) => d.rows.length,
  summary: (d) => [d.device, d.pending ? `${d.pending} event(s) unread` : ''].filter(Boolean).join('  '),
  rows: (d, ctx) =>
    listRows(
      d.rows.map((r) => ({ text: r.text, style: { bold: r.head, fg: r.tone ? ctx.theme.c(r.tone) : undefined } })),
      d.cursor,
      ctx,
      'no AMD IOMMU state yet',
    ),
});
