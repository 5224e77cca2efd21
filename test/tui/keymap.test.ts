/**
 * Guards the one keymap table: without these, a key could silently do two things, a key
 * could run a command the debugger no longer has, or docs/keys.md could drift from the
 * keys the TUI really has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYMAP, lookup } from '../../src/tui/keymap/index.ts';
import { keysMarkdown } from '../../src/tui/keymap/doc.ts';
import { helpLines } from '../../src/tui/components/help.tsx';
import { keyLabel } from '../../src/tui/keymap/keys.ts';
import { Session } from '../../src/debugger/session.ts';
import { ROOT } from '../helpers/scenario.ts';

describe('keymap', () => {
  it('binds no key twice in one scope', () => {
    const seen = new Map<string, string>();
    for (const b of KEYMAP) {
      for (const k of b.keys) {
        const id = `${b.scope}:${k}`;
        expect(seen.get(id), `${id} bound to ${seen.get(id)} and ${b.command}`).toBeUndefined();
        seen.set(id, b.command);
      }
    }
  });

  it('lets a panel take a global or movement key only when the binding says so', () => {
    const shared = new Set(KEYMAP.filter((b) => b.scope === 'global' || b.scope === 'navigation').flatMap((b) => b.keys));
    for (const b of KEYMAP.filter((x) => x.scope !== 'global' && x.scope !== 'navigation')) {
      for (const k of b.keys) if (shared.has(k)) expect(b.shadows, `${b.scope} ${k} shadows a global key`).toBe(true);
    }
    const nav = KEYMAP.filter((b) => b.scope === 'navigation').flatMap((b) => b.keys);
    for (const k of nav) expect(KEYMAP.some((b) => b.scope === 'global' && b.keys.includes(k)), `movement key ${k} is global`).toBe(false);
  });

  it('runs only commands the debugger has', () => {
    const names = new Set(Session.commands().flatMap((c) => [c.name, ...c.aliases]));
    for (const b of KEYMAP.filter((x) => x.exec)) expect(names.has(b.exec!.split(' ')[0]), b.exec).toBe(true);
    // The TUI also types these into the session for `b`, `g` and the breakpoints panel.
    for (const c of ['break', 'goto', 'delete', 'enable', 'disable']) expect(names.has(c), c).toBe(true);
  });

  it('gives each letter one direction everywhere: a key and the command of the same letter agree', () => {
    // Direction of what a command or a key does: forward, backward, or none (not a motion).
    const BACK = new Set(['reverse-step', 'reverse-stepi', 'reverse-continue', 'ui.search-prev']);
    const FWD = new Set(['step', 'stepi', 'continue', 'run', 'until', 'ui.run', 'ui.search-next']);
    const dir = (what: string) => (BACK.has(what) ? 'back' : FWD.has(what) ? 'forward' : 'none');
    const byWord = new Map<string, string>();
    for (const c of Session.commands()) for (const w of [c.name, ...c.aliases]) byWord.set(w, c.name);
    for (const b of KEYMAP.filter((x) => x.scope === 'global')) {
      for (const k of b.keys.filter((x) => /^[a-zA-Z]$/.test(x))) {
        const cmd = byWord.get(k);
        const keyDir = dir(b.exec ? b.exec.split(' ')[0] : b.command);
        // (`:i` is info, as in gdb, where the key i is stepi: no motion, no conflict.)
        if (cmd && keyDir !== 'none' && dir(cmd) !== 'none') expect(dir(cmd), `key ${k} goes ${keyDir}, :${k} is ${cmd}`).toBe(keyDir);
      }
    }
    // gdb's habits: r runs from the start, s steps, c continues; upper case goes back.
    expect(lookup('r', 'timeline')?.command).toBe('ui.run');
    expect(byWord.get('r')).toBe('run');
    expect(lookup('S', 'timeline')?.exec).toBe('reverse-step');
    expect(lookup('C', 'timeline')?.exec).toBe('reverse-continue');
    expect(lookup('I', 'timeline')?.exec).toBe('reverse-stepi');
    expect(lookup('i', 'timeline')?.exec).toBe('stepi');
  });

  it('looks in the focused panel first, then global, then movement', () => {
    expect(lookup('enter', 'pgtable')?.command).toBe('pgtable.open');
    expect(lookup('enter', 'timeline')?.command).toBe('timeline.record');
    expect(lookup('enter', 'devices')?.command).toBe('ui.zoom');
    expect(lookup('g g', 'timeline')?.command).toBe('nav.top');
    expect(lookup('G', 'larb')?.command).toBe('nav.bottom');
    expect(lookup('j', 'timeline')?.command).toBe('nav.down');
    expect(lookup('s', 'larb')?.exec).toBe('step');
  });

  it('shows every binding in the ? overlay', () => {
    const text = helpLines(false).map((l) => l.text).join('\n');
    for (const b of KEYMAP) expect(text).toContain(b.description);
    for (const b of KEYMAP) expect(text).toContain(b.keys.length > 4 ? `${b.keys[0]}..` : b.keys.map(keyLabel).join(' '));
  });

  it('docs/keys.md is generated from the table and current (npx tsx src/tui/keymap/gen-doc.ts)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'keys.md'), 'utf8')).toBe(keysMarkdown());
  });
});
