/**
 * `info mappings [DEV]`: every live DMA API mapping, as debug_dma_dump_mappings
 * (kernel/dma/debug.c) lists dma-debug's entries: device, API, direction (dir2name), dma
 * address, size, physical address, the SWIOTLB slot when it bounced, and the record that
 * mapped it. Single and page mappings are tracked (sg lists are not).
 */
import type { Machine } from '../../sim/machine.ts';
import { hex } from '../../sim/core/hex.ts';
import { DMA_DEBUG_MODEL, type DmaDebugEntry, dmaDebugMappings } from '../../sim/dma/debug.ts';
import { DEVICES } from '../../sim/devices/device.ts';
import { deviceBdf } from '../../sim/devices/identity.ts';
import { IO_TLB_SIZE, isSwiotlbBuffer, swiotlbOf } from '../../sim/dma/swiotlb-state.ts';
import { registerInspector } from './registry.ts';

const DIR2NAME = { bidirectional: 'DMA_BIDIRECTIONAL', 'to-device': 'DMA_TO_DEVICE', 'from-device': 'DMA_FROM_DEVICE' } as const;

export interface MappingRow {
  readonly dev: string;
  readonly entry: DmaDebugEntry;
  /** SWIOTLB slot of a bounced mapping. */
  readonly slot?: number;
}

export function mappingRows(m: Machine, dev?: string): MappingRow[] {
  const st = swiotlbOf(m);
  return dmaDebugMappings(m, dev).map((e) => {
    const bdf = deviceBdf(m, e.dev)?.bdf;
    const slot = st && isSwiotlbBuffer(st, e.dma) ? Math.floor((e.dma - st.start) / IO_TLB_SIZE) : undefined;
    return { dev: bdf ? `${e.dev} (${bdf})` : e.dev, entry: e, ...(slot !== undefined ? { slot } : {}) };
  });
}

export function mappingLines(rows: readonly MappingRow[]): string[] {
  const w = Math.max(6, ...rows.map((r) => r.dev.length));
  const lines = [`${'DEVICE'.padEnd(w)}  API             DIRECTION          DMA ADDR    SIZE     PHYS        BOUNCE    MAPPED AT`];
  for (const { dev, entry: e, slot } of rows) {
    lines.push(
      `${dev.padEnd(w)}  ${e.api.padEnd(15)} ${DIR2NAME[e.dir].padEnd(18)} ${hex(e.dma).padEnd(11)} ${String(e.size).padEnd(8)} ${hex(e.pa).padEnd(11)} ${(slot !== undefined ? `slot ${slot}` : '-').padEnd(9)} record ${e.seq}`,
    );
  }
  return lines;
}

registerInspector({
  name: 'mappings',
  usage: 'info mappings [DEV]',
  summary: "Live DMA API mappings (single/page), as dma-debug's debug_dma_dump_mappings lists them",
  run: ({ machine: m }, args) => {
    const dev = args[0];
    const names = m.findModel(DEVICES)?.list.map((d) => d.name) ?? [];
    if (dev && !names.includes(dev)) return [`no device "${dev}": devices here: ${names.join(', ') || 'none'}`];
    const rows = mappingRows(m, dev);
    if (!rows.length) return [m.hasModel(DMA_DEBUG_MODEL) ? `No live DMA API mappings${dev ? ` of ${dev}` : ''}.` : 'No DMA API mapping made yet.'];
    return mappingLines(rows);
  },
});
