/** The one keymap: global bindings, movement, each panel's own (in PANELS order), the record view's. */
import { PANELS } from '../panels/index.ts';
import type { Binding } from './binding.ts';
import { GLOBAL_BINDINGS, RECORD_BINDINGS } from './global.ts';

export type { Binding } from './binding.ts';

export const KEYMAP: readonly Binding[] = [...GLOBAL_BINDINGS, ...PANELS.flatMap((p) => p.keys ?? []), ...RECORD_BINDINGS];

/** The binding for `key` with `focus` focused: the panel's own, then global, then movement. */
export function lookup(key: string, focus: string): Binding | undefined {
  return (
    KEYMAP.find((b) => b.scope === focus && b.keys.includes(key)) ??
    KEYMAP.find((b) => b.scope === 'global' && b.keys.includes(key)) ??
    KEYMAP.find((b) => b.scope === 'navigation' && b.keys.includes(key))
  );
}

/** Whether `key` starts a two-key binding ("g" of "g g") in the scopes `focus` sees. */
export function isPrefix(key: string, focus: string): boolean {
  return KEYMAP.some((b) => (b.scope === focus || b.scope === 'global' || b.scope === 'navigation') && b.keys.some((k) => k.startsWith(`${key} `)));
}
