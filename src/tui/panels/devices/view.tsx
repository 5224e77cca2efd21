import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { type PanelProps, windowStart } from '../panel.ts';
import { useTheme } from '../../theme.tsx';
import type { DevicesData } from './index.ts';
import { deviceRows } from './rows.ts';

export const DevicesView = memo(function DevicesView({ data, focused, width, height }: PanelProps<DevicesData>) {
  const th = useTheme();
  const rows = deviceRows(data.devices, data.devices.length < height);
  const curRow = rows.findIndex((r) => r.dev === data.cursor && !r.sub);
  const start = windowStart(Math.max(0, curRow), rows.length, height);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {rows.slice(start, start + height).map((r, i) => {
        const sel = focused && r.dev === data.cursor && !r.sub;
        const done = data.devices[r.dev].status === 'done';
        return (
          <Text key={i} wrap="truncate" inverse={sel} color={r.sub || done ? th.c('muted') : undefined}>
            {r.text}
          </Text>
        );
      })}
    </Box>
  );
});
