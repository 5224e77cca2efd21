/** mm notifiers: each mm with its subscribers, the ops they implement and their call counts. */
import { definePanel } from '../panel.ts';
import type { NotifiersView } from './model.ts';
import { notifierRows, type NotifierRow } from './rows.ts';
import { listRows } from '../list-rows.ts';

export interface NotifiersData {
  readonly rows: readonly NotifierRow[];
  readonly cursor: number;
}

export const notifiersPanel = definePanel<NotifiersData>({
  id: 'notifiers',
  title: 'Notifiers',
  region: 'side',
  available: (v) => !!v.notifiers,
  select: (v, env) => {
    const rows = notifierRows(v.notifiers as NotifiersView);
    return { rows, cursor: Math.min(env.ui.cursor, rows.length - 1) };
  },
  count: (d) => d.rows.length,
  rows: (d, ctx) =>
    listRows(
      d.rows.map((r) => ({ text: r.text, style: { bold: r.head, fg: r.stale ? ctx.theme.c('bad') : undefined } })),
      d.cursor,
      ctx,
      'no process yet: nothing has registered an mmu notifier',
    ),
});
