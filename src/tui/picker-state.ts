/**
 * The scenario picker's state, outside React like the debugger's Controller: keys are
 * handled one after another against the current filter text, so `demo⏎` arriving in one
 * read (a paste, keys coalesced over SSH) opens what the filter `demo` selects, not what
 * the previous render's list had under the cursor.
 */
export interface PickerEntry {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly kernel: string;
  readonly source: 'recent' | 'built-in';
}

export function filterEntries(entries: readonly PickerEntry[], q: string): PickerEntry[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    const hay = `${e.name} ${e.description} ${e.kernel} ${e.source}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export interface PickerCallbacks {
  /** Opens the entry; a rejection is shown in the picker and gives the keys back. */
  readonly open: (e: PickerEntry) => Promise<unknown> | void;
  readonly quit: () => void;
}

export class PickerState {
  text = '';
  private cur = 0;
  opening = false;
  /** Why the last open failed. */
  error: string | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly entries: readonly PickerEntry[],
    private readonly on: PickerCallbacks,
  ) {}

  /** The entries the current text selects. */
  list(): PickerEntry[] {
    return filterEntries(this.entries, this.text);
  }

  /** The cursor, clamped to the current list. */
  cursor(list: readonly PickerEntry[] = this.list()): number {
    return Math.max(0, Math.min(this.cur, list.length - 1));
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Handle key names in order; stops at Enter (the rest of a paste after it is dropped). */
  keys(names: readonly string[]): void {
    for (const k of names) {
      if (this.opening) break;
      if (this.key(k) === 'stop') break;
    }
    this.changed();
  }

  private key(k: string): 'stop' | undefined {
    if (k === 'enter') {
      const list = this.list();
      const e = list[this.cursor(list)];
      if (e) {
        this.opening = true;
        this.error = undefined;
        void Promise.resolve(this.on.open(e)).catch((err: unknown) => {
          this.opening = false;
          this.error = err instanceof Error ? err.message : String(err);
          this.changed();
        });
      }
      return 'stop';
    }
    if (k === 'esc' || k === 'ctrl+c') {
      if (!this.text) {
        this.on.quit();
        return 'stop';
      }
      this.text = '';
      this.cur = 0;
    } else if (k === 'up' || k === 'ctrl+p') this.cur = Math.max(0, this.cursor() - 1);
    else if (k === 'down' || k === 'ctrl+n' || k === 'tab') this.cur = Math.min(this.list().length - 1, this.cursor() + 1);
    else if (k === 'backspace') this.text = this.text.slice(0, -1);
    else if (k === 'ctrl+u') this.text = '';
    else if (k === 'space') this.text += ' ';
    else if ([...k].length === 1) {
      this.text += k;
      this.cur = 0;
    }
    return undefined;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
