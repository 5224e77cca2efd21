/**
 * The scenario picker, shown when the TUI starts without a scenario: the built-in
 * scenarios and the workspace's recent ones, with descriptions, filtered by typing.
 * Enter opens one; Esc clears the filter, then quits.
 */
import React, { memo, useLayoutEffect, useRef, useState } from 'react';
import { Box, Text, type Key } from 'ink';
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

/** Where the app's one key handler sends keys: the screen that is up. */
export type KeySink = (input: string, key: Key) => void;

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
  source, cols, rows, error, onOpen, onQuit, keys,
}: { source: PickerSource; cols: number; rows: number; error?: string; onOpen: (e: PickerEntry) => void; onQuit: () => void; keys: React.MutableRefObject<KeySink | null> }) {
  const th = useTheme();
  const [q, setQ] = useState('');
  const [cursor, setCursor] = useState(0);
  const [opening, setOpening] = useState(false);
  const list = filterEntries(source.entries, q);
  const cur = Math.min(cursor, Math.max(0, list.length - 1));
  // Keys act on the latest filter, not the one of the render that installed the handler
  // (typing "demo" and Enter in one read opened the first unfiltered scenario).
  const live = useRef({ q, cursor, opening });
  const onKey: KeySink = (input, key) => {
    if (live.current.opening) return;
    let text = live.current.q;
    let c = live.current.cursor;
    for (const k of keyNames(input, key)) {
      if (k === 'enter') {
        const l = filterEntries(source.entries, text);
        const e = l[Math.min(c, Math.max(0, l.length - 1))];
        if (e) {
          live.current.opening = true;
          setOpening(true);
          onOpen(e);
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
    live.current = { q: text, cursor: Math.max(0, c), opening: false };
    setQ(text);
    setCursor(Math.max(0, c));
  };
  useLayoutEffect(() => {
    keys.current = onKey;
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
              {sel ? '>' : ' '} {e.name.padEnd(nameW)} <Text color={th.c('muted')}>{e.kernel.padEnd(5)}</Text>{' '}
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
