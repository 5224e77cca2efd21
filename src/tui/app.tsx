/**
 * The root component: one per terminal (local, or per SSH channel). It takes the session
 * port, the terminal size and options as props and touches nothing process-global: no
 * process.stdout, no process.on. Terminal setup lives in start.tsx (and the SSH server).
 */
import React, { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import { Controller } from './controller.ts';
import { keyNames } from './keymap/keys.ts';
import { panelById } from './panels/index.ts';
import { filterScanning } from './panels/timeline/index.ts';
import type { PanelEnv } from './panels/panel.ts';
import type { SessionPort, TuiView } from './session-port.ts';
import { ThemeProvider, makeTheme } from './theme.tsx';
import { StatusBar } from './components/status-bar.tsx';
import { PanelTitle } from './components/panel-frame.tsx';
import { HintBar } from './components/hint-bar.tsx';
import { Help } from './components/help.tsx';
import { Picker, type PickerSource } from './picker.tsx';
import type { Slot } from './layout.ts';

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
  const [error, setError] = useState<string>();
  const theme = useMemo(() => makeTheme(props.color !== false), [props.color]);
  const { exit } = useApp();
  const quit = props.onQuit ?? (() => exit());
  return (
    <ThemeProvider theme={theme}>
      {port ? (
        <Debugger {...props} port={port} onQuit={quit} />
      ) : (
        <Picker
          source={props.picker ?? { entries: [], open: async () => { throw new Error('no scenario source'); } }}
          cols={props.cols}
          rows={props.rows}
          error={error}
          onQuit={quit}
          onOpen={(e) => {
            props.picker!.open(e).then(setPort, (err: Error) => setError(err.message));
          }}
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

interface Cached {
  view: TuiView;
  env: PanelEnv;
  data: unknown;
  json?: string;
}

function sameEnv(a: PanelEnv, b: PanelEnv): boolean {
  return a.ui === b.ui && a.rows === b.rows && a.cols === b.cols && a.search === b.search && a.filter === b.filter && a.console === b.console;
}

function Debugger(props: AppProps & { port: SessionPort; onQuit: () => void }) {
  const { port, cols, rows } = props;
  const ctl = useMemo(() => new Controller(port, { readOnly: props.readOnly, onQuit: props.onQuit, notice: props.notice }), [port]);
  ctl.setSize(cols, rows);
  useTicks(ctl, port, props.progressMs ?? 250);
  const cache = useRef(new Map<string, Cached>()).current;
  useInput((input, key) => ctl.keys(keyNames(input, key)));

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

  const dataFor = (id: string, size: { cols: number; rows: number }): unknown => {
    const env = { ...ctl.env(id, size), console: view.console };
    const c = cache.get(id);
    if (c && c.view === view && sameEnv(c.env, env) && !(id === 'timeline' && scanning)) return c.data;
    let data = panelById(id)!.select(view, env);
    // Most panels do not change on a step: keep the old object when the content is equal,
    // so React.memo skips them (the timeline changes with nearly every step).
    if (c && id !== 'timeline') {
      const json = JSON.stringify(data);
      if (json === c.json) data = c.data;
      cache.set(id, { view, env, data, json });
    } else cache.set(id, { view, env, data, json: id === 'timeline' ? undefined : JSON.stringify(data) });
    return data;
  };

  const renderSlot = (slot: Slot) => {
    const p = panelById(slot.id)!;
    const bodyRows = slot.height - 1;
    const data = dataFor(slot.id, { cols: slot.width, rows: Math.max(0, bodyRows) });
    const C = p.Component;
    return (
      <Box key={slot.id} flexDirection="column" width={slot.width} height={slot.height}>
        <PanelTitle
          n={order.indexOf(slot.id) + 1}
          title={p.title}
          summary={p.summary?.(data) ?? ''}
          focused={slot.id === focus}
          width={slot.width}
          collapsed={bodyRows <= 0}
        />
        {bodyRows > 0 && <C data={data} focused={slot.id === focus} width={slot.width} height={bodyRows} />}
      </Box>
    );
  };

  // A filter over a long trace is indexed over several frames: keep drawing until done.
  const scanning = filterScanning(port, s.filter, view.records) !== undefined;
  const [, again] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    if (!scanning) return;
    const t = setTimeout(again, 0);
    return () => clearTimeout(t);
  });

  const bodyH = l.height - 2;
  return (
    <Box flexDirection="column" width={l.width} height={l.height}>
      <StatusBar view={live} width={l.width} role={props.role} />
      {s.overlay === 'help' ? (
        <Help width={l.width} height={bodyH} top={s.helpTop} readOnly={!!props.readOnly} />
      ) : (
        <Box flexDirection="column" width={l.width} height={bodyH}>
          {l.columns.length > 0 && (
            <Box flexDirection="row" flexGrow={1}>
              {l.columns.map((c, i) => (
                <Box key={i} flexDirection="column" width={c.width} paddingLeft={i > 0 ? 1 : 0}>
                  {c.slots.map(renderSlot)}
                </Box>
              ))}
            </Box>
          )}
          {l.console && renderSlot(l.console)}
        </Box>
      )}
      <Box height={1} width={l.width}>
        <HintBar state={s} running={live.state === 'running'} width={l.width} watching={props.role?.startsWith('watching')} />
      </Box>
    </Box>
  );
}

export function Centered({ text }: { text: string }) {
  return <Text>{text}</Text>;
}
