/** Mappings: the live DMA API mappings, as dma-debug's debug_dma_dump_mappings lists them. */
import { definePanel } from '../panel.ts';
import { listRows } from '../list-rows.ts';
import type { TuiView } from '../../session-port.ts';

export interface MappingsData {
  readonly lines: readonly string[];
  readonly cursor: number;
}

const DIR = { bidirectional: 'BIDI', 'to-device': 'TO_DEV', 'from-device': 'FROM_DEV' } as const;

export const mappingsPanel = definePanel<MappingsData>({
  id: 'mappings',
  title: 'Mappings',
  region: 'side',
  available: (v) => !!v.mappings,
  select: (v, env) => {
    const rows = v.mappings as NonNullable<TuiView['mappings']>;
    const lines = rows.map(({ dev, entry: e, slot }) => `${dev} ${e.api} ${DIR[e.dir]} 0x${e.dma.toString(16)}+${e.size} pa 0x${e.pa.toString(16)}${slot !== undefined ? ` slot ${slot}` : ''} @${e.seq}`);
    return { lines, cursor: Math.min(env.ui.cursor, lines.length - 1) };
  },
  count: (d) => d.lines.length,
  summary: (d) => `${d.lines.length} live`,
  rows: (d, ctx) => listRows(d.lines.map((text) => ({ text })), d.cursor, ctx, 'no live DMA API mappings'),
  legend: [['@N', 'the record that mapped it']],
});
