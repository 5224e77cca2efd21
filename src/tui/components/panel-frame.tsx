/** A panel's title row (inverse when focused) above its body; collapsed panels are the title only. */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { useTheme } from '../theme.tsx';

export const PanelTitle = memo(function PanelTitle({
  n, title, summary, focused, width, collapsed,
}: { n: number; title: string; summary: string; focused: boolean; width: number; collapsed: boolean }) {
  const th = useTheme();
  const head = `${collapsed ? '▸' : '▾'} ${n} ${title}`;
  const rest = summary ? `  ${summary}` : '';
  const fill = Math.max(0, width - head.length - rest.length);
  return (
    <Text wrap="truncate" inverse={focused} bold={focused} color={focused ? undefined : th.c('accent')}>
      {head}
      <Text dimColor={!focused}>{rest}</Text>
      {focused ? ' '.repeat(fill) : <Text dimColor>{' ' + '─'.repeat(Math.max(0, fill - 1))}</Text>}
    </Text>
  );
});

export function Frame({ children, width, height }: { children: React.ReactNode; width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      {children}
    </Box>
  );
}
