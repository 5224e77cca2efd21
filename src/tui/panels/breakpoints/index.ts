/** Breakpoints: number, spec, enabled, hits. `d` deletes the selected one, `e` toggles it. */
import { definePanel } from '../panel.ts';
import type { PointView } from '../../session-port.ts';
import { breakpointLine } from './rows.ts';
import { listRows } from '../list-rows.ts';

export interface BreakpointsData {
  readonly list: readonly PointView[];
  readonly cursor: number;
  /** Breakpoint of the current stop. */
  readonly hit?: number;
}

export const breakpointsPanel = definePanel<BreakpointsData>({
  id: 'breakpoints',
  title: 'Breakpoints',
  region: 'side',
  available: () => true,
  select: (v, env) => ({
    list: v.points,
    cursor: Math.min(env.ui.cursor, Math.max(0, v.points.length - 1)),
    hit: v.lastStop.reason === 'breakpoint' || v.lastStop.reason === 'watchpoint' ? v.lastStop.id : undefined,
  }),
  count: (d) => d.list.length,
  summary: (d) => `${d.list.length}`,
  keys: [
    { keys: ['d', 'x'], scope: 'breakpoints', command: 'breakpoints.delete', description: 'Delete the selected breakpoint', tag: 'panel', mutates: true, hint: 'delete' },
    { keys: ['e', 'space'], scope: 'breakpoints', command: 'breakpoints.toggle', description: 'Enable / disable the selected breakpoint', tag: 'panel', mutates: true },
  ],
  rows: (d, ctx) =>
    listRows(
      d.list.map((b) => ({
        text: breakpointLine(b),
        style: b.id === d.hit ? { bold: true, fg: ctx.theme.c('bad') } : b.enabled ? undefined : { fg: ctx.theme.c('muted') },
      })),
      d.cursor,
      ctx,
      'none: b breaks on the selected kind, or :break KIND [where FIELD=VALUE]',
    ),
});
