/**
 * The TUI's state machine, outside React: focus, zoom, overlays, the `:`/`/` prompt, each
 * panel's cursor, search and filter. Keys come in as names (keymap/keys.ts); bindings
 * come from the one KEYMAP; session commands go to the port. React renders `state` and
 * re-renders on `subscribe`. Pure logic, so tests can drive it without a terminal.
 */
import { KEYMAP, isPrefix, lookup, type Binding } from './keymap/index.ts';
import { PANELS, panelById } from './panels/index.ts';
import { type PanelDef, type PanelEnv, type PanelUi, stickyStart } from './panels/panel.ts';
import { layout, type Layout } from './layout.ts';
import type { SessionPort, TraceRecord, TuiView } from './session-port.ts';
import { timelineFilter, timelineLength, timelineRecordAt, timelineSplit } from './panels/timeline/index.ts';
import { searchPattern } from './panels/timeline/rows.ts';

export type PromptMode = 'command' | 'search' | 'filter';

export interface Prompt {
  readonly mode: PromptMode;
  readonly text: string;
  /** Position in history while browsing with Up/Down (-1: not browsing). */
  readonly hist: number;
  /** Completion candidates shown under the line after Tab. */
  readonly candidates: readonly string[];
}

/** The record view: which record, scrolled how far. */
export interface RecordOverlay {
  readonly seq: number;
  readonly top: number;
}

export interface UiState {
  readonly focus: string;
  readonly zoom: boolean;
  readonly overlay: 'help' | 'quit' | 'restart' | 'record' | null;
  readonly helpTop: number;
  readonly record: RecordOverlay | null;
  /** The first key of a two-key binding ("g" of "gg"), waiting for the second. */
  readonly pending: string | null;
  readonly prompt: Prompt | null;
  readonly search: string | null;
  readonly filter: string | null;
  readonly panels: Readonly<Record<string, PanelUi>>;
  readonly message: { readonly text: string; readonly tone: 'bad' | 'good' | 'muted' } | null;
}

export interface ControllerOptions {
  readonly readOnly?: boolean;
  readonly onQuit: () => void;
  readonly notice?: string;
}

const NO_UI: PanelUi = { cursor: 0 };

const PROMPT_CHAR: Record<PromptMode, string> = { command: ':', search: '/', filter: 'filter: ' };
export const promptLabel = (m: PromptMode): string => PROMPT_CHAR[m];

export class Controller {
  state: UiState = {
    focus: 'timeline',
    zoom: false,
    overlay: null,
    helpTop: 0,
    record: null,
    pending: null,
    prompt: null,
    search: null,
    filter: null,
    panels: {},
    message: null,
  };
  cols = 80;
  rows = 24;
  private readonly listeners = new Set<() => void>();
  private lastStopSeen: unknown;
  private readonly localHistory: string[] = [];
  private searchBefore: string | null = null;
  private searching: { cancelled: boolean } | undefined;
  /** Lines in the record view at the current width (set by the root when it draws it). */
  recordLines = 0;

  constructor(
    readonly port: SessionPort,
    readonly opts: ControllerOptions,
  ) {
    this.lastStopSeen = port.view().lastStop;
    this.follow(port.view());
    if (opts.notice) this.msg(opts.notice, 'bad');
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private set(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
  }

  setSize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
  }

  // ---- derived ------------------------------------------------------------------------

  available(view: TuiView = this.port.view()): PanelDef[] {
    return PANELS.filter((p) => p.available(view));
  }

  /** Tab order. */
  order(view?: TuiView): string[] {
    return this.available(view).map((p) => p.id);
  }

  layout(view: TuiView = this.port.view()): Layout {
    const av = this.available(view);
    const focus = av.some((p) => p.id === this.state.focus) ? this.state.focus : 'timeline';
    return layout({
      cols: this.cols,
      rows: this.rows,
      main: av.filter((p) => p.region === 'main').map((p) => p.id),
      side: av.filter((p) => p.region === 'side').map((p) => p.id),
      bottom: av.find((p) => p.region === 'bottom')?.id,
      focus,
      zoom: this.state.zoom,
    });
  }

