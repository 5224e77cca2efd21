import type { NotifiersView } from './model.ts';

export interface NotifierRow {
  readonly text: string;
  readonly head: boolean;
  readonly stale: boolean;
}

export function notifierRows(v: NotifiersView): NotifierRow[] {
  const rows: NotifierRow[] = [];
  for (const mm of v.mms) {
    rows.push({ text: `${mm.name} (pid ${mm.pid})  ${mm.subscribers.length} subscriber(s)${mm.last ? `  last: ${mm.last}` : ''}`, head: true, stale: false });
    for (const s of mm.subscribers) rows.push({ text: `  ${s.name}  calls ${s.calls}  ops ${s.ops.join(',')}`, head: false, stale: false });
  }
  return rows;
}
