/** The `?` overlay: every binding from KEYMAP, by section, and what each panel's marks mean. */
import { KEYMAP } from '../keymap/index.ts';
import { keyLabel } from '../keymap/keys.ts';
import { PANELS } from '../panels/index.ts';
import type { Binding } from '../keymap/binding.ts';
import { Line, plainRow } from '../term/style.ts';

export interface HelpLine {
  readonly text: string;
  readonly head: boolean;
  readonly disabled: boolean;
}

/** Keys as people write them: "gg", "1..9", "↑ k". */
export function keysLabel(b: Binding): string {
  return b.keys.length > 4 && b.keys.every((k) => /^\d$/.test(k)) ? `${b.keys[0]}..${b.keys[b.keys.length - 1]}` : b.keys.map(keyLabel).join(' ');
}

export function helpLines(readOnly: boolean): HelpLine[] {
  const out: HelpLine[] = [];
  const section = (title: string, bs: readonly Binding[], legend: readonly (readonly [string, string])[] = []) => {
    if (!bs.length && !legend.length) return;
    out.push({ text: title, head: true, disabled: false });
    for (const b of bs) {
      const ro = readOnly && b.mutates;
      out.push({ text: `  ${keysLabel(b).padEnd(20)} ${b.description}${ro ? '  (read-only session)' : ''}`, head: false, disabled: !!ro });
    }
    for (const [mark, meaning] of legend) out.push({ text: `  ${mark.padEnd(20)} ${meaning}`, head: false, disabled: false });
  };
  section('Run', KEYMAP.filter((b) => b.scope === 'global' && b.tag === 'run'));
  section('View', KEYMAP.filter((b) => b.scope === 'global' && b.tag === 'view'));
  section('Move (inside the focused panel)', KEYMAP.filter((b) => b.scope === 'navigation'));
  for (const p of PANELS) section(`${p.title} panel`, KEYMAP.filter((b) => b.scope === p.id), p.legend);
  section('Record view (Enter on a timeline record)', KEYMAP.filter((b) => b.scope === 'record'));
  section('Command line and search prompts', [
    { keys: ['enter'], scope: 'prompt', command: '', description: 'Run / search / apply; empty: repeat the last command', tag: 'view' },
    { keys: ['tab'], scope: 'prompt', command: '', description: 'Complete the command or argument', tag: 'view' },
    { keys: ['up', 'down'], scope: 'prompt', command: '', description: 'History (the filter prompt: the current filter)', tag: 'view' },
    { keys: ['ctrl+u', 'ctrl+w'], scope: 'prompt', command: '', description: 'Clear the line / delete a word', tag: 'view' },
    { keys: ['esc'], scope: 'prompt', command: '', description: 'Cancel', tag: 'view' },
  ]);
  return out;
}

/** The overlay as rows: a title, then the lines from `top` (wider lines end with `…`: widen or zoom). */
export function helpRows(width: number, height: number, top: number, readOnly: boolean): string[] {
  const lines = helpLines(readOnly);
  const body = height - 1;
  const start = Math.max(0, Math.min(top, lines.length - body));
  return [
    plainRow(` Help: every key  (${start + 1}-${Math.min(lines.length, start + body)} of ${lines.length}, j/k scroll, Esc or ? closes)`, width, { inverse: true, bold: true }),
    ...lines.slice(start, start + body).map((l) => new Line(width).addFit(l.text, { bold: l.head, dim: l.disabled }).toString()),
  ];
}

export function helpLineCount(readOnly: boolean): number {
  return helpLines(readOnly).length;
}
