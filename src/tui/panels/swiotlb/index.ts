/** SWIOTLB: slot map with owners, free-run counts, the search cursor, the largest free run. */
import { definePanel } from '../panel.ts';
import type { SwiotlbView } from './model.ts';
import { type Cell, freeRuns, infoLines, legend, slotCells } from './rows.ts';
import { SwiotlbViewC } from './view.tsx';

export interface SwiotlbData {
  readonly cells: readonly Cell[];
  readonly per: number;
  readonly perRow: number;
  readonly info: readonly string[];
  readonly legend: string;
  readonly failed: boolean;
}

export const swiotlbPanel = definePanel<SwiotlbData>({
  id: 'swiotlb',
  title: 'SWIOTLB',
  region: 'side',
  available: (v) => !!v.swiotlb,
  select: (v, env) => {
    const sv = v.swiotlb as SwiotlbView;
    const fr = freeRuns(sv);
    const perRow = Math.max(8, env.cols);
    const mapRows = Math.max(1, env.rows - 4);
    const { cells, per } = slotCells(sv, perRow * mapRows);
    return { cells, per, perRow, info: infoLines(sv, fr, per), legend: legend(sv), failed: !!sv.lastFailed };
  },
  count: () => 0,
  summary: (d) => d.info[0]?.split('  ')[1] ?? '',
  Component: SwiotlbViewC,
});
