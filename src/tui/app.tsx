/**
 * The root component: one per terminal (local, or per SSH channel). It takes the session
 * port, the terminal size and options as props and touches nothing process-global: no
 * process.stdout, no process.on. Terminal setup lives in start.tsx (and the SSH server).
 */
import React, { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useApp, useInput, useStdout } from 'ink';
import { Controller } from './controller.ts';
import { keyNames } from './keymap/keys.ts';
import { panelById } from './panels/index.ts';
import { filterScanning } from './panels/timeline/index.ts';
import type { PanelEnv } from './panels/panel.ts';
import type { SessionPort, TuiView } from './session-port.ts';
import { type Theme, ThemeProvider, makeTheme, useTheme } from './theme.tsx';
import { statusRow } from './components/status-bar.tsx';
import { moreRow, titleRow } from './components/panel-frame.tsx';
import { hintRow } from './components/hint-bar.tsx';
import { helpRows } from './components/help.tsx';
import { recordLineCount, recordViewRows } from './components/record-view.ts';
import { Rows } from './components/rows.tsx';
import { Picker, type KeySink, type PickerSource } from './picker.tsx';
import type { Slot } from './layout.ts';
import { composeFrame } from './compose.ts';
import { FrameStdout } from './term/frame-stdout.ts';

export interface AppOptions {
  /** Spectators: keys move and search, but nothing that changes the machine. */
  readonly readOnly?: boolean;
  /** Shown in the status bar ("driver", "spectator"). */
  readonly role?: string;
  /** False under NO_COLOR. */
  readonly color?: boolean;
  /** How often progress redraws while a run is going (ms, default 250). */
  readonly progressMs?: number;
  /** A line to show in the hint row at start (e.g. restored breakpoints of a changed scenario). */
  readonly notice?: string;
}

export interface AppProps extends AppOptions {
  /** The session; without one the scenario picker opens (needs `picker`). */
  readonly port?: SessionPort;
  readonly picker?: PickerSource;
  readonly cols: number;
  readonly rows: number;
  /** Called on quit; defaults to Ink's exit(). */
  readonly onQuit?: () => void;
}

export function DmadbgApp(props: AppProps) {
  const [port, setPort] = useState<SessionPort | undefined>(props.port);
  const theme = useMemo(() => makeTheme(props.color !== false), [props.color]);
  const { exit } = useApp();
  const quit = props.onQuit ?? (() => exit());
  // One key handler for the app's whole life, passing keys to whichever screen is up. Ink
  // attaches a useInput handler in a passive effect, after the frame is written: a key typed
  // at once on a new screen (q right after the picker opened a scenario) was dropped.
  const keys = useRef<KeySink | null>(null);
  useInput((input, key) => keys.current?.(input, key));
  return (
    <ThemeProvider theme={theme}>
      {port ? (
        <Debugger {...props} port={port} onQuit={quit} keys={keys} />
      ) : (
        <Picker
          keys={keys}
          source={props.picker ?? { entries: [], open: async () => { throw new Error('no scenario source'); } }}
          cols={props.cols}
          rows={props.rows}
          onQuit={quit}
          onOpen={(e) => props.picker!.open(e).then(setPort)}
        />
      )}
    </ThemeProvider>
  );
}

/** Re-render on controller changes at once, on session changes throttled while running. */
function useTicks(ctl: Controller, port: SessionPort, progressMs: number): number {
  const [tick, bump] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const offCtl = ctl.subscribe(bump);
    const offPort = port.subscribe(() => {
      // While running, progress arrives every slice: only redraw the status bar now and
      // then, without deriving anything per slice.
      const running = port.running ? port.running() : port.view().state === 'running';
      if (!running) {
        ctl.sessionChanged();
        if (timer) clearTimeout(timer);
        timer = undefined;
        bump();
      } else if (!timer) {
        timer = setTimeout(() => {
          timer = undefined;
          bump();
        }, progressMs);
      }
    });
    return () => {
      offCtl();
      offPort();
      if (timer) clearTimeout(timer);
    };
  }, [ctl, port, progressMs]);
  return tick;
}

/** What a slot's rows were drawn from: when all of it is the same, the rows are too. */
interface Drawn {
  view: TuiView;
  env: PanelEnv;
  focused: boolean;
  n: number;
  height: number;
  theme: Theme;
  lines: string[];
}

