/** Top row: scenario, seed, kernel, event number, virtual time, stop reason, run state. */
import type { TuiView } from '../session-port.ts';
import type { Theme } from '../theme.tsx';
import { Line } from '../term/style.ts';

function rate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/** "stopped: breakpoint 1", or the motion that got here: "stopped: goto", "stopped: reverse-step". */
export function stopText(v: TuiView): string {
  const s = v.lastStop;
  if (v.state === 'running') return 'running';
  const id = s.id !== undefined ? ` ${s.id}` : '';
  const what = s.reason === 'step' ? (s.motion ?? 'step') : `${s.reason}${id}`;
  return `${v.state === 'ended' ? 'ended' : 'stopped'}: ${what}`;
}

/** The status bar as one pre-styled row (inverse, the stop state coloured). */
export function statusRow(view: TuiView, width: number, theme: Theme, role?: string): string {
  const running = view.state === 'running';
  // At a record (a breakpoint, stepi, goto SEQ) the record is the position, inside its event.
  const rec = view.at !== undefined ? `  rec ${view.at}` : '';
  const left = ` ${view.scenario.name}  seed ${view.seed}  ${view.kernel}  event ${view.events}${rec}  t ${view.tText} `;
  const prog = running && view.progress ? ` ${rate(view.progress.events)} ev  ${rate(view.progress.eventsPerSec)} ev/s  Esc stops ` : '';
  const state = ` ${stopText(view)} `;
  const tag = role ? ` [${role}] ` : '';
  const pad = Math.max(0, width - left.length - prog.length - state.length - tag.length);
  const tone = running ? 'warn' : view.lastStop.reason === 'breakpoint' || view.lastStop.reason === 'error' ? 'bad' : view.state === 'ended' ? 'muted' : 'good';
  // The state stays visible on a narrow terminal: the left part gives way first.
  const room = Math.max(0, width - prog.length - tag.length - state.length);
  const head = left.length > room ? (room > 0 ? `${left.slice(0, room - 1)}…` : '') : left + ' '.repeat(pad);
  return new Line(width, { inverse: true }).add(head).add(prog).add(tag).add(state, { fg: theme.c(tone), bold: true }).toString();
}
