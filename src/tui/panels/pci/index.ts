/**
 * PCI topology: the tree with ACS words, BARs and p2pmem; the p2pdma answer between the
 * marked provider (`m`) and the selected endpoint, as this kernel computes it.
 */
import { definePanel } from '../panel.ts';
import type { P2pPairStatus, PciView } from './model.ts';
import { type PciRow, pairLines, pairProvider, pciRows } from './rows.ts';
import { listRows } from '../list-rows.ts';
import { Line } from '../../term/style.ts';

export interface PciData {
  readonly rows: readonly PciRow[];
  readonly cursor: number;
  readonly provider: number | undefined;
  readonly current: number | undefined;
  readonly pair: P2pPairStatus | undefined;
  readonly view: PciView;
}

export const pciPanel = definePanel<PciData>({
  id: 'pci',
  title: 'PCI',
  region: 'side',
  available: (v) => !!v.pci,
  select: (v, env) => {
    const pv = v.pci as PciView;
    const rows = pciRows(pv);
    const cursor = Math.max(0, Math.min(env.ui.cursor, rows.length - 1));
    const provider = pairProvider(pv, env.ui.open === undefined ? undefined : env.ui.open - 1);
    // The selected endpoint, else the first other one, so the pair line always says something.
    const client = rows[cursor]?.endpoint ? rows[cursor].fn : rows.find((r) => r.endpoint && r.fn !== provider)?.fn;
    const pair = provider !== undefined && client !== undefined ? pv.pairs[provider]?.[client] : undefined;
    return { rows, cursor, provider, current: pv.current, pair, view: pv };
  },
  count: (d) => d.rows.length,
  summary: (d) => (d.view.kernel === 'present' ? 'v5.4 map types' : 'v5.0 distances'),
  keys: [{ keys: ['m'], scope: 'pci', command: 'pci.mark', description: 'Mark the selected endpoint as the p2pmem provider', tag: 'panel', hint: 'provider' }],
  actions: { 'pci.mark': (ui, d) => (d.rows[ui.cursor]?.endpoint ? { ...ui, open: d.rows[ui.cursor].fn + 1 } : ui) },
  rows: (d, ctx) => {
    const th = ctx.theme;
    const foot = pairLines(d.view, d.pair);
    const body = listRows(
      d.rows.map((r) => {
        const mark = r.fn >= 0 && r.fn === d.current ? '>' : r.fn >= 0 && r.fn === d.provider ? '*' : r.redirect ? '!' : ' ';
        const fg = r.head ? th.c('accent') : r.redirect ? th.c('warn') : r.fn === d.current ? th.c('warn') : undefined;
        return { text: r.text, mark, style: { bold: r.head || r.fn === d.current, fg } };
      }),
      d.cursor,
      { ...ctx, height: Math.max(1, ctx.height - 2) },
      'no PCI functions',
      { marks: true },
    );
    const bad = d.pair && (d.view.kernel === 'present' ? d.pair.v54.mapType === 'NOT_SUPPORTED' : d.pair.v50 < 0);
    if (ctx.height >= 3) {
      body.push(new Line(ctx.width).addFit(foot[0], { bold: true, fg: bad ? th.c('bad') : th.c('good') }).toString());
      body.push(new Line(ctx.width).addFit(foot[1], { dim: true }).toString());
    }
    return body;
  },
  legend: [['>', 'the function the current stop names'], ['*', 'the provider the pair line uses (m marks one)'], ['!', 'ACS redirect (RR, CR or EC) set in its control word']],
});