function sameEnv(a: PanelEnv, b: PanelEnv): boolean {
  return a.ui === b.ui && a.rows === b.rows && a.cols === b.cols && a.search === b.search && a.filter === b.filter && a.console === b.console;
}

/** Keep the old array when every row is the same, so the panel's <Rows> is not re-rendered. */
function sameRows(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function Debugger(props: AppProps & { port: SessionPort; onQuit: () => void; keys: React.MutableRefObject<KeySink | null> }) {
  const { port, cols, rows } = props;
  const ctl = useMemo(() => new Controller(port, { readOnly: props.readOnly, onQuit: props.onQuit, notice: props.notice }), [port]);
  ctl.setSize(cols, rows);
  useTicks(ctl, port, props.progressMs ?? 250);
  const drawn = useRef(new Map<string, Drawn>()).current;
  const theme = useTheme();
  // Layout effects run in the commit that writes the frame: no key can arrive in between.
  useLayoutEffect(() => {
    props.keys.current = (input, key) => ctl.keys(keyNames(input, key));
  }, [ctl, props.keys]);

  const live = port.view();
  // Panels keep showing the last stop while a run goes (only the status bar moves), so a
  // progress redraw re-renders no panel.
  const frozen = useRef(live);
  if (live.state !== 'running') frozen.current = live;
  const view = frozen.current;
  const s = ctl.state;
  const l = ctl.layout(view);
  const order = ctl.order(view);
  const focus = order.includes(s.focus) ? s.focus : 'timeline';

  // A filter over a long trace is indexed over several frames: keep drawing until done.
  const scanning = filterScanning(port, s.filter, view.records) !== undefined;
  const [, again] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    if (!scanning) return;
    const t = setTimeout(again, 0);
    return () => clearTimeout(t);
  });

  /** A slot's rows (title, then body): derived again only when something they show changed. */
  const slotLines = (slot: Slot): string[] => {
    const p = panelById(slot.id)!;
    const bodyRows = Math.max(0, slot.height - 1);
    const env = { ...ctl.env(slot.id, { cols: slot.width, rows: bodyRows }), console: view.console };
    const focused = slot.id === focus;
    const n = order.indexOf(slot.id) + 1;
    if (slot.more) return [moreRow([slot.id, ...slot.more].map((id) => ({ n: order.indexOf(id) + 1, title: panelById(id)!.title })), slot.width, theme)];
    const c = drawn.get(slot.id);
    if (c && c.view === view && sameEnv(c.env, env) && c.focused === focused && c.n === n && c.height === slot.height && c.theme === theme && !(slot.id === 'timeline' && scanning)) return c.lines;
    const data = p.select(view, env);
    const body = bodyRows > 0 ? p.rows(data, { focused, width: slot.width, height: bodyRows, theme }) : [];
    let lines = [titleRow(n, p.title, p.summary?.(data) ?? '', focused, slot.width, bodyRows <= 0, theme), ...body];
    if (c && sameRows(c.lines, lines)) lines = c.lines;
    drawn.set(slot.id, { view, env, focused, n, height: slot.height, theme, lines });
    return lines;
  };

  const bodyH = l.height - 2;
  let overlay: string[] | undefined;
  if (s.overlay === 'help') overlay = helpRows(l.width, bodyH, s.helpTop, !!props.readOnly);
  else if (s.overlay === 'record') {
    const rec = ctl.recordShown();
    ctl.recordLines = rec ? recordLineCount(rec, l.width, theme) : 0;
    overlay = recordViewRows(rec, l.width, bodyH, s.record?.top ?? 0, theme);
  }
  const status = statusRow(live, l.width, theme, props.role);
  const hint = hintRow(s, live.state === 'running', l.width, theme, s.overlay === 'record' ? 'record' : focus, props.role?.startsWith('watching'));
  const frame = composeFrame(l, status, slotLines, overlay, hint);

  // On the project's frame writer the screen goes straight to it (Ink renders nothing, so
  // its per-cell output stage is skipped); on any other stdout, through Ink as one node.
  const { stdout } = useStdout();
  const out: unknown = stdout;
  const direct = out instanceof FrameStdout ? out : undefined;
  useLayoutEffect(() => {
    if (!direct) return;
    direct.claim();
    return () => direct.release();
  }, [direct]);
  useLayoutEffect(() => {
    direct?.drawFrame(frame);
  });
  return direct ? null : <Rows lines={frame} width={l.width} height={l.height} />;
}
