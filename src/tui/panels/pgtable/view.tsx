import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { type PanelProps, windowStart } from '../panel.ts';
import { useTheme } from '../../theme.tsx';
import type { PgtableData } from './index.ts';

export const PgtableViewC = memo(function PgtableView({ data, focused, width, height }: PanelProps<PgtableData>) {
  const th = useTheme();
  // The walk takes the bottom rows when there is room for both.
  const walkRows = height >= 8 ? Math.min(data.walk.length, 4) : 0;
  const listRows = height - walkRows;
  const start = windowStart(data.cursor, data.rows.length, listRows);
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Box flexDirection="column" height={listRows}>
        {data.rows.length === 0 && <Text dimColor>no valid entries</Text>}
        {data.rows.slice(start, start + listRows).map((r, i) => {
          const sel = start + i === data.cursor;
          return (
            <Text
              key={r.first}
              wrap="truncate"
              inverse={sel && focused}
              underline={sel && !focused}
              bold={r.changed}
              color={r.changed ? th.c('warn') : r.entry.type === 'table' ? th.c('accent') : undefined}
            >
              {r.changed ? '*' : ' '}
              {r.text}
            </Text>
          );
        })}
      </Box>
      {data.walk.slice(0, walkRows).map((w, i) => (
        <Text key={`w${i}`} wrap="truncate" color={w.ok ? th.c('info') : th.c('bad')} dimColor={i === 0}>
          {w.text}
        </Text>
      ))}
    </Box>
  );
});
