/** IOTLB / device IOTLB: cached translations per IOMMU and per ATS device, stale ones marked. */
import { definePanel } from '../panel.ts';
import type { IotlbView } from './model.ts';
import { tlbRows, type TlbRow } from './rows.ts';
import { listRows } from '../list-rows.ts';

export interface IotlbData {
  readonly rows: readonly TlbRow[];
  readonly cursor: number;
}

export const iotlbPanel = definePanel<IotlbData>({
  id: 'iotlb',
  title: 'IOTLB',
  region: 'side',
  available: (v) => !!v.iotlb,
  select: (v, env) => {
    const rows = tlbRows(v.iotlb as IotlbView);
    return { rows, cursor: Math.min(env.ui.cursor, rows.length - 1) };
  },
  count: (d) => d.rows.length,
  rows: (d, ctx) =>
    listRows(
      d.rows.map((r) => ({ text: r.text, style: { bold: r.head, fg: r.stale ? ctx.theme.c('bad') : undefined } })),
      d.cursor,
      ctx,
      'no IOTLB or device IOTLB yet',
    ),
});
