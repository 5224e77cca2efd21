/**
 * The thin adapter from the debugger's Session to the TUI's SessionPort. It caches one
 * TuiView per change (so memoised panels skip work when nothing moved), tracks which
 * records the last motion emitted, and adds what SessionView does not carry yet.
 *
 * Model panels are wired here: `models()` returns the slices (pgtable, larb, swiotlb,
 * iotlb, notifiers) the debugger derives (src/debugger/views); a slice is absent when the
 * scenario has no such model, and its panel stays hidden. `devices()` lists the devices.
 * The TUI never sees the machine, only these view models.
 */
import type { CommandInfo, CommandResult, ContinueProgress, SessionEvent, SessionView } from '../debugger/types.ts';
import type { DeviceView, FilterResult, SessionPort, TraceRecord, TuiView } from './session-port.ts';

/** The part of the debugger's Session the TUI uses (structural, so tests can fake it). */
export interface SessionLike {
  view(opts?: { traceRows?: number }): SessionView;
  records(from: number, count: number): TraceRecord[];
  execAsync(line: string, onProgress?: (p: ContinueProgress) => void): Promise<CommandResult>;
  interrupt(): void;
  subscribe(listener: (e: SessionEvent) => void): () => void;
  complete(line: string): { start: number; candidates: string[] };
  compileFilter?(text: string): FilterResult;
  readonly isRunning?: boolean;
}

/** Optional model slices, computed by whoever wires a model in (see the model.ts files). */
export type ModelSlices = Pick<TuiView, 'pgtable' | 'larb' | 'swiotlb' | 'iotlb' | 'notifiers' | 'pci' | 'hmm' | 'vtd' | 'amd'>;

export interface PortOptions {
  readonly commands: readonly CommandInfo[];
  readonly models?: () => ModelSlices;
  /** The devices panel's list (src/debugger/views/devices.ts). */
  readonly devices: () => readonly DeviceView[];
}

export function toPort(s: SessionLike, opts: PortOptions): SessionPort & { dispose(): void } {
  let cached: TuiView | undefined;
  const first = s.view({ traceRows: 0 });
  let recordsAtStop = first.records;
  let lastStepFrom = recordsAtStop;
  let seenStop = first.lastStop;
  // Any event (output, progress, the stop) invalidates the view; the records of the last
  // motion are reckoned when a view shows a new stop, whatever order the events came in.
  const off = s.subscribe(() => {
    cached = undefined;
  });
  return {
    view() {
      if (!cached) {
        const v = s.view({ traceRows: 0 });
        if (v.lastStop !== seenStop) {
          seenStop = v.lastStop;
          lastStepFrom = v.records > recordsAtStop ? recordsAtStop : v.records;
          recordsAtStop = v.records;
        }
        cached = { ...v, lastStepFrom: Math.min(lastStepFrom, v.records), devices: opts.devices(), ...(opts.models?.() ?? {}) };
      }
      return cached;
    },
    records: (from, to) => (to > from ? s.records(from, to - from) : []),
    exec: (line) => s.execAsync(line),
    running: () => s.isRunning ?? s.view({ traceRows: 0 }).state === 'running',
    interrupt: () => s.interrupt(),
    subscribe: (fn) => s.subscribe(() => fn()),
    complete: (line) => s.complete(line),
    ...(s.compileFilter ? { compileFilter: (text: string) => s.compileFilter!(text) } : {}),
    commands: opts.commands,
    dispose: off,
  };
}
