import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { type PanelProps, windowStart } from '../panel.ts';
import { useTheme } from '../../theme.tsx';
import type { LarbData } from './index.ts';

export const LarbViewC = memo(function LarbView({ data, focused, width, height }: PanelProps<LarbData>) {
  const th = useTheme();
  const start = windowStart(data.cursor, data.rows.length, height);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {data.rows.slice(start, start + height).map((r, i) => {
        const cur = r.kind === 'larb' && r.larb !== undefined && r.larb === data.current;
        const sel = start + i === data.cursor;
        return (
          <Text key={i} wrap="truncate" inverse={sel && focused} bold={cur} color={cur ? th.c('warn') : r.tone ? th.c(r.tone) : undefined}>
            {cur ? '>' : ' '}
            {r.text}
          </Text>
        );
      })}
    </Box>
  );
});
