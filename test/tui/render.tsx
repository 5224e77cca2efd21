/** Render a panel's component from its own select(), with ink-testing-library (width 100). */
import React from 'react';
import { render } from 'ink-testing-library';
import type { PanelDef, PanelEnv } from '../../src/tui/panels/panel.ts';
import type { TuiView } from '../../src/tui/session-port.ts';
import { ThemeProvider, makeTheme } from '../../src/tui/theme.tsx';

export const strip = (s: string | undefined): string => (s ?? '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

export function renderPanel<D>(p: PanelDef<D>, view: TuiView, env: PanelEnv, focused = true, color = false) {
  const data = p.select(view, env);
  const r = render(
    <ThemeProvider theme={makeTheme(color)}>
      <p.Component data={data} focused={focused} width={env.cols} height={env.rows} />
    </ThemeProvider>,
  );
  const text = strip(r.lastFrame());
  r.unmount();
  return { data, text, lines: text.split('\n') };
}
