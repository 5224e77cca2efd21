/** Bottom row: the prompt while typing, else a message, else the hint keys from KEYMAP. */
import { KEYMAP } from '../keymap/index.ts';
import { keyLabel } from '../keymap/keys.ts';
import type { Theme } from '../theme.tsx';
import { type Prompt, type UiState, promptLabel } from '../controller.ts';
import { Line } from '../term/style.ts';

/**
 * The hint keys for the focused panel: its own first, then the global ones. A global
 * binding whose key the panel takes is shown with its next key ("z zoom" where Enter
 * opens an L2 table), or left out when the panel takes them all. A watcher of a shared SSH
 * session (`watching`) cannot move the machine: its hints leave out the keys that would
 * (step, cont, rev, break) and say how to take over instead.
 */
export function hintText(focus: string, running: boolean, watching = false): string {
  const usable = (b: { mutates?: boolean }) => !(watching && b.mutates);
  const scoped = KEYMAP.filter((b) => b.hint && b.scope === focus && usable(b));
  const taken = new Set(KEYMAP.filter((b) => b.scope === focus).flatMap((b) => b.keys));
  // Help and quit early, so a narrow terminal still shows them.
  const rank = (b: { command: string }) => (b.command === 'ui.help' || b.command === 'ui.quit' ? 0 : 1);
  // The record view is modal: only its own keys work there.
  const global = KEYMAP.filter((b) => b.hint && b.scope === 'global' && focus !== 'record' && !(running && b.exec) && usable(b))
    .map((b, i) => ({ b, i }))
    .sort((x, y) => (x.b.exec ? 0 : rank(x.b)) - (y.b.exec ? 0 : rank(y.b)) || x.i - y.i)
    .map((x) => x.b);
  const parts: string[] = scoped.map((b) => `${keyLabel(b.keys[0])} ${b.hint}`);
  for (const b of global) {
    const k = b.keys.find((key) => !taken.has(key));
    if (k !== undefined) parts.push(`${keyLabel(k)} ${b.hint}`);
  }
  return (running && !watching ? 'Esc stop  ' : '') + (watching ? ':driver take over  ' : '') + parts.join('  ');
}

/** The prompt being typed, keeping the end of a long line visible, then a cursor block. */
export function promptRow(prompt: Prompt, width: number, theme: Theme, placeholder = ''): string {
  const label = promptLabel(prompt.mode);
  const cands = prompt.candidates.length ? `   [${prompt.candidates.slice(0, 12).join(' ')}${prompt.candidates.length > 12 ? ' …' : ''}]` : '';
  const text = `${label}${prompt.text}`;
  const shown = text.length + 1 > width ? '…' + text.slice(text.length - width + 2) : text;
  return new Line(width)
    .add(shown, { fg: theme.c('accent') })
    .add(' ', { inverse: true })
    .addFit(cands || (prompt.text === '' ? placeholder : ''), { dim: true })
    .toString();
}

export function hintRow(state: UiState, running: boolean, width: number, theme: Theme, focus: string, watching = false): string {
  if (state.prompt) {
    // The filter prompt starts empty; the filter in force is shown, and Up brings it back.
    const placeholder = state.prompt.mode === 'filter' && state.filter ? `   current: ${state.filter}  (Up edits it, Enter on empty clears, Esc keeps it)` : '';
    return promptRow(state.prompt, width, theme, placeholder);
  }
  if (state.overlay === 'quit') return new Line(width).addFit('A run is going. Quit anyway? (y/n)', { fg: theme.c('warn'), bold: true }).toString();
  if (state.overlay === 'restart') return new Line(width).addFit('Run from the start (event 0) to the first breakpoint? (y/n)', { fg: theme.c('warn'), bold: true }).toString();
  if (state.pending) {
    // The second keys that complete a two-key binding ("g" of "gg": first row).
    const next = KEYMAP.filter((b) => b.keys.some((k) => k.startsWith(`${state.pending} `))).map((b) => `${keyLabel(b.keys.find((k) => k.startsWith(`${state.pending} `))!)} ${b.description.toLowerCase()}`);
    return new Line(width).addFit(`${state.pending}-  ${next.join('  ')}  (any other key: on its own)`, { dim: true }).toString();
  }
  if (state.message) return new Line(width).addFit(state.message.text, { fg: theme.c(state.message.tone), bold: state.message.tone === 'bad' }).toString();
  return new Line(width).addFit(hintText(focus, running, watching), { dim: true }).toString();
}
