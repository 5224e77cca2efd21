/** One key binding: the single table behind input, the `?` overlay, the hint bar and docs/keys.md. */
export type Scope = 'global' | 'navigation' | string; // a panel id

export interface Binding {
  /** Key names as keyNames() spells them: 's', 'ctrl+c', 'shift+tab', 'down'; two keys in a row with a space: 'g g'. */
  readonly keys: readonly string[];
  readonly scope: Scope;
  /**
   * What it does. Bindings with `exec` run that line of the session's command language
   * (so `s` and `:step` take one path); the others name a TUI action ("ui.zoom",
   * "nav.down", "timeline.filter").
   */
  readonly command: string;
  readonly exec?: string;
  readonly description: string;
  readonly tag: 'run' | 'view' | 'navigation' | 'panel';
  /** Short label for the hint bar; bindings without it are not shown there. */
  readonly hint?: string;
  /** It changes the machine: refused in a read-only (spectator) session. */
  readonly mutates?: boolean;
  /** A panel binding that deliberately takes a global key while that panel has focus. */
  readonly shadows?: boolean;
}
