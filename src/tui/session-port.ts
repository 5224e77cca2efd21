/**
 * What the TUI needs from a debugger session, and nothing more. The debugger's Session
 * (src/debugger/session.ts) provides it through `toPort()` in ./port.ts, a thin adapter.
 * Everything here is plain data: the TUI never reaches into sim/.
 */
import type { CommandInfo, CommandResult, ContinueProgress, PointView, SessionView, Stop, TraceRecord } from '../debugger/types.ts';
import type { PgtableView } from './panels/pgtable/model.ts';
import type { LarbView } from './panels/larb/model.ts';
import type { SwiotlbView } from './panels/swiotlb/model.ts';
import type { IotlbView } from './panels/iotlb/model.ts';
import type { NotifiersView } from './panels/notifiers/model.ts';
import type { PciView } from './panels/pci/model.ts';
import type { HmmView } from './panels/hmm/model.ts';
import type { PasidView } from './panels/pasid/model.ts';
import type { VtdView } from './panels/vtd/model.ts';
import type { AmdView } from './panels/amd/model.ts';
import type { ModelViews } from '../debugger/views/index.ts';

export type { CommandInfo, CommandResult, ContinueProgress, PointView, SessionView, Stop, TraceRecord };

export type { DeviceView } from '../debugger/views/devices.ts';
import type { DeviceView } from '../debugger/views/devices.ts';

/** The session's view plus what the panels add: devices, model slices, the last step's records. */
export interface TuiView extends SessionView {
  /** Records emitted since the previous stop start here (the timeline marks them). */
  readonly lastStepFrom: number;
  readonly devices: readonly DeviceView[];
  /** Model slices: absent when the scenario has no such model (the panel is hidden). */
  readonly pgtable?: PgtableView;
  readonly larb?: LarbView;
  readonly swiotlb?: SwiotlbView;
  readonly iotlb?: IotlbView;
  readonly notifiers?: NotifiersView;
  readonly pci?: PciView;
  readonly hmm?: HmmView;
  readonly pasid?: PasidView;
  readonly vtd?: VtdView;
  readonly amd?: AmdView;
  readonly klog?: ModelViews['klog'];
  readonly registers?: ModelViews['registers'];
  readonly mappings?: ModelViews['mappings'];
  readonly m4uSoc?: ModelViews['m4uSoc'];
}

/** A compiled timeline filter, or the mistake in it (message, 0-based column, hint). */
export type FilterResult = { readonly test: (r: TraceRecord) => boolean } | { readonly error: string; readonly column: number; readonly hint?: string };

export interface SessionPort {
  /** The current view; the same object until the session changes (panels memoise on it). */
  view(): TuiView;
  /** Trace records [from, to), clamped to what exists. */
  records(from: number, to: number): readonly TraceRecord[];
  /** Run one line of the session's command language; motions run in slices. */
  exec(line: string): Promise<CommandResult>;
  /** Cheap "is a motion running?" (called on every progress slice); falls back to view().state. */
  running?(): boolean;
  /** Stop a running motion at the next clean event boundary. */
  interrupt(): void;
  /** Called after every change (output, progress, a stop). Returns unsubscribe. */
  subscribe(fn: () => void): () => void;
  /** The filter grammar of `break`, checked against the session's scenario (the `f` filter). */
  compileFilter?(text: string): FilterResult;
  /** Completion of the `:` line: the word being typed starts at `start`. */
  complete(line: string): { start: number; candidates: readonly string[] };
  readonly commands: readonly CommandInfo[];
}
