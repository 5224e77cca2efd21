/**
 * Every panel, in Tab order. Layout, help sections and the keymap all read this list;
 * adding a panel is its directory plus one line here.
 */
import type { PanelDef } from './panel.ts';
import { timelinePanel } from './timeline/index.ts';
import { pgtablePanel } from './pgtable/index.ts';
import { larbPanel } from './larb/index.ts';
import { swiotlbPanel } from './swiotlb/index.ts';
import { iotlbPanel } from './iotlb/index.ts';
import { vtdPanel } from './vtd/index.ts';
import { amdPanel } from './amd/index.ts';
import { devicesPanel } from './devices/index.ts';
import { notifiersPanel } from './notifiers/index.ts';
import { breakpointsPanel } from './breakpoints/index.ts';
import { consolePanel } from './console/index.ts';
import { pciPanel } from './pci/index.ts';
import { hmmPanel } from './hmm/index.ts';
import { pasidPanel } from './pasid/index.ts';
import { logPanel } from './log/index.ts';
import { registersPanel } from './registers/index.ts';
import { mappingsPanel } from './mappings/index.ts';

export const PANELS: readonly PanelDef[] = [
  timelinePanel,
  pgtablePanel,
  larbPanel,
  swiotlbPanel,
  iotlbPanel,
  pciPanel,
  vtdPanel,
  amdPanel,
  devicesPanel,
  notifiersPanel,
  hmmPanel,
  pasidPanel,
  registersPanel,
  mappingsPanel,
  logPanel,
  breakpointsPanel,
  consolePanel,
];

export function panelById(id: string): PanelDef | undefined {
  return PANELS.find((p) => p.id === id);
}
