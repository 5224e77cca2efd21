import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { PanelProps } from '../panel.ts';
import { kindTone, useTheme } from '../../theme.tsx';
import type { TimelineData } from './index.ts';
import { matches, recordCells, timelineCols } from './rows.ts';

export const TimelineView = memo(function TimelineView({ data, focused, width, height }: PanelProps<TimelineData>) {
  const th = useTheme();
  const cols = timelineCols(width);
  if (data.total === 0) {
    return (
      <Box height={height} width={width}>
        <Text dimColor>{data.filter ? `no record matches "${data.filter}"` : 'no records yet: press s to step'}</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Box flexDirection="column" height={height - data.detailRows} width={width}>
      {data.rows.map(({ pos, rec }) => {
        const [seq, time, kind, fields] = recordCells(rec, cols);
        const sel = pos === data.cursor;
        const fresh = rec.seq >= data.lastStepFrom;
        const hit = data.search !== null && data.search !== '' && matches(rec, data.search);
        const mark = sel ? '>' : fresh ? '+' : ' ';
        return (
          <Text key={rec.seq} wrap="truncate" inverse={sel && focused} bold={fresh} underline={sel && !focused}>
            {mark}
            <Text color={th.c('muted')}>{seq}</Text> <Text color={th.c('muted')}>{time}</Text>{' '}
            <Text color={th.c(kindTone(rec.kind) ?? 'accent')}>{kind}</Text>{' '}
            <Text color={hit ? th.c('warn') : undefined} inverse={hit && !th.color}>{fields}</Text>
          </Text>
        );
      })}
      </Box>
      {data.detailRows > 0 && (
        <Box height={data.detailRows} width={width}>
          <Text wrap="wrap" color={th.c('info')}>
            {data.detail.length > width * data.detailRows ? data.detail.slice(0, width * data.detailRows - 1) + '…' : data.detail}
          </Text>
        </Box>
      )}
    </Box>
  );
});
