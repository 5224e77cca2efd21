/** A plain scrolling list for panels whose rows are text with a heading/alert flag. */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { type PanelProps, windowStart } from './panel.ts';
import { useTheme } from '../theme.tsx';

export interface ListData {
  readonly rows: readonly { readonly text: string; readonly head: boolean; readonly stale: boolean }[];
  readonly cursor: number;
}

export const ListView = memo(function ListView({ data, focused, width, height }: PanelProps<ListData>) {
  const th = useTheme();
  const start = windowStart(data.cursor, data.rows.length, height);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {data.rows.slice(start, start + height).map((r, i) => (
        <Text key={i} wrap="truncate" inverse={focused && start + i === data.cursor} bold={r.head} color={r.stale ? th.c('bad') : undefined}>
          {r.text}
        </Text>
      ))}
    </Box>
  );
});