  /** Body size of panel `id` in the current layout (0x0 when not shown). */
  sizeOf(id: string, l: Layout = this.layout()): { cols: number; rows: number } {
    for (const c of l.columns) for (const s of c.slots) if (s.id === id) return { cols: s.width, rows: Math.max(0, s.height - 1) };
    if (l.console?.id === id) return { cols: l.console.width, rows: Math.max(0, l.console.height - 1) };
    return { cols: this.cols, rows: 0 };
  }

  ui(id: string): PanelUi {
    // One shared default, so a panel never moved compares equal from frame to frame.
    return this.state.panels[id] ?? NO_UI;
  }

  env(id: string, size = this.sizeOf(id)): PanelEnv {
    const v = this.port.view();
    return { port: this.port, ui: this.ui(id), rows: size.rows, cols: size.cols, search: this.state.search, filter: this.state.filter, console: v.console };
  }

  private setUi(id: string, ui: PanelUi): void {
    this.set({ panels: { ...this.state.panels, [id]: ui } });
  }

  // ---- session changes ----------------------------------------------------------------

  /** After a stop the timeline follows to the newest record, like a debugger's current line. */
  follow(view: TuiView): void {
    // The newest record: "the end", clamped when drawn, so it stays at the end while a
    // filter index is still growing. At a breakpoint or watchpoint, the record that matched.
    const n = timelineLength(this.port, view, this.state.filter);
    const r = view.lastStop.reason;
    const hit = r === 'breakpoint' || r === 'watchpoint' ? view.lastStop.record?.seq : undefined;
    if (hit !== undefined && hit < view.records) {
      const pos = Math.min(n - 1, Math.max(0, this.positionOf(view, hit + 1) - 1));
      this.setUi('timeline', { ...this.ui('timeline'), cursor: pos, top: this.followTop(view, pos) });
    } else {
      this.setUi('timeline', { ...this.ui('timeline'), cursor: Number.MAX_SAFE_INTEGER, top: this.followTop(view, n - 1) });
    }
    this.setUi('console', { ...this.ui('console'), cursor: 0 });
  }

  /** Rows of the timeline's list (its body less the record shown in full under it). */
  private timelineRows(): number {
    return timelineSplit(this.sizeOf('timeline').rows).list;
  }

  /**
   * Where the timeline's window goes when a motion selects `cursor`: it stays put while
   * the cursor is in it (so a step sends only the new rows), else it moves so the first
   * record of this motion is near the top (everything the step did, from its start),
   * or, when the motion emitted more than fits, so the cursor is on the last row.
   */
  private followTop(view: TuiView, cursor: number): number | undefined {
    const h = this.timelineRows();
    const n = timelineLength(this.port, view, this.state.filter);
    if (h <= 0 || cursor < 0) return undefined;
    if (n <= h) return 0;
    const top = this.ui('timeline').top;
    if (top !== undefined && cursor >= top && cursor < top + h) return top;
    const CONTEXT = Math.min(3, Math.floor(h / 4));
    const firstNew = this.positionOf(view, view.lastStepFrom);
    // Moving forwards: the motion's records from near the top, room below for the next
    // step. Backwards (nothing new) or too many to show: the cursor on the last row.
    const start = firstNew <= cursor ? Math.max(firstNew - CONTEXT, cursor - h + 1) : cursor - h + 1;
    return Math.max(0, start);
  }

