/**
 * Key names: the one spelling of keys the keymap, the help overlay and docs/keys.md use.
 * Ink hands useInput several keys as one string when they arrive together ("ss"), so
 * keyNames() splits printable input into one name per character.
 */
import type { Key } from 'ink';

export function keyNames(input: string, key: Key): string[] {
  if (key.upArrow) return ['up'];
  if (key.downArrow) return ['down'];
  if (key.leftArrow) return ['left'];
  if (key.rightArrow) return ['right'];
  if (key.pageUp) return ['pageup'];
  if (key.pageDown) return ['pagedown'];
  if (key.home) return ['home'];
  if (key.end) return ['end'];
  if (key.tab) return [key.shift ? 'shift+tab' : 'tab'];
  if (key.return) return ['enter'];
  if (key.escape) return ['esc'];
  if (key.backspace || key.delete) return ['backspace'];
  if (key.ctrl && input.length === 1) return [`ctrl+${input.toLowerCase()}`];
  if (key.meta && input.length === 1) return [`alt+${input}`];
  const out: string[] = [];
  for (const ch of input) {
    if (ch === '\r' || ch === '\n') out.push('enter');
    else if (ch === '\t') out.push('tab');
    else if (ch === ' ') out.push('space');
    else if (ch === '\x7f' || ch === '\b') out.push('backspace');
    else if (ch === '\x03') out.push('ctrl+c');
    else if (ch >= ' ') out.push(ch);
  }
  return out;
}

const LABELS: Record<string, string> = {
  up: '↑', down: '↓', left: '←', right: '→', enter: 'Enter', esc: 'Esc', tab: 'Tab',
  'shift+tab': 'Shift-Tab', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End',
  space: 'Space', backspace: 'Backspace',
};

/** How a key is written for people: "Ctrl-C", "Shift-Tab", "↑", "gg" (two keys). */
export function keyLabel(k: string): string {
  if (k.includes(' ') && k !== ' ') return k.split(' ').map(keyLabel).join('');
  if (LABELS[k]) return LABELS[k];
  if (k.startsWith('ctrl+')) return `Ctrl-${k.slice(5).toUpperCase()}`;
  if (k.startsWith('alt+')) return `Alt-${k.slice(4)}`;
  return k;
}

/** Plain-ASCII label for docs/keys.md. */
export function keyDocLabel(k: string): string {
  if (k.includes(' ') && k !== ' ') return k.split(' ').map(keyDocLabel).join('');
  const ascii: Record<string, string> = { up: 'Up', down: 'Down', left: 'Left', right: 'Right' };
  return ascii[k] ?? keyLabel(k);
}
