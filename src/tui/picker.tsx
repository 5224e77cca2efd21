/**
 * The scenario picker, shown when the TUI starts without a scenario: the built-in
 * scenarios and the workspace's recent ones, with descriptions, filtered by typing.
 * Enter opens one; Esc clears the filter, then quits.
 */
import React, { memo, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { keyNames } from './keymap/keys.ts';
import { useTheme } from './theme.tsx';
import { windowStart } from './panels/panel.ts';
import type { SessionPort } from './session-port.ts';

export interface PickerEntry {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly kernel: string;
  readonly source: 'recent' | 'built-in';
}

export interface PickerSource {
  readonly entries: readonly PickerEntry[];
  open(e: PickerEntry): Promise<SessionPort>;
}

export function filterEntries(entries: readonly PickerEntry[], q: string): PickerEntry[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    const hay = `${e.name} ${e.description} ${e.kernel} ${e.source}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export const Picker = memo(function Picker({
  source, cols, rows, error, onOpen, onQuit,
}: { source: PickerSource; cols: number; rows: number; error?: string; onOpen: (e: PickerEntry) => void; onQuit: () => void }) {
  const th = useTheme();
  const [q, setQ] = useState('');
  const [cursor, setCursor] = useState(0);
  const [opening, setOpening] = useState(false);
  const list = filterEntries(source.entries, q);
  const cur = Math.min(cursor, Math.max(0, list.length - 1));
  useInput((input, key) => {
    if (opening) return;
    let text = q;
    let c = cur;
    for (const k of keyNames(input, key)) {
      if (k === 'enter') {
        if (list[c]) {
          setOpening(true);
          onOpen(list[c]);
        }
        return;
      }
      if (k === 'esc' || k === 'ctrl+c') {
        if (text) text = '';
        else return onQuit();
      } else if (k === 'up' || k === 'ctrl+p') c = Math.max(0, c - 1);
      else if (k === 'down' || k === 'ctrl+n' || k === 'tab') c = c + 1;
      else if (k === 'backspace') text = text.slice(0, -1);
      else if (k === 'space') text += ' ';
      else if ([...k].length === 1) {
        text += k;
        c = 0;
      }
    }
    setQ(text);
    setCursor(Math.max(0, c));
  });
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
