/** SWIOTLB: slot map with owners, free-run counts, the search cursor, the largest free run. */
import { definePanel } from '../panel.ts';
import type { SwiotlbView } from './model.ts';
import { type Cell, cellsPerRow, freeRuns, infoLines, legend, slotCells, slotsPerCell } from './rows.ts';
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
    const width = Math.max(8, env.cols);
    const mapRows = Math.max(1, env.rows - 4);
    // Rows hold whole segments (or an even share of one), so fewer cells may fit per row
    // than the width: grow the cell until the grid fits the rows.
    let per = slotsPerCell(sv.nslabs, sv.segSize, width * mapRows);
    let perRow = cellsPerRow(per, sv.segSize, width);
    while (Math.ceil(sv.nslabs / per / perRow) > mapRows && per < sv.nslabs) {
      per = slotsPerCell(sv.nslabs, sv.segSize, Math.floor(sv.nslabs / per) - 1);
      perRow = cellsPerRow(per, sv.segSize, width);
    }
    const { cells } = slotCells(sv, 0, per);
    return { cells, per, perRow, info: infoLines(sv, fr, per), legend: legend(sv), failed: !!sv.lastFailed };
  },
  count: () => 0,
  summary: (d) => d.info[0]?.split('  ')[1] ?? '',
  Component: SwiotlbViewC,
});
