/** The one keymap: global bindings, movement, then each panel's own, in PANELS order. */
import { PANELS } from '../panels/index.ts';
import type { Binding } from './binding.ts';
import { GLOBAL_BINDINGS } from './global.ts';

export type { Binding } from './binding.ts';

export const KEYMAP: readonly Binding[] = [...GLOBAL_BINDINGS, ...PANELS.flatMap((p) => p.keys ?? [])];

/** The binding for `key` with `focus` focused: the panel's own, then global, then movement. */
export function lookup(key: string, focus: string): Binding | undefined {
  return (
    KEYMAP.find((b) => b.scope === focus && b.keys.includes(key)) ??
    KEYMAP.find((b) => b.scope === 'global' && b.keys.includes(key)) ??
    KEYMAP.find((b) => b.scope === 'navigation' && b.keys.includes(key))
  );
}
