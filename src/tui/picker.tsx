/**
 * The scenario picker, shown when the TUI starts without a scenario: the built-in
 * scenarios and the workspace's recent ones, with descriptions, filtered by typing.
 * Enter opens one; Esc clears the filter, then quits.
 */
import React, { memo, useEffect, useLayoutEffect, useMemo, useReducer } from 'react';
import { Box, Text, type Key } from 'ink';
import { keyNames } from './keymap/keys.ts';
import { useTheme } from './theme.tsx';
import { windowStart } from './panels/panel.ts';
import type { SessionPort } from './session-port.ts';
import { type PickerEntry, PickerState } from './picker-state.ts';

export { filterEntries, type PickerEntry } from './picker-state.ts';

/** Where the app's one key handler sends keys: the screen that is up. */
export type KeySink = (input: string, key: Key) => void;

export interface PickerSource {
  readonly entries: readonly PickerEntry[];
  open(e: PickerEntry): Promise<SessionPort>;
}

export const Picker = memo(function Picker({
  source, cols, rows, onOpen, onQuit, keys,
}: { source: PickerSource; cols: number; rows: number; onOpen: (e: PickerEntry) => Promise<unknown>; onQuit: () => void; keys: React.MutableRefObject<KeySink | null> }) {
  const th = useTheme();
  const st = useMemo(() => new PickerState(source.entries, { open: onOpen, quit: onQuit }), [source]);
  const [, redraw] = useReducer((x: number) => x + 1, 0);
  useEffect(() => st.subscribe(redraw), [st]);
  // Installed in the commit that writes the frame, so no key typed as the screen appears is lost.
  useLayoutEffect(() => {
    keys.current = (input, key) => st.keys(keyNames(input, key));
  }, [st, keys]);
  const q = st.text;
  const opening = st.opening;
  const error = st.error;
  const list = st.list();
  const cur = st.cursor(list);
  const height = Math.max(6, rows - 1);
  const listRows = height - 4;
  const start = windowStart(cur, list.length, listRows);
  const nameW = Math.min(28, Math.max(8, ...source.entries.map((e) => e.name.length)));
  return (
    <Box flexDirection="column" width={cols} height={height}>
      <Text inverse bold wrap="truncate">{' dmadbg: open a scenario'.padEnd(cols)}</Text>
      <Text wrap="truncate">
        <Text color={th.c('accent')}>filter: </Text>
        {q}
        <Text inverse> </Text>
        <Text dimColor>{`   ${list.length}/${source.entries.length}  type to filter, ↑↓ choose, Enter open, Esc quit`}</Text>
      </Text>
      <Box flexDirection="column" height={listRows}>
        {list.length === 0 && <Text dimColor>no scenario matches</Text>}
        {list.slice(start, start + listRows).map((e, i) => {
          const sel = start + i === cur;
          return (
            <Text key={`${e.source}:${e.file}`} wrap="truncate" inverse={sel}>
              {sel ? '>' : ' '} {e.name.padEnd(nameW)} <Text color={th.c('muted')}>{e.kernel.padEnd(8)}</Text>{' '}
              <Text color={e.source === 'recent' ? th.c('info') : th.c('muted')}>{e.source === 'recent' ? 'recent  ' : 'built-in'}</Text> {e.description}
            </Text>
          );
        })}
      </Box>
      <Text wrap="truncate" color={error ? th.c('bad') : undefined} dimColor={!error}>
        {error ? `cannot open: ${error}` : opening ? 'opening…' : list[cur]?.file ?? ''}
      </Text>
    </Box>
  );
});
