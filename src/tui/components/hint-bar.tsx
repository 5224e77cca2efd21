/** Bottom row: the prompt while typing, else a message, else the hint keys from KEYMAP. */
import React, { memo } from 'react';
import { Text } from 'ink';
import { KEYMAP } from '../keymap/index.ts';
import { keyLabel } from '../keymap/keys.ts';
import { useTheme } from '../theme.tsx';
import { type Prompt, type UiState, promptLabel } from '../controller.ts';

/**
 * The hint keys for the focused panel. A watcher of a shared SSH session (`watching`)
 * cannot move the machine: its hints leave out the keys that would (step, cont, rev,
 * break) and say how to take over instead.
 */
export function hintText(focus: string, running: boolean, watching = false): string {
  const usable = (b: { mutates?: boolean }) => !(watching && b.mutates);
  const scoped = KEYMAP.filter((b) => b.hint && b.scope === focus && usable(b));
  // Help and quit early, so a narrow terminal still shows them.
  const rank = (b: { command: string }) => (b.command === 'ui.help' || b.command === 'ui.quit' ? 0 : 1);
  const global = KEYMAP.filter((b) => b.hint && b.scope === 'global' && !(running && b.exec) && usable(b))
    .map((b, i) => ({ b, i }))
    .sort((x, y) => (x.b.exec ? 0 : rank(x.b)) - (y.b.exec ? 0 : rank(y.b)) || x.i - y.i)
    .map((x) => x.b);
  const parts = [...scoped, ...global].map((b) => `${keyLabel(b.keys[0])} ${b.hint}`);
  return (running && !watching ? 'Esc stop  ' : '') + (watching ? ':driver take over  ' : '') + parts.join('  ');
}

export const PromptLine = memo(function PromptLine({ prompt, width }: { prompt: Prompt; width: number }) {
  const th = useTheme();
  const label = promptLabel(prompt.mode);
  const cands = prompt.candidates.length ? `   [${prompt.candidates.slice(0, 12).join(' ')}${prompt.candidates.length > 12 ? ' …' : ''}]` : '';
  const text = `${label}${prompt.text}`;
  // Keep the end of a long line visible.
  const shown = text.length + 1 > width ? '…' + text.slice(text.length - width + 2) : text;
  return (
    <Text wrap="truncate">
      <Text color={th.c('accent')}>{shown}</Text>
      <Text inverse> </Text>
      <Text dimColor>{cands}</Text>
    </Text>
  );
});

export const HintBar = memo(function HintBar({ state, running, width, watching = false }: { state: UiState; running: boolean; width: number; watching?: boolean }) {
  const th = useTheme();
  if (state.prompt) return <PromptLine prompt={state.prompt} width={width} />;
  if (state.overlay === 'quit') return <Text color={th.c('warn')} bold>A run is going. Quit anyway? (y/n)</Text>;
  if (state.message) return <Text wrap="truncate" color={th.c(state.message.tone)} bold={state.message.tone === 'bad'}>{state.message.text}</Text>;
  return (
    <Text wrap="truncate" dimColor>
      {hintText(state.focus, running, watching)}
    </Text>
  );
});
