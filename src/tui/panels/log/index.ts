/** Log: the kernel's log up to the current stop, as dmesg prints it; errors and warnings coloured. */
import { definePanel } from '../panel.ts';
import { listRows } from '../list-rows.ts';
import type { TuiView } from '../../session-port.ts';

type LogLines = NonNullable<TuiView['klog']>;

export interface LogData {
  readonly lines: LogLines;
  readonly cursor: number;
}

const TONE: Readonly<Record<string, 'bad' | 'warn' | undefined>> = { emerg: 'bad', alert: 'bad', crit: 'bad', err: 'bad', warning: 'warn' };

export const logPanel = definePanel<LogData>({
  id: 'log',
  title: 'Log',
  region: 'side',
  available: (v) => !!v.klog,
  // The newest line is where the cursor starts (dmesg's tail), until the user moves it.
  select: (v, env) => {
    const lines = v.klog as LogLines;
    return { lines, cursor: env.ui.moved ? Math.min(env.ui.cursor, lines.length - 1) : lines.length - 1 };
  },
  count: (d) => d.lines.length,
  summary: (d) => `${d.lines.length} line${d.lines.length === 1 ? '' : 's'}`,
  rows: (d, ctx) =>
    listRows(
      d.lines.map((l) => ({ text: l.text, style: { fg: TONE[l.level] ? ctx.theme.c(TONE[l.level]!) : undefined } })),
      d.cursor,
      ctx,
      'no kernel log line before this point',
    ),
  legend: [['red / yellow', 'err and worse / warning lines']],
});
