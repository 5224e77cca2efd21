/**
 * Console: what commands printed, newest at the bottom; the `:` line is drawn under it.
 * Lines wider than the panel are never cut silently: `…` marks the side with more, and
 * h / l (← / →) scroll the console sideways.
 */
import { definePanel, type RowCtx } from '../panel.ts';
import { ELLIPSIS, Line, type Style, head, tail, width } from '../../term/style.ts';

export interface ConsoleData {
  /** The lines shown, oldest first (at most the panel's height). */
  readonly lines: readonly string[];
  /** Lines scrolled back from the bottom, and all lines. */
  readonly back: number;
  readonly total: number;
  /** Columns scrolled right. */
  readonly col: number;
  /** Widest line shown, and the panel's width (for the sideways scroll's bounds). */
  readonly widest: number;
  readonly width: number;
}

/** Columns one h / l moves. */
const step = (w: number) => Math.max(8, Math.floor(w / 2));

/** The farthest useful sideways scroll: the end of the widest line in view. */
const maxCol = (d: ConsoleData) => Math.max(0, d.widest - d.width + 2);

function consoleRows(d: ConsoleData, ctx: RowCtx): string[] {
  const th = ctx.theme;
  return d.lines.map((l) => {
    const style: Style | undefined = l.startsWith('error:') ? { fg: th.c('bad') } : l.startsWith('(dmadbg)') || l.startsWith(':') ? { fg: th.c('accent') } : undefined;
    const line = new Line(ctx.width);
    let rest = l;
    if (d.col > 0 && width(l) > 0) {
      line.add(ELLIPSIS, { fg: th.c('muted') });
      rest = tail(l, d.col + 1);
    }
    if (width(rest) > line.room) {
      line.add(head(rest, line.room - 1), style).add(ELLIPSIS, { fg: th.c('muted') });
    } else line.add(rest, style);
    return line.toString();
  });
}

export const consolePanel = definePanel<ConsoleData>({
  id: 'console',
  title: 'Console',
  region: 'bottom',
  available: () => true,
  // The cursor counts lines back from the newest, so new output keeps the view at the bottom.
  select: (_v, env) => {
    const back = Math.min(env.ui.cursor, Math.max(0, env.console.length - env.rows));
    const end = env.console.length - back;
    const lines = env.console.slice(Math.max(0, end - env.rows), end);
    let widest = 0;
    for (const l of lines) widest = Math.max(widest, width(l));
    const d = { lines, back, total: env.console.length, col: 0, widest, width: env.cols };
    return { ...d, col: Math.min(env.ui.col ?? 0, maxCol(d)) };
  },
  count: (d) => d.total,
  summary: (d) => (d.col > 0 ? `from column ${d.col + 1}  h/l scroll` : d.widest > d.width ? 'l scrolls right' : ''),
  keys: [],
  actions: {
    'nav.left': (ui, d) => ({ ...ui, col: Math.max(0, d.col - step(d.width)) }),
    'nav.right': (ui, d) => ({ ...ui, col: Math.min(maxCol(d), d.col + step(d.width)) }),
  },
  rows: consoleRows,
  legend: [['…', 'more of the line on that side: h / l (← / →) scroll sideways']],
});
