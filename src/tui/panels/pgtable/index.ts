/**
 * Page tables: L1 condensed to populated ranges; Enter on a table entry opens its L2 table
 * (Backspace returns); every entry decoded; the walk of the stop's IOVA (or the selected
 * row's) level by level; entries changed since the last stop highlighted. `[` / `]` switch
 * between domains.
 */
import { definePanel, type PanelUi } from '../panel.ts';
import type { PgtableDomainView, PgtableView } from './model.ts';
import { condense, type PteRow, walk, type WalkLine } from './rows.ts';
import { Line } from '../../term/style.ts';
import { selectionStyle } from '../list-rows.ts';
import { type RowCtx, windowStart } from '../panel.ts';

export interface PgtableData {
  /** Undefined until a domain has a page table. */
  readonly domain?: PgtableDomainView;
  readonly domainIndex: number;
  readonly domains: number;
  /** The L1 index whose L2 table is shown, or undefined for L1. */
  readonly open?: number;
  readonly rows: readonly PteRow[];
  readonly cursor: number;
  readonly walk: readonly WalkLine[];
}

function select(v: { pgtable?: PgtableView }, ui: { cursor: number; open?: number; domain?: number; moved?: boolean }): PgtableData {
  const pt = v.pgtable!;
  const di = Math.max(0, Math.min(ui.domain ?? 0, pt.domains.length - 1));
  const dom = pt.domains[di];
  if (!dom) return { domainIndex: 0, domains: 0, rows: [], cursor: 0, walk: [] };
  const open = ui.open !== undefined && dom.l2[ui.open] ? ui.open : undefined;
  const rows = open === undefined ? condense(dom.l1, 1, 0, dom) : condense(dom.l2[open], 2, open);
  const cursor = Math.max(0, Math.min(ui.cursor, rows.length - 1));
  // The stop's IOVA until the user picks a row; then the selected row's first IOVA.
  const iova = ui.moved || pt.walkIova === undefined ? rows[cursor]?.iova : pt.walkIova;
  return { domain: dom, domainIndex: di, domains: pt.domains.length, open, rows, cursor, walk: iova === undefined ? [] : walk(dom, iova) };
}

function openL2(ui: PanelUi, d: PgtableData): PanelUi {
  const r = d.rows[d.cursor];
  return d.open === undefined && r?.entry.type === 'table' ? { ...ui, open: r.first, cursor: 0, moved: true } : ui;
}

function closeL2(ui: PanelUi, d: PgtableData): PanelUi {
  if (d.open === undefined || !d.domain) return ui;
  const back = condense(d.domain.l1, 1, 0, d.domain).findIndex((r) => r.first === d.open);
  return { ...ui, open: undefined, cursor: Math.max(0, back) };
}

export const pgtablePanel = definePanel<PgtableData>({
  id: 'pgtable',
  title: 'Page tables',
  region: 'side',
  available: (v) => !!v.pgtable,
  select: (v, env) => select(v, env.ui),
  count: (d) => d.rows.length,
  summary: (d) =>
    !d.domain
      ? ''
      : `${d.domain.name}${d.domains > 1 ? ` (${d.domainIndex + 1}/${d.domains})` : ''}${d.open !== undefined ? ` L2 of L1[0x${d.open.toString(16)}]` : ''}`,
  keys: [
    { keys: ['enter'], scope: 'pgtable', command: 'pgtable.open', description: 'Open the L2 table of the selected L1 entry', tag: 'panel', shadows: true, hint: 'L2' },
    { keys: ['backspace'], scope: 'pgtable', command: 'pgtable.close', description: 'Back to L1', tag: 'panel' },
    { keys: [']'], scope: 'pgtable', command: 'pgtable.next-domain', description: 'Next domain', tag: 'panel' },
    { keys: ['['], scope: 'pgtable', command: 'pgtable.prev-domain', description: 'Previous domain', tag: 'panel' },
  ],
  actions: {
    // Vim-style: right / l goes into the L2 table, left / h back to L1.
    'nav.right': openL2,
    'nav.left': closeL2,
    'pgtable.open': openL2,
    'pgtable.close': closeL2,
    'pgtable.next-domain': (ui, d) => (d.domains ? { cursor: 0, domain: (d.domainIndex + 1) % d.domains } : ui),
    'pgtable.prev-domain': (ui, d) => (d.domains ? { cursor: 0, domain: (d.domainIndex + d.domains - 1) % d.domains } : ui),
  },
  rows: pgtableRows,
  legend: [['*', 'entry changed since the previous stop'], ['walk', "the stop's IOVA (or the selected row's) level by level, under the entries"]],
});

function pgtableRows(d: PgtableData, ctx: RowCtx): string[] {
  const th = ctx.theme;
  if (!d.domain) return [new Line(ctx.width).addFit('no page table yet: no IOMMU domain has been allocated', { dim: true }).toString()];
  // The walk takes the bottom rows when there is room for both.
  const walkRows = ctx.height >= 8 ? Math.min(d.walk.length, 4) : 0;
  const listRows = ctx.height - walkRows;
  const start = windowStart(d.cursor, d.rows.length, listRows);
  const out: string[] = [];
  if (d.rows.length === 0) out.push(new Line(ctx.width).addFit('no valid entries', { dim: true }).toString());
  for (let i = start; i < Math.min(d.rows.length, start + listRows); i++) {
    const r = d.rows[i];
    const style = { bold: r.changed, fg: r.changed ? th.c('warn') : r.entry.type === 'table' ? th.c('accent') : undefined };
    out.push(new Line(ctx.width, selectionStyle(i === d.cursor, ctx.focused)).add(r.changed ? '*' : ' ', style).addFit(r.text, style).toString());
  }
  while (out.length < listRows) out.push(' '.repeat(ctx.width));
  d.walk.slice(0, walkRows).forEach((w, i) => out.push(new Line(ctx.width).addFit(w.text, { fg: w.ok ? th.c('info') : th.c('bad'), dim: i === 0 }).toString()));
  return out;
}
