/** Console: what commands printed, newest at the bottom; the `:` line is drawn under it. */
import { definePanel } from '../panel.ts';
import { ConsoleView } from './view.tsx';

export interface ConsoleData {
  readonly lines: readonly string[];
  /** Lines scrolled back from the bottom. */
  readonly back: number;
}

export const consolePanel = definePanel<ConsoleData>({
  id: 'console',
  title: 'Console',
  region: 'bottom',
  available: () => true,
  // The cursor counts lines back from the newest, so new output keeps the view at the bottom.
  select: (_v, env) => ({ lines: env.console, back: Math.min(env.ui.cursor, Math.max(0, env.console.length - env.rows)) }),
  count: (d) => d.lines.length,
  Component: ConsoleView,
});
