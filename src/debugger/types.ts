/**
 * The debugger session's public contract: the one API under the TUI, the SSH server and
 * headless runs. No UI code here. (Owned by the debugger; the TUI and SSH code against it.)
 */
import type { TraceRecord } from '../sim/core/trace.ts';

/** Re-exported so the layers above the debugger take the record type from here. */
export type { TraceRecord };

export type StopReason =
  | 'start' // just loaded, nothing run yet
  | 'step' // a motion (step, stepi, goto, until, why, ...) got where it was going
  | 'breakpoint'
  | 'watchpoint'
  | 'end' // the scenario has no more events
  | 'limit' // maxEvents reached
  | 'interrupt' // Esc / Ctrl-C during continue
  | 'error'; // a simulator assertion (a dmadbg bug)

export interface Stop {
  readonly reason: StopReason;
  /** Events handled so far (the "event number") and the virtual time. */
  readonly events: number;
  readonly t: number;
  /**
   * The record the machine stopped right after, inside event `events`, when the stop is at
   * a record (breakpoints, stepi, goto SEQ, ...); absent when it stands between events.
   */
  readonly at?: number;
  /** The command that moved: "continue", "stepi", "goto", "reverse-step", "why", ... */
  readonly motion?: string;
  /** Breakpoint/watchpoint number, and the record that matched (or the record at). */
  readonly id?: number;
  readonly record?: TraceRecord;
  readonly message?: string;
}

/** What one command produced: text lines (for the console), or an error pointing at a column. */
export interface CommandResult {
  readonly lines: readonly string[];
  readonly error?: { readonly message: string; readonly column?: number; readonly hint?: string };
  /** Set when the command moved the machine (step, continue, goto, ...). */
  readonly stop?: Stop;
  /** `quit`: the front end ends (a command file stops here; the TUI closes). */
  readonly quit?: boolean;
}

export interface ContinueProgress {
  readonly events: number;
  readonly eventsPerSec: number;
}

/** A breakpoint, watchpoint or log point as the breakpoints panel shows it. */
export interface PointView {
  readonly id: number;
  readonly type: 'breakpoint' | 'watchpoint' | 'logpoint';
  /** The spec as typed after the command word, e.g. "fault type=translation mmu=1". */
  readonly what: string;
  readonly enabled: boolean;
  readonly temporary: boolean;
  readonly hits: number;
  readonly ignore: number;
  readonly condition?: string;
  readonly commands: readonly string[];
}

/** One trace row, decoded, with the pre-formatted table text. */
export interface TraceRowView {
  readonly record: TraceRecord;
  readonly text: string;
}

/** Everything the TUI draws, as plain data; derived on demand by Session.view(). */
export interface SessionView {
  readonly scenario: { readonly name: string; readonly file?: string; readonly hash?: string };
  readonly seed: number;
  readonly kernel: string;
  /** 'running' while a sliced motion (continue, goto, ...) is in progress. */
  readonly state: 'stopped' | 'running' | 'ended';
  /** Events handled so far (the position: `goto @N`), virtual time, records emitted. */
  readonly events: number;
  /** The record the machine stands right after, inside event `events` (undefined between events). */
  readonly at?: number;
  readonly t: number;
  readonly tText: string;
  readonly records: number;
  /** Furthest point recorded so far (events); reverse motion lands below it. */
  readonly recordedEvents: number;
  readonly pending: number;
  readonly lastStop: Stop;
  /** The last `traceRows` records at or before the current position, oldest first. */
  readonly trace: readonly TraceRowView[];
  readonly points: readonly PointView[];
  readonly bookmarks: readonly { readonly name: string; readonly events: number }[];
  readonly checkpoints: { readonly count: number; readonly interval: number };
  /** Recent console output (command echo and results), oldest first. */
  readonly console: readonly string[];
  readonly history: readonly string[];
  readonly progress?: ContinueProgress;
}

/** What a shared session tells its subscribers (other SSH viewers, the TUI). */
export type SessionEvent =
  | { readonly type: 'output'; readonly command: string; readonly result: CommandResult }
  | { readonly type: 'running'; readonly command: string }
  | { readonly type: 'progress'; readonly progress: ContinueProgress }
  | { readonly type: 'stop'; readonly stop: Stop }
  | { readonly type: 'changed' };

/** A command as the help, the `:` line completer and the docs see it. */
export interface CommandInfo {
  readonly name: string;
  readonly aliases: readonly string[];
  /** e.g. "step [N]" */
  readonly usage: string;
  /** One line for the help list. */
  readonly summary: string;
  /** Full help: usage, description, then the examples, one per line. */
  readonly help: string;
  /** Example command lines, as the help lists them (a test runs every one). */
  readonly examples: readonly string[];
  /** Subcommands / first words that follow the name (for completion), if any. */
  readonly subcommands: readonly string[];
}
