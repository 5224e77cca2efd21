import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { PanelProps } from '../panel.ts';
import { kindTone, useTheme } from '../../theme.tsx';
import type { TimelineData } from './index.ts';
import { matches, recordCells, timelineCols } from './rows.ts';

/** Hard-wrap `s` into `rows` lines of `width` (the last one cut with …), without Ink's wrap cache. */
function detailLines(s: string, width: number, rows: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows && i * width < s.length; i++) {
    const last = i === rows - 1 && s.length > (i + 1) * width;
    out.push(last ? s.slice(i * width, (i + 1) * width - 1) + '…' : s.slice(i * width, (i + 1) * width));
  }
  return out;
}

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
        // Cut to the width here: Ink caches every string it has to truncate, forever, and
        // the timeline shows an unbounded number of distinct rows.
        const room = Math.max(0, width - (1 + seq.length + 1 + time.length + 1 + kind.length + 1));
        const shown = fields.length > room ? fields.slice(0, Math.max(0, room - 1)) + '…' : fields;
        return (
          <Text key={rec.seq} wrap="truncate" inverse={sel && focused} bold={fresh} underline={sel && !focused}>
            {mark}
            <Text color={th.c('muted')}>{seq}</Text> <Text color={th.c('muted')}>{time}</Text>{' '}
            <Text color={th.c(kindTone(rec.kind) ?? 'accent')}>{kind}</Text>{' '}
            <Text color={hit ? th.c('warn') : undefined} inverse={hit && !th.color}>{shown}</Text>
          </Text>
        );
      })}
      </Box>
      {data.detailRows > 0 && (
        <Box flexDirection="column" height={data.detailRows} width={width}>
          {detailLines(data.detail, width, data.detailRows).map((l, i) => (
            <Text key={i} color={th.c('info')}>
              {l}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
});
