/** HMM: each mm's struct hmm, its mirrors' device page tables against the CPU page table, ranges in flight. */
import { definePanel } from '../panel.ts';
import type { HmmView } from './model.ts';
import { type HmmRow, hmmRows } from './rows.ts';
import { listRows } from '../list-rows.ts';

export interface HmmData {
  readonly rows: readonly HmmRow[];
  readonly cursor: number;
  readonly stale: number;
}

export const hmmPanel = definePanel<HmmData>({
  id: 'hmm',
  title: 'HMM',
  region: 'side',
  available: (v) => !!v.hmm,
  select: (v, env) => {
    const rows = hmmRows(v.hmm as HmmView);
    const stale = (v.hmm as HmmView).mms.reduce((n, mm) => n + mm.mirrors.reduce((k, x) => k + x.devpt.filter((e) => e.stale).length, 0), 0);
    return { rows, cursor: Math.min(env.ui.cursor, rows.length - 1), stale };
  },
  count: (d) => d.rows.length,
  summary: (d) => (d.stale ? `${d.stale} stale device PTE(s)` : ''),
  rows: (d, ctx) =>
    listRows(
      d.rows.map((r) => ({ text: r.text, style: { bold: r.head, fg: r.bad ? ctx.theme.c('bad') : undefined } })),
      d.cursor,
      ctx,
      'no HMM mirror yet',
    ),
  legend: [['STALE', 'a device PTE the CPU page table no longer backs'], ['STUCK', 'hmm_mirror_register never returned (v5.0)'], ['LEAKED', "HMM's notifier stays on the mm with no mirror (v5.0)"]],
});
