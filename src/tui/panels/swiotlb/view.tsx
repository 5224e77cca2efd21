import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { PanelProps } from '../panel.ts';
import { type Tone, useTheme } from '../../theme.tsx';
import type { SwiotlbData } from './index.ts';
import type { Cell } from './rows.ts';

const OWNER_TONES: Tone[] = ['accent', 'good', 'special', 'info', 'warn'];

/** A row of cells as runs of one style, so a 120-cell row is a handful of Text nodes. */
function CellRow({ cells, color }: { cells: readonly Cell[]; color: (c: Cell) => string | undefined }) {
  const runs: { text: string; color?: string; inverse: boolean }[] = [];
  for (const c of cells) {
    const col = color(c);
    const last = runs[runs.length - 1];
    if (last && last.color === col && last.inverse === c.index && !c.index) last.text += c.ch;
    else runs.push({ text: c.ch, color: col, inverse: c.index });
  }
  return (
    <Text wrap="truncate">
      {runs.map((r, i) => (
        <Text key={i} color={r.color} inverse={r.inverse}>
          {r.text}
        </Text>
      ))}
    </Text>
  );
}

export const SwiotlbViewC = memo(function SwiotlbView({ data, width, height }: PanelProps<SwiotlbData>) {
  const th = useTheme();
  const color = (c: Cell) => (c.owner >= 0 ? th.c(OWNER_TONES[c.owner % OWNER_TONES.length]) : c.owner === -2 ? th.c('warn') : th.c('muted'));
  const mapRows = Math.max(0, height - data.info.length - 1);
  const lines: Cell[][] = [];
  for (let i = 0; i < data.cells.length && lines.length < mapRows; i += data.perRow) lines.push(data.cells.slice(i, i + data.perRow));
  return (
    <Box flexDirection="column" height={height} width={width}>
      {data.info.map((l, i) => (
        <Text key={`i${i}`} wrap="truncate" color={i === 2 ? th.c('bad') : undefined}>
          {l}
        </Text>
      ))}
      {lines.map((cells, i) => (
        <CellRow key={i} cells={cells} color={color} />
      ))}
      <Text wrap="truncate" dimColor>
        {data.legend}
      </Text>
    </Box>
  );
});
