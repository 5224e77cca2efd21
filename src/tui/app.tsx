import React, { useReducer } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { Built } from '../scenario/build/index.ts';
import { traceLine } from '../sim/core/trace.ts';
import { formatRecordRow } from '../cli/format.ts';

/** Minimal shell: scenario, current event, the last trace lines; s steps, q quits. */
export function App({ built }: { built: Built }) {
  const m = built.machine;
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [, tick] = useReducer((x: number) => x + 1, 0);
  const [ended, setEnded] = React.useState(false);
  useInput((input) => {
    for (const ch of input) {
      if (ch === 'q') exit();
      if (ch === 's' && !ended) {
        if (!m.step()) setEnded(true);
      }
    }
    tick();
  });
  const rows = (stdout.rows || 24) - 4;
  const n = m.trace.count;
  const lines: string[] = [];
  for (let i = Math.max(0, n - rows); i < n; i++) lines.push(formatRecordRow(JSON.parse(traceLine(m.trace, i))));
  return (
    <Box flexDirection="column" height={(stdout.rows || 24) - 1}>
      <Text inverse>
        {` ${built.scenario.name}  seed=${m.config.seed}  kernel=${m.config.kernel}  event ${m.state.events}  t=${m.state.now}ns  ${ended ? 'ended' : 'stopped'} `}
      </Text>
      <Box flexDirection="column" flexGrow={1}>
        {lines.map((l, i) => (
          <Text key={i} wrap="truncate">{l}</Text>
        ))}
      </Box>
      <Text dimColor>s step  q quit</Text>
    </Box>
  );
}
