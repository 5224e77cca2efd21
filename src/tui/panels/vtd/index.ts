/**
 * VT-d: the DMAR unit (mode, FSTS/FECTL, queue, IOTLB), the selected device's root,
 * context and PASID entries decoded with their raw words, the second-level walk of the
 * stop's IOVA, and the fault recording registers. `]` / `[` pick the device; it starts at
 * the one the stop's record names.
 */
import { definePanel } from '../panel.ts';
import { listRows } from '../list-rows.ts';
import type { VtdView } from './model.ts';
import { type VtdRow, vtdRows } from './rows.ts';

export interface VtdData {
  readonly rows: readonly VtdRow[];
  readonly cursor: number;
  readonly dev: number;
  readonly devices: number;
  readonly name: string;
  readonly current: boolean;
}

export const vtdPanel = definePanel<VtdData>({
  id: 'vtd',
  title: 'VT-d',
  region: 'side',
  available: (v) => !!v.vtd,
  select: (v, env) => {
    const vv = v.vtd as VtdView;
    const n = vv.devices.length;
    const dev = n ? ((env.ui.domain ?? (vv.current >= 0 ? vv.current : 0)) % n + n) % n : 0;
    const rows = vtdRows(vv, dev);
    return { rows, cursor: Math.max(0, Math.min(env.ui.cursor, rows.length - 1)), dev, devices: n, name: vv.devices[dev]?.dev ?? '', current: dev === vv.current };
  },
  count: (d) => d.rows.length,
  summary: (d) => (d.devices ? `${d.name}${d.devices > 1 ? ` (${d.dev + 1}/${d.devices})` : ''}${d.current ? ' at the stop' : ''}` : ''),
  keys: [
    { keys: [']'], scope: 'vtd', command: 'vtd.next-device', description: 'Next device behind VT-d', tag: 'panel', hint: 'device' },
    { keys: ['['], scope: 'vtd', command: 'vtd.prev-device', description: 'Previous device', tag: 'panel' },
  ],
  actions: {
    'vtd.next-device': (ui, d) => (d.devices ? { ...ui, cursor: 0, domain: (d.dev + 1) % d.devices } : ui),
    'vtd.prev-device': (ui, d) => (d.devices ? { ...ui, cursor: 0, domain: (d.dev + d.devices - 1) % d.devices } : ui),
  },
  rows: (d, ctx) =>
    listRows(
      d.rows.map((r) => ({ text: r.text, style: { bold: r.head, fg: r.tone ? ctx.theme.c(r.tone) : undefined, dim: r.tone === 'muted' } })),
      d.cursor,
      ctx,
      'no DMAR unit',
    ),
  legend: [['>', 'the device the current stop names'], ['!= domain', 'a PASID entry whose DID is not its domain\'s (v5.0 pasid_set_page_snoop)']],
});
