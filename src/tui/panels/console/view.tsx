import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { PanelProps } from '../panel.ts';
import { useTheme } from '../../theme.tsx';
import type { ConsoleData } from './index.ts';

export const ConsoleView = memo(function ConsoleView({ data, width, height }: PanelProps<ConsoleData>) {
  const th = useTheme();
  const end = data.lines.length - data.back;
  const shown = data.lines.slice(Math.max(0, end - height), end);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate" color={l.startsWith('error:') ? th.c('bad') : l.startsWith(':') ? th.c('accent') : undefined}>
          {l.length > width ? l.slice(0, Math.max(0, width - 1)) + '…' : l}
        </Text>
      ))}
    </Box>
  );
});
