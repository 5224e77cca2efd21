/**
 * A panel is a self-contained module: which part of the view it reads (`select`), when it
 * exists (`available`), its own keys, and `rows`: a pure function of (data, focus, size,
 * theme) giving its body as pre-styled rows (term/style.ts), exactly `width` columns each.
 * Scrolling is done by slicing rows to the given height.
 */
import React, { type ComponentType, memo } from 'react';
import type { Binding } from '../keymap/binding.ts';
import type { SessionPort, TuiView } from '../session-port.ts';
import { type Theme, useTheme } from '../theme.tsx';
import { Rows } from '../components/rows.tsx';

/** Per-panel UI state, kept by the root: a cursor and whatever the panel's keys toggle. */
export interface PanelUi {
  readonly cursor: number;
  /** Free slot for panel modes (page tables: the L1 index whose L2 table is open). */
  readonly open?: number;
  readonly domain?: number;
  /** The user moved the cursor since the panel was opened (page tables then walk the selection). */
  readonly moved?: boolean;
  /** First list row shown (lists that scroll only when the cursor leaves the window). */
  readonly top?: number;
  /** Columns scrolled right (the console's h / l). */
  readonly col?: number;
}

export interface PanelEnv {
  readonly port: SessionPort;
  readonly ui: PanelUi;
  /** Body size (rows excluding the title row). */
  readonly rows: number;
  readonly cols: number;
  readonly search: string | null;
  readonly filter: string | null;
  /** Console output lines (oldest first). */
  readonly console: readonly string[];
}

export interface PanelProps<D> {
  readonly data: D;
  readonly focused: boolean;
  readonly width: number;
  readonly height: number;
}

/** What a panel's rows depend on besides its data. */
export interface RowCtx {
  readonly focused: boolean;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

export interface PanelSpec<D = any> {
  readonly id: string;
  readonly title: string;
  /** main: the timeline column; side: stacked model panels; bottom: the console strip. */
  readonly region: 'main' | 'side' | 'bottom';
  readonly available: (view: TuiView) => boolean;
  readonly select: (view: TuiView, env: PanelEnv) => D;
  /** Selectable rows, to clamp the cursor. */
  readonly count: (data: D) => number;
  /** One-line summary for the title bar (and the collapsed form). */
  readonly summary?: (data: D) => string;
  readonly keys?: readonly Binding[];
  /** Panel-scope commands: new UI state from the old and the panel's data. */
  readonly actions?: Readonly<Record<string, (ui: PanelUi, data: D) => PanelUi>>;
  /** The body: at most `height` rows of exactly `width` columns (a panel with nothing to show says so). */
  readonly rows: (data: D, ctx: RowCtx) => string[];
  /** What the panel's marks mean, as [mark, meaning] (the help overlay and docs/keys.md list them). */
  readonly legend?: readonly (readonly [string, string])[];
}

export interface PanelDef<D = any> extends PanelSpec<D> {
  /** `rows` as one Ink node (tests render it with ink-testing-library). */
  readonly Component: ComponentType<PanelProps<D>>;
}

export function definePanel<D>(p: PanelSpec<D>): PanelDef<D> {
  const Component = memo(function PanelBody({ data, focused, width, height }: PanelProps<D>) {
    const theme = useTheme();
    return React.createElement(Rows, { lines: p.rows(data, { focused, width, height, theme }), width, height });
  });
  return { ...p, Component };
}

/** First row to show so the cursor stays visible, scrolling like a pager (cursor kept centred-ish). */
export function windowStart(cursor: number, count: number, height: number): number {
  if (count <= height) return 0;
  const start = cursor - Math.floor(height / 2);
  return Math.max(0, Math.min(count - height, start));
}

/**
 * First row to show for a list that scrolls only when the cursor leaves the window (as in
 * vim, less or lazygit): `top` as it was, moved just enough to show `cursor`; without one,
 * the cursor centred. A window that a motion put past the end of the list (the newest
 * records near the top, room below for the next ones) stays there while it holds the
 * cursor. Keeping the window still is what lets a step redraw only the new rows.
 */
export function stickyStart(top: number | undefined, cursor: number, count: number, height: number): number {
  if (height <= 0 || count <= height) return 0;
  let s = top ?? cursor - Math.floor(height / 2);
  if (cursor < s) s = cursor;
  if (cursor >= s + height) s = cursor - height + 1;
  const last = top === undefined ? count - height : Math.max(count - height, Math.min(s, cursor));
  return Math.max(0, Math.min(last, s));
}
