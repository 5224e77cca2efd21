/** SWIOTLB: slot map with owners, free-run counts, the search cursor, the largest free run. */
import { definePanel } from '../panel.ts';
import type { SwiotlbView } from './model.ts';
import { type Cell, cellsPerRow, freeRuns, infoLines, legend, slotCells, slotsPerCell } from './rows.ts';
import { Line } from '../../term/style.ts';
import type { RowCtx } from '../panel.ts';
import type { Tone } from '../../theme.tsx';

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
  rows: swiotlbRows,
  legend: [['A..Z', "the slot's owner (the device that mapped it)"], ['·', 'free'], ['▒', 'a cell whose slots have different owners'], ['inverse', 'the cell holding io_tlb_index (where the next search starts)']],
});

const OWNER_TONES: Tone[] = ['accent', 'good', 'special', 'info', 'warn'];

function swiotlbRows(d: SwiotlbData, ctx: RowCtx): string[] {
  const th = ctx.theme;
  const colour = (c: Cell) => (c.owner >= 0 ? th.c(OWNER_TONES[c.owner % OWNER_TONES.length]) : c.owner === -2 ? th.c('warn') : th.c('muted'));
  const out = d.info.map((l, i) => new Line(ctx.width).addFit(l, { fg: i === 2 ? th.c('bad') : undefined }).toString());
  const mapRows = Math.max(0, ctx.height - d.info.length - 1);
  for (let i = 0; i < d.cells.length && out.length < d.info.length + mapRows; i += d.perRow) {
    const line = new Line(ctx.width);
    // Runs of one style, so a row is a handful of SGR switches.
    let run = '';
    let runColour: ReturnType<typeof colour>;
    let runIndex = false;
    const flush = () => {
      if (run) line.add(run, { fg: runColour, inverse: runIndex });
      run = '';
    };
    for (const c of d.cells.slice(i, i + d.perRow)) {
      const col = colour(c);
      if (run && (col !== runColour || c.index || runIndex)) flush();
      if (!run) {
        runColour = col;
        runIndex = c.index;
      }
      run += c.ch;
    }
    flush();
    out.push(line.toString());
  }
  out.push(new Line(ctx.width).addFit(d.legend, { dim: true }).toString());
  return out.slice(0, ctx.height);
}
