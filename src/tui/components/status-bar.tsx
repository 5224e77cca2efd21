/** Top row: scenario, seed, kernel, event number, virtual time, stop reason, run state. */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { useTheme } from '../theme.tsx';
import type { TuiView } from '../session-port.ts';

function rate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

export function stopText(v: TuiView): string {
  const s = v.lastStop;
  if (v.state === 'running') return 'running';
  const id = s.id !== undefined ? ` ${s.id}` : '';
  return `${v.state === 'ended' ? 'ended' : 'stopped'}: ${s.reason}${id}`;
}

export const StatusBar = memo(function StatusBar({ view, width, role }: { view: TuiView; width: number; role?: string }) {
  const th = useTheme();
  const running = view.state === 'running';
  const left = ` ${view.scenario.name}  seed ${view.seed}  ${view.kernel}  event ${view.events}  t ${view.tText} `;
  const prog = running && view.progress ? ` ${rate(view.progress.events)} ev  ${rate(view.progress.eventsPerSec)} ev/s  Esc stops ` : '';
  const state = ` ${stopText(view)} `;
  const tag = role ? ` [${role}] ` : '';
  const pad = Math.max(0, width - left.length - prog.length - state.length - tag.length);
  const tone = running ? 'warn' : view.lastStop.reason === 'breakpoint' || view.lastStop.reason === 'error' ? 'bad' : view.state === 'ended' ? 'muted' : 'good';
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate" inverse>
        {left}
        {' '.repeat(pad)}
        {prog}
        {tag}
        <Text color={th.c(tone)} bold>
          {state}
        </Text>
      </Text>
    </Box>
  );
});
