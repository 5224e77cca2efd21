/** The `?` overlay: every binding from KEYMAP, by section; read-only ones dimmed with why. */
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { KEYMAP } from '../keymap/index.ts';
import { keyLabel } from '../keymap/keys.ts';
import { PANELS } from '../panels/index.ts';
import type { Binding } from '../keymap/binding.ts';

export interface HelpLine {
  readonly text: string;
  readonly head: boolean;
  readonly disabled: boolean;
}

export function helpLines(readOnly: boolean): HelpLine[] {
  const out: HelpLine[] = [];
  const section = (title: string, bs: readonly Binding[]) => {
    if (!bs.length) return;
    out.push({ text: title, head: true, disabled: false });
    for (const b of bs) {
      const keys = b.keys.length > 4 && b.keys.every((k) => /^\d$/.test(k)) ? `${b.keys[0]}..${b.keys[b.keys.length - 1]}` : b.keys.map(keyLabel).join(' ');
      const ro = readOnly && b.mutates;
      out.push({ text: `  ${keys.padEnd(20)} ${b.description}${ro ? '  (read-only session)' : ''}`, head: false, disabled: !!ro });
    }
  };
  section('Run', KEYMAP.filter((b) => b.scope === 'global' && b.tag === 'run'));
  section('View', KEYMAP.filter((b) => b.scope === 'global' && b.tag === 'view'));
  section('Move (inside the focused panel)', KEYMAP.filter((b) => b.scope === 'navigation'));
  for (const p of PANELS) section(`${p.title} panel`, KEYMAP.filter((b) => b.scope === p.id));
  section('Command line and search prompts', [
    { keys: ['enter'], scope: 'prompt', command: '', description: 'Run / search / apply; empty: repeat the last command', tag: 'view' },
    { keys: ['tab'], scope: 'prompt', command: '', description: 'Complete the command or argument', tag: 'view' },
    { keys: ['up', 'down'], scope: 'prompt', command: '', description: 'History', tag: 'view' },
    { keys: ['ctrl+u', 'ctrl+w'], scope: 'prompt', command: '', description: 'Clear the line / delete a word', tag: 'view' },
    { keys: ['esc'], scope: 'prompt', command: '', description: 'Cancel', tag: 'view' },
  ]);
  return out;
}

export const Help = memo(function Help({ width, height, top, readOnly }: { width: number; height: number; top: number; readOnly: boolean }) {
  const lines = helpLines(readOnly);
  const body = height - 1;
  const start = Math.max(0, Math.min(top, lines.length - body));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text inverse bold wrap="truncate">
        {` Help: every key  (${start + 1}-${Math.min(lines.length, start + body)} of ${lines.length}, j/k scroll, Esc or ? closes)`.padEnd(width)}
      </Text>
      {lines.slice(start, start + body).map((l, i) => (
        <Text key={i} wrap="truncate" bold={l.head} dimColor={l.disabled}>
          {l.text}
        </Text>
      ))}
    </Box>
  );
});
