import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { type PanelProps, windowStart } from '../panel.ts';
import { useTheme } from '../../theme.tsx';
import type { BreakpointsData } from './index.ts';
import { breakpointLine } from './rows.ts';

export const BreakpointsView = memo(function BreakpointsView({ data, focused, width, height }: PanelProps<BreakpointsData>) {
  const th = useTheme();
  if (data.list.length === 0) {
    return (
      <Box height={height} width={width}>
        <Text dimColor wrap="truncate">none: b breaks on the selected kind, or :break KIND [where FIELD=VALUE]</Text>
      </Box>
    );
  }
  const start = windowStart(data.cursor, data.list.length, height);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {data.list.slice(start, start + height).map((b, i) => (
        <Text
          key={b.id}
          wrap="truncate"
          inverse={focused && start + i === data.cursor}
          bold={b.id === data.hit}
          color={b.id === data.hit ? th.c('bad') : b.enabled ? undefined : th.c('muted')}
        >
          {breakpointLine(b)}
        </Text>
      ))}
    </Box>
  );
});
