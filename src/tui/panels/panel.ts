/**
 * A panel is a self-contained module: which part of the view it reads (`select`), when it
 * exists (`available`), its own keys, and a component that is a pure function of
 * (data, focus, size). Scrolling is done by slicing rows to the given height.
 */
import type { ComponentType } from 'react';
import type { Binding } from '../keymap/binding.ts';
import type { SessionPort, TuiView } from '../session-port.ts';

/** Per-panel UI state, kept by the root: a cursor and whatever the panel's keys toggle. */
export interface PanelUi {
  readonly cursor: number;
  /** Free slot for panel modes (page tables: the L1 index whose L2 table is open). */
  readonly open?: number;
  readonly domain?: number;
  /** The user moved the cursor since the panel was opened (page tables then walk the selection). */
  readonly moved?: boolean;
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

export interface PanelDef<D = any> {
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
  readonly Component: ComponentType<PanelProps<D>>;
}

export function definePanel<D>(p: PanelDef<D>): PanelDef<D> {
  return p;
}

/** First row to show so the cursor stays visible, scrolling like a pager (cursor kept centred-ish). */
export function windowStart(cursor: number, count: number, height: number): number {
  if (count <= height) return 0;
  const start = cursor - Math.floor(height / 2);
  return Math.max(0, Math.min(count - height, start));
}

/** Pad or cut to exactly `w` columns (panels draw fixed-width rows). */
export function fit(s: string, w: number): string {
  if (w <= 0) return '';
  return s.length > w ? s.slice(0, Math.max(0, w - 1)) + '…' : s.padEnd(w);
}