  /** List position of the first record at or after `seq` (filtered lists included). */
  private positionOf(view: TuiView, seq: number): number {
    if (!this.state.filter) return seq;
    const n = timelineLength(this.port, view, this.state.filter);
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (timelineRecordAt(this.port, view, this.state.filter, mid) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Move the timeline cursor, scrolling the window only if the cursor leaves it. */
  private setTimelineCursor(cursor: number): void {
    const ui = this.ui('timeline');
    const n = timelineLength(this.port, this.port.view(), this.state.filter);
    const h = this.timelineRows();
    const c = Math.max(0, Math.min(Math.max(0, n - 1), cursor));
    this.setUi('timeline', { ...ui, cursor: c, top: stickyStart(ui.top, c, n, h) });
  }

  /** Called by the root when the session changed; moves the timeline on a new stop. */
  sessionChanged(): void {
    const v = this.port.view();
    if (v.lastStop !== this.lastStopSeen) {
      this.lastStopSeen = v.lastStop;
      this.follow(v);
    }
  }

  // ---- keys ---------------------------------------------------------------------------

  /** Handle key names in order (Ink may deliver several in one input). */
  keys(names: readonly string[]): void {
    for (const k of names) this.key(k);
    this.changed();
  }

  private key(k: string): void {
    const s = this.state;
    if (s.prompt) return this.promptKey(k);
    if (s.overlay === 'record') return this.recordKey(k);
    if (s.overlay === 'quit') {
      if (k === 'y' || k === 'enter' || k === 'q') {
        this.port.interrupt();
        this.opts.onQuit();
      }
      return this.set({ overlay: null });
    }
    if (s.overlay === 'restart') {
      this.set({ overlay: null });
      if (k === 'y' || k === 'enter' || k === 'r') void this.run('run');
      return;
    }
    if (s.overlay === 'help') {
      if (k === 'esc' || k === '?' || k === 'q' || k === 'ctrl+c') return this.set({ overlay: null });
      const b = lookup(k, 'help');
      if (b?.scope === 'navigation') this.set({ helpTop: Math.max(0, this.helpNav(b.command, s.helpTop)) });
      return;
    }
    if (s.message) this.set({ message: null });
    const focus = this.order().includes(s.focus) ? s.focus : 'timeline';
    if (s.pending) {
      // The second key of a two-key binding ("gg"); anything else cancels and acts alone.
      const seq = `${s.pending} ${k}`;
      this.set({ pending: null });
      const b2 = lookup(seq, focus);
      if (b2) return this.dispatch(b2, seq, focus);
    } else if (isPrefix(k, focus) && !lookup(k, focus)) {
      return this.set({ pending: k });
    }
    const b = lookup(k, focus);
    if (!b) return;
    this.dispatch(b, k, focus);
  }

  // ---- the record view ----------------------------------------------------------------

  private openRecord(seq: number): void {
    this.set({ overlay: 'record', record: { seq, top: 0 } });
  }

  private recordKey(k: string): void {
    const rec = this.state.record;
    const b = lookup(k, 'record');
    if (!rec || !b || b.scope !== 'record') return;
    const page = Math.max(1, this.rows - 6);
    const scroll = (top: number) => this.set({ record: { ...rec, top: Math.max(0, Math.min(top, Math.max(0, this.recordLines - page))) } });
    switch (b.command) {
      case 'record.down':
        return scroll(rec.top + 1);
      case 'record.up':
        return scroll(rec.top - 1);
      case 'record.page-down':
        return scroll(rec.top + page);
      case 'record.page-up':
        return scroll(rec.top - page);
      case 'record.next':
      case 'record.prev': {
        // Along the timeline's list (so a filter applies), moving its cursor too.
        const d = b.command === 'record.next' ? 1 : -1;
        const v = this.port.view();
        const n = timelineLength(this.port, v, this.state.filter);
        const pos = this.positionOf(v, rec.seq) + d;
        if (pos < 0 || pos >= n) return this.msg(d > 0 ? 'the last record' : 'the first record');
        const seq = timelineRecordAt(this.port, v, this.state.filter, pos);
        this.setTimelineCursor(pos);
        return this.set({ record: { seq, top: 0 } });
      }
      case 'record.goto':
        if (this.opts.readOnly) return this.msg('read-only session', 'bad');
        this.set({ overlay: null, record: null });
        void this.run(`goto ${rec.seq}`);
        return;
      case 'record.close':
        return this.set({ overlay: null, record: null });
    }
  }

  /** The record the record view shows. */
  recordShown(): TraceRecord | undefined {
    const r = this.state.record;
    return r ? this.port.records(r.seq, r.seq + 1)[0] : undefined;
  }

  private helpNav(cmd: string, top: number): number {
    const page = Math.max(1, this.rows - 6);
    if (cmd === 'nav.down') return top + 1;
    if (cmd === 'nav.up') return top - 1;
    if (cmd === 'nav.page-down') return top + page;
    if (cmd === 'nav.page-up') return top - page;
    if (cmd === 'nav.top') return 0;
    return top;
  }

  private running(): boolean {
    return this.port.view().state === 'running';
  }

  private msg(text: string, tone: 'bad' | 'good' | 'muted' = 'muted'): void {
    this.set({ message: { text, tone } });
  }

  /** Run a line of the command language; output lands in the console via the session. */
  run(line: string): Promise<void> {
    if (this.opts.readOnly) {
      this.msg('read-only session: only the driver can run commands', 'bad');
      this.changed();
      return Promise.resolve();
    }
    if (this.running()) {
      this.msg('running: Esc or Ctrl-C stops it first', 'bad');
      this.changed();
      return Promise.resolve();
    }
    return this.port.exec(line).then((r) => {
      if (r.error) this.msg(`error: ${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}`, 'bad');
      if (r.quit) return this.dispatch(KEYMAP.find((b) => b.command === 'ui.quit')!, 'q', this.state.focus);
      this.sessionChanged();
      // `goto SEQ` lands just after the event that emitted SEQ: select SEQ itself.
      const g = /^goto\s+(\d+)\s*$/.exec(line.trim());
      if (g && !r.error) this.selectRecord(Number(g[1]));
      this.changed();
    });
  }

  private dispatch(b: Binding, k: string, focus: string): void {
    if (b.mutates && this.opts.readOnly) return this.msg('read-only session', 'bad');
    if (b.exec) {
      void this.run(b.exec);
      return;
    }
    const order = this.order();
    const panel = panelById(focus);
    if (panel?.actions?.[b.command]) {
      const data = panel.select(this.port.view(), this.env(focus));
      return this.setUi(focus, panel.actions[b.command](this.ui(focus), data));
    }
    switch (b.command) {
      case 'ui.interrupt':
        if (this.searching) {
          this.searching.cancelled = true;
          this.msg('search cancelled');
        } else if (this.running()) {
          this.port.interrupt();
          this.msg('interrupting…');
        } else if (k === 'ctrl+c') this.msg('q quits', 'muted');
        else if (this.state.zoom) this.set({ zoom: false });
        return;
      case 'ui.quit':
        if (this.running()) return this.set({ overlay: 'quit' });
        return this.opts.onQuit();
      case 'ui.run':
        if (this.running()) return this.msg('running: Esc or Ctrl-C stops it first', 'bad');
        return this.set({ overlay: 'restart' });
      case 'ui.help':
        return this.set({ overlay: 'help', helpTop: 0 });
      case 'ui.command-line':
        return this.set({ prompt: { mode: 'command', text: '', hist: -1, candidates: [] } });
      case 'timeline.record': {
        const r = this.selectedRecord();
        if (!r) return this.msg('no record selected: step first', 'bad');
        return this.openRecord(r.seq);
      }
      case 'ui.search':
        this.searchBefore = this.state.search;
        return this.set({ prompt: { mode: 'search', text: '', hist: -1, candidates: [] } });
      case 'timeline.filter':
        // Empty: typing gives a new filter, not one appended to the old (Up brings it back).
        return this.set({ prompt: { mode: 'filter', text: '', hist: -1, candidates: [] } });
      case 'timeline.clear-filter':
        return this.applyFilter(null);
      case 'ui.search-next':
        return void this.searchStep(1);
      case 'ui.search-prev':
        return void this.searchStep(-1);
      case 'ui.focus-next':
      case 'ui.focus-prev': {
        const i = order.indexOf(focus);
        const d = b.command === 'ui.focus-next' ? 1 : -1;
        return this.set({ focus: order[(i + d + order.length) % order.length] });
      }
      case 'ui.focus-n': {
        const id = order[Number(k) - 1];
        return id ? this.set({ focus: id }) : undefined;
      }
      case 'ui.zoom':
        return this.set({ zoom: !this.state.zoom });
      case 'ui.break-kind':
        return this.breakOnSelected();
      case 'breakpoints.delete':
      case 'breakpoints.toggle': {
        const p = this.port.view().points[this.ui('breakpoints').cursor];
        if (!p) return;
        void this.run(b.command === 'breakpoints.delete' ? `delete ${p.id}` : `${p.enabled ? 'disable' : 'enable'} ${p.id}`);
        return;
      }
      default:
        if (b.scope === 'navigation') return this.navigate(b.command, focus);
    }
  }

  private navigate(cmd: string, id: string): void {
    const panel = panelById(id);
    if (!panel) return;
    const size = this.sizeOf(id);
    const data = panel.select(this.port.view(), this.env(id, size));
    const n = panel.count(data);
    const ui = this.ui(id);
    const page = Math.max(1, size.rows - 1);
    // The console's cursor counts lines back from the newest, so up moves it up the log.
    const sign = id === 'console' ? -1 : 1;
    let c = Math.min(ui.cursor, Math.max(0, n - 1));
    if (cmd === 'nav.down') c += sign;
    else if (cmd === 'nav.up') c -= sign;
    else if (cmd === 'nav.page-down') c += sign * page;
    else if (cmd === 'nav.page-up') c -= sign * page;
    else if (cmd === 'nav.top') c = id === 'console' ? n : 0;
    else if (cmd === 'nav.bottom') c = id === 'console' ? 0 : n - 1;
    else return;
    const cursor = Math.max(0, Math.min(Math.max(0, n - 1), c));
    if (id === 'timeline') return this.setTimelineCursor(cursor);
    this.setUi(id, { ...ui, moved: true, cursor });
  }

  /** The timeline cursor as a list position (the stored one may mean "the end"). */
  timelineCursor(): number {
    const n = timelineLength(this.port, this.port.view(), this.state.filter);
    return Math.max(0, Math.min(n - 1, this.ui('timeline').cursor));
  }

  /** Put the timeline cursor on record `seq` (or the nearest filtered one before it). */
  selectRecord(seq: number): void {
    const v = this.port.view();
    if (seq >= v.records) return;
    let cursor = seq;
    if (this.state.filter) {
      const n = timelineLength(this.port, v, this.state.filter);
      cursor = 0;
      for (let p = n - 1; p >= 0; p--) if (timelineRecordAt(this.port, v, this.state.filter, p) <= seq) { cursor = p; break; }
    }
    this.setTimelineCursor(cursor);
  }

  /** The record under the timeline cursor. */
  selectedRecord(): { seq: number; kind: string } | undefined {
    const v = this.port.view();
    const seq = timelineRecordAt(this.port, v, this.state.filter, this.timelineCursor());
    const r = seq >= 0 ? this.port.records(seq, seq + 1)[0] : undefined;
    return r ? { seq: r.seq, kind: r.kind } : undefined;
  }

  private breakOnSelected(): void {
    const r = this.selectedRecord();
    if (!r) return this.msg('no record selected: step first', 'bad');
    void this.run(`break kind=${r.kind}`);
  }

  /**
   * A filter is the grammar of `break` (KIND [FIELD OP VALUE ...] [where ...]), checked the
   * same way: a mistake keeps the filter in force and says where, as the `:` line does.
   */
  private applyFilter(f: string | null): void {
    const text = f && f.trim() ? f.trim() : null;
    if (text) {
      const c = timelineFilter(this.port, text);
      if ('error' in c) return this.msg(`filter: ${c.error}${c.column ? ` (at column ${c.column + 1})` : ''}${c.hint ? `; ${c.hint}` : ''}`, 'bad');
    }
    this.set({ filter: text });
    this.follow(this.port.view());
  }

  /**
   * Move the timeline cursor to the next (dir 1) or previous (-1) record matching the
   * search (a regular expression; text that is not one is searched literally), wrapping
   * around the ends as vim does. Scans in chunks with the event loop in between, so a
   * search through millions of records keeps keys live; Esc cancels it. Resolves when
   * done (tests await it).
   */
  private searchStep(dir: 1 | -1): Promise<void> {
    const needle = this.state.search;
    if (!needle) {
      this.msg('no search: / first');
      return Promise.resolve();
    }
    const pattern = searchPattern(needle);
    const token = { cancelled: false };
    if (this.searching) this.searching.cancelled = true;
    this.searching = token;
    const v = this.port.view();
    const filter = this.state.filter;
    const n = timelineLength(this.port, v, filter);
    const start = this.timelineCursor();
    const CHUNK = 512;
    const PER_TURN = 40; // chunks between yields: ~20k records
    const note = pattern.literal ? ` (not a regex: ${pattern.literal}; searched as text)` : '';
    const found = (pos: number, wrapped: boolean) => {
      this.setTimelineCursor(pos);
      this.set({ focus: this.state.zoom ? this.state.focus : 'timeline', message: null });
      if (wrapped) this.msg(`search hit ${dir > 0 ? 'BOTTOM, continuing at TOP' : 'TOP, continuing at BOTTOM'}${note}`);
      else if (note) this.msg(note.trim());
    };
    const records = (lo: number, hi: number) =>
      filter
        ? Array.from({ length: hi - lo }, (_, i) => {
            const seq = timelineRecordAt(this.port, v, filter, lo + i);
            return this.port.records(seq, seq + 1)[0];
          })
        : this.port.records(lo, hi);
    const scan = async (): Promise<void> => {
      let turns = 0;
      // Positions after the cursor to the end, then from the other end back to the cursor.
      for (let step = 1; step <= n; ) {
        if (token.cancelled) return;
        const count = Math.min(CHUNK, n - step + 1);
        const ps = Array.from({ length: count }, (_, i) => (((start + dir * (step + i)) % n) + n) % n);
        // Consecutive positions (no wrap inside) come from one records() call.
        const lo = Math.min(...ps);
        const hi = Math.max(...ps) + 1;
        const recs = hi - lo === count ? records(lo, hi) : ps.map((p) => records(p, p + 1)[0]);
        for (let i = 0; i < count; i++) {
          const p = ps[i];
          const r = hi - lo === count ? recs[p - lo] : recs[i];
          if (r && pattern.test(r)) return found(p, dir > 0 ? p <= start : p >= start);
        }
        step += count;
        if (++turns % PER_TURN === 0) {
          this.msg(`searching "${needle}"… (Esc cancels)`);
          this.changed();
          await new Promise<void>((r) => setImmediate(r));
        }
      }
      this.msg(`pattern not found: ${needle}${note}`, 'bad');
    };
    return scan().finally(() => {
      if (this.searching === token) this.searching = undefined;
      this.changed();
    });
  }

  // ---- the prompt ---------------------------------------------------------------------

  private history(): readonly string[] {
    const h = this.port.view().history;
    return h.length ? h : this.localHistory;
  }

  private promptKey(k: string): void {
    const p = this.state.prompt!;
    const setText = (text: string, hist = -1) => {
      this.set({ prompt: { ...p, text, hist, candidates: [] } });
      // Search highlights matches as you type (Enter then jumps to the next one).
      if (p.mode === 'search') this.set({ search: text.trim() || null });
    };
    if (k === 'esc' || k === 'ctrl+c') return this.set({ prompt: null, search: p.mode === 'search' ? this.searchBefore : this.state.search });
    if (k === 'enter') return this.submit(p);
    if (k === 'backspace') {
      if (p.text === '') return this.set({ prompt: null });
      return setText(p.text.slice(0, -1));
    }
    if (k === 'ctrl+u') return setText('');
    if (k === 'ctrl+w') return setText(p.text.replace(/\S+\s*$/, ''));
    if (k === 'tab' && p.mode === 'command') return this.completePrompt(p);
    if (k === 'up' && p.mode === 'filter') return setText(this.state.filter ?? p.text);
    if ((k === 'up' || k === 'down') && p.mode === 'command') {
      const h = this.history();
      if (!h.length) return;
      let i = p.hist === -1 ? h.length : p.hist;
      i = k === 'up' ? Math.max(0, i - 1) : i + 1;
      if (i >= h.length) return setText('');
      return setText(h[i], i);
    }
    if (k === 'space') return setText(p.text + ' ', p.hist);
    if ([...k].length === 1) return setText(p.text + k, p.hist);
  }

  private completePrompt(p: Prompt): void {
    const { start, candidates } = this.port.complete(p.text);
    if (candidates.length === 0) return this.set({ prompt: { ...p, candidates: [] } });
    const word = p.text.slice(start);
    let common = candidates[0];
    for (const c of candidates) while (!c.startsWith(common)) common = common.slice(0, -1);
    const text = candidates.length === 1 ? p.text.slice(0, start) + candidates[0] + ' ' : common.length > word.length ? p.text.slice(0, start) + common : p.text;
    this.set({ prompt: { ...p, text, candidates: candidates.length === 1 ? [] : candidates } });
  }

  private submit(p: Prompt): void {
    this.set({ prompt: null });
    if (p.mode === 'filter') return this.applyFilter(p.text);
    if (p.mode === 'search') {
      this.set({ search: p.text.trim() || null });
      if (p.text.trim()) void this.searchStep(1);
      return;
    }
    // As in gdb, an empty command line repeats the last command.
    const line = p.text.trim() || this.history().at(-1) || '';
    if (!line) return;
    if (line === 'q' || line === 'quit') return void this.dispatch(KEYMAP.find((b) => b.command === 'ui.quit')!, 'q', this.state.focus);
    this.localHistory.push(line);
    void this.run(line);
  }
}
