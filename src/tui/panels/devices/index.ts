/** Devices: every DMA master with its mask, DMA ops, translator, progress and queue. */
import { definePanel } from '../panel.ts';
import type { DeviceView } from '../../session-port.ts';
import { DevicesView } from './view.tsx';

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
  Component: DevicesView,
});
