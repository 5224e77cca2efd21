/** docs/keys.md, generated from KEYMAP (test/tui/keymap.test.ts checks the file is current). */
import { KEYMAP } from './index.ts';
import { keyDocLabel } from './keys.ts';
import { PANELS } from '../panels/index.ts';
import type { Binding } from './binding.ts';

export const KEYS_DOC_HEADER = "<!-- Generated from src/tui/keymap by `npx tsx src/tui/keymap/gen-doc.ts`; do not edit by hand. -->";

function table(bs: readonly Binding[]): string[] {
  const rows = ['| Keys | What it does |', '| --- | --- |'];
  for (const b of bs) {
    const keys = b.keys.map((k) => `\`${keyDocLabel(k).replace('|', '\\|')}\``).join(' ');
    const via = b.exec ? ` (runs \`${b.exec}\`)` : '';
    const note = b.shadows && b.scope !== 'record' ? ' (takes the global key while this panel has focus)' : '';
    rows.push(`| ${keys} | ${b.description}${via}${note} |`);
  }
  return rows;
}

export function keysMarkdown(): string {
  const out: string[] = [
    KEYS_DOC_HEADER,
    '',
    '# dmadbg TUI keys',
    '',
    'Every key comes from one table (src/tui/keymap); the `?` overlay and the hint bar read the same',
    'table. Keys that run the machine go through the session\'s command language, so `s` and `:step`',
    'are the same command. A read-only (spectator) session refuses the keys that change the machine.',
    '',
    'Each letter means one direction everywhere: lower case goes forward and upper case back',
    '(`s`/`S` by event, `i`/`I` by record, `c`/`C` to a breakpoint, `n`/`N` to a search match),',
    'and a key agrees with the command of its letter (`r` and `:r` both run from the start, as',
    'gdb\'s `run` does).',
    '',
  ];
  const section = (title: string, bs: readonly Binding[]) => {
    if (!bs.length) return;
    out.push(`## ${title}`, '', ...table(bs), '');
  };
  section('Run', KEYMAP.filter((b) => b.scope === 'global' && b.tag === 'run'));
  section('View', KEYMAP.filter((b) => b.scope === 'global' && b.tag === 'view'));
  section('Move inside the focused panel', KEYMAP.filter((b) => b.scope === 'navigation'));
  for (const p of PANELS) {
    section(`${p.title} panel`, KEYMAP.filter((b) => b.scope === p.id));
    if (p.legend?.length) {
      if (!KEYMAP.some((b) => b.scope === p.id)) out.push(`## ${p.title} panel`, '');
      out.push('Marks:', '', ...p.legend.map(([mark, meaning]) => `- ${mark ? `\`${mark}\` ` : ''}${meaning}`), '');
    }
  }
  section('Record view (Enter on a timeline record)', KEYMAP.filter((b) => b.scope === 'record'));
  out.push(
    '## The `:` command line and the `/` search prompt',
    '',
    '| Keys | What it does |',
    '| --- | --- |',
    '| `Enter` | Run the command / search / apply the filter; on an empty command line, repeat the last command (as gdb does) |',
    '| `Tab` | Complete the command name or argument (from the debugger\'s command table) |',
    '| `Up` `Down` | Command history; in the filter prompt, Up brings back the filter in force |',
    '| `Ctrl-U` `Ctrl-W` | Clear the line / delete the last word |',
    '| `Esc` `Ctrl-C` | Cancel |',
    '',
  );
  return out.join('\n');
}
