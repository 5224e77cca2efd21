/** Devices: every DMA master with its mask, DMA ops, translator, progress and queue. */
import { definePanel } from '../panel.ts';
import type { DeviceView } from '../../session-port.ts';
import { deviceRows } from './rows.ts';
import { Line, type Style } from '../../term/style.ts';
import { selectionStyle } from '../list-rows.ts';
import { windowStart } from '../panel.ts';

export interface DevicesData {
  readonly devices: readonly DeviceView[];
  readonly cursor: number;
}

export const devicesPanel = definePanel<DevicesData>({
  id: 'devices',
  title: 'Devices',
  region: 'side',
  available: (v) => v.devices.length > 0,
  select: (v, env) => ({ devices: v.devices, cursor: Math.min(env.ui.cursor, Math.max(0, v.devices.length - 1)) }),
  count: (d) => d.devices.length,
  summary: (d) => `${d.devices.length}`,
  rows: (d, ctx) => {
    // Queues are listed under their device when every device fits with room to spare.
    const rows = deviceRows(d.devices, d.devices.length < ctx.height);
    const curRow = rows.findIndex((r) => r.dev === d.cursor && !r.sub);
    const start = windowStart(Math.max(0, curRow), rows.length, ctx.height);
    return rows.slice(start, start + ctx.height).map((r) => {
      const sel = ctx.focused && r.dev === d.cursor && !r.sub;
      const muted: Style | undefined = r.sub || d.devices[r.dev].status === 'done' ? { fg: ctx.theme.c('muted') } : undefined;
      return new Line(ctx.width, selectionStyle(sel, true)).addFit(r.text, muted).toString();
    });
  },
});
