/**
 * The debugger session: one machine, its recording and checkpoints, the breakpoint
 * table, bookmarks and history. Everything the TUI, the SSH server and headless runs do
 * goes through `exec(line)` / `execAsync(line)` and reads `view()`. No UI code, no I/O:
 * persistence is the `persist` callback (src/store implements it).
 *
 * Position: the session stands between events. `events` is how many events have been
 * handled (rr's `when`); records 0..records-1 have been emitted. `goto SEQ` goes to just
 * after the event that emitted record SEQ; `goto @N` to just after event N.
 */
import type { Built } from '../scenario/build/index.ts';
import type { Machine } from '../sim/machine.ts';
import { SimAssertionError } from '../sim/core/assert.ts';
import type { TraceRecord } from '../sim/core/trace.ts';
import { Checkpoints, type CheckpointOptions } from './checkpoints.ts';
import type { CommandGen, Motion } from './command.ts';
import { resolveCommand, COMMANDS, completeLine } from './commands/index.ts';
import { formatRecordRow, formatTime } from './format.ts';
import { ParseError, caretLines, splitCommands, tokenize } from './parser.ts';
import { type Point, PointTable } from './points.ts';
import { Recording } from './recording.ts';
import type { ChunkVault } from '../sim/core/trace.ts';
import { type ForwardOptions, fillRecords, forward, gotoEvent, gotoRecord, scanBack } from './engine.ts';
import { describeStop } from './stops.ts';
import type { CommandInfo, CommandResult, ContinueProgress, SessionEvent, SessionView, Stop } from './types.ts';
import { closest } from '../scenario/suggest.ts';
import { LIMITS, SimLimitError } from '../sim/limits.ts';
import { type ScenarioNames, scenarioNames } from './names.ts';
import { type Filter, compileFilter } from './filter.ts';
import type { ExportWriter } from './export/index.ts';

/** What the workspace keeps per scenario: re-created by re-parsing the specs. */
export interface SavedPoint {
  readonly type: Point['type'];
  readonly what: string;
  readonly temporary: boolean;
  readonly enabled: boolean;
  readonly ignore: number;
  readonly condition?: string;
  readonly commands: readonly string[];
}

export interface SavedSession {
  readonly points: readonly SavedPoint[];
  readonly bookmarks: Readonly<Record<string, number>>;
}

export interface SessionOptions {
  /** Scenario file and content hash, shown in the view and saved with runs. */
  file?: string;
  hash?: string;
  checkpoints?: CheckpointOptions;
  /** Stop `continue` after this many events in total (default: the scenario's limit). */
  maxEvents?: number;
  /** Events per slice in execAsync (default 20,000: ~10 ms, so keys stay live). */
  sliceEvents?: number;
  /** Called when breakpoints or bookmarks change (the workspace saves them). */
  persist?: (saved: SavedSession) => void;
  /** Called with every command line run (the workspace keeps the history). */
  onHistory?: (line: string) => void;
  /** Previously saved breakpoints and bookmarks to restore. */
  restore?: SavedSession;
  /** Command history from earlier sessions (oldest first). */
  history?: readonly string[];
  /** Where breakpoints and history are kept (shown by `help`): the workspace directory. */
  workspace?: string;
  /**
   * Where the recording's full chunks and the checkpoints go: a file in the workspace
   * (src/store/spill.ts), so memory stays flat however long the run. Without one they are
   * deflated in memory, with the caps of the limits table.
   */
  spill?: ChunkVault;
  /** Run past the recording without building the records nothing needs (default on; tests turn it off). */
  fastForward?: boolean;
  /** Writes `export`'s files (the CLI's writes under the working directory); absent: no export. */
  writeExport?: ExportWriter;
}

const CONSOLE_MAX = 1000;
const HISTORY_MAX = 1000;

export class Session {
  readonly built: Built;
  readonly machine: Machine;
  readonly recording: Recording;
  readonly checkpoints: Checkpoints;
  readonly points = new PointTable();
  readonly bookmarks = new Map<string, number>();
  readonly history: string[] = [];
  readonly options: SessionOptions;
  lastStop: Stop;
  readonly maxEvents: number;
  private readonly consoleLines: string[] = [];
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private running = false;
  private interrupted = false;
  private progress: ContinueProgress | undefined;
  /** `commands N` collecting lines until `end`. */
  private collecting: { point: Point; lines: string[] } | undefined;
  /** Re-creating saved points: no history, no console, no persist. */
  private restoring = false;
  /**
   * Every line run and the stop it produced: replaying the lines on the same scenario,
   * seed and kernel reproduces the stops (`dmadbg run --replay`).
   */
  readonly journal: { readonly line: string; readonly stop?: Stop; readonly error?: string }[] = [];
  /** The last internal error a command met (a dmadbg bug): the CLI writes its stack to a crash log. */
  internalError: unknown;
  /** Set when event `events` met a limit: forward motion stops before it. */
  halt: { readonly events: number; readonly message: string } | undefined;
  /** Fast-forward where nothing needs the records (see engine.ts forward). */
  readonly fastForward: boolean;
  /** Records the session may record: more when they spill to the workspace. */
  readonly recordLimit: number;

  constructor(built: Built, options: SessionOptions = {}) {
    this.built = built;
    this.options = options;
    this.machine = built.machine;
    const m = this.machine;
    m.keepTrace = true;
    this.recording = new Recording(m.trace, options.spill);
    this.recording.filler = (seq) => fillRecords(this, seq);
    this.checkpoints = new Checkpoints(m, { vault: options.spill, ...options.checkpoints });
    this.fastForward = options.fastForward ?? true;
    this.recordLimit = options.spill ? LIMITS.spilledRecords : LIMITS.sessionRecords;
    this.maxEvents = options.maxEvents ?? built.scenario.limits.maxEvents;
    this.lastStop = { reason: 'start', events: 0, t: 0 };
    if (options.restore) this.restoreSaved(options.restore);
    if (options.history) this.history.push(...options.history.slice(-HISTORY_MAX));
  }

  // ---- the public surface ------------------------------------------------------------

  /** Run one command line (`;` separates several) to completion, synchronously. */
  exec(line: string): CommandResult {
    const gen = this.lineGen(line);
    let r = gen.next(undefined as unknown as Stop);
    while (!r.done) {
      const motion = r.value;
      let stop: Stop | undefined;
      try {
        while (!(stop = motion.run(Number.MAX_SAFE_INTEGER)));
      } catch (e) {
        // Raised at the command's yield, so its error handling (and the caret) applies.
        r = gen.throw(e);
        continue;
      }
      r = gen.next(stop);
    }
    return this.publish(line, r.value);
  }

  /**
   * Run a command line, letting motions run in slices of `sliceEvents` events with the
   * event loop in between (setImmediate), so the TUI stays live and `interrupt()` works.
   */
  async execAsync(line: string, onProgress?: (p: ContinueProgress) => void): Promise<CommandResult> {
    const gen = this.lineGen(line);
    let r = gen.next(undefined as unknown as Stop);
    const slice = this.options.sliceEvents ?? 20_000;
    while (!r.done) {
      const motion = r.value;
      this.setRunning(true, line);
      const t0 = Date.now();
      const e0 = this.machine.state.events;
      let stop: Stop | undefined;
      try {
        while (!(stop = this.interrupted ? this.stopHere('interrupt') : motion.run(slice))) {
          const dt = (Date.now() - t0) / 1000;
          const events = this.machine.state.events;
          this.progress = { events, eventsPerSec: dt > 0 ? Math.round((events - e0) / dt) : 0 };
          onProgress?.(this.progress);
          this.emit({ type: 'progress', progress: this.progress });
          await new Promise<void>((res) => setImmediate(res));
        }
      } catch (e) {
        this.setRunning(false, line);
        r = gen.throw(e);
        continue;
      }
      this.setRunning(false, line);
      r = gen.next(stop);
    }
    return this.publish(line, r.value);
  }

  /** Stop a running execAsync at the next slice boundary (Esc / Ctrl-C). */
  interrupt(): void {
    if (this.running) this.interrupted = true;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Listen to output, progress and stops (shared SSH sessions); returns unsubscribe. */
  subscribe(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Plain data for the panels; `traceRows` records up to the current position. */
  view(opts: { traceRows?: number } = {}): SessionView {
    const m = this.machine;
    const n = opts.traceRows ?? 50;
    const end = m.state.traceCount;
    const trace = [];
    for (let i = Math.max(0, end - n); i < end; i++) {
      const record = this.recording.get(i);
      trace.push({ record, text: formatRecordRow(record) });
    }
    return {
      scenario: { name: this.built.scenario.name, file: this.options.file, hash: this.options.hash },
      seed: m.config.seed,
      kernel: m.config.kernel,
      state: this.running ? 'running' : this.atEnd ? 'ended' : 'stopped',
      events: m.state.events,
      ...(this.at !== undefined ? { at: this.at } : {}),
      t: m.state.now,
      tText: formatTime(m.state.now),
      records: end,
      recordedEvents: this.recording.frontier,
      pending: m.pending,
      lastStop: this.lastStop,
      trace,
      points: this.points.view(),
      bookmarks: [...this.bookmarks].map(([name, events]) => ({ name, events })),
      checkpoints: { count: this.checkpoints.count, interval: this.checkpoints.interval },
      console: this.consoleLines.slice(),
      history: this.history.slice(-100),
      progress: this.running ? this.progress : undefined,
    };
  }

  /** Records [from, from+count) of the recording, for scrolling the timeline. */
  records(from: number, count: number): TraceRecord[] {
    const out: TraceRecord[] = [];
    const end = Math.min(this.recording.count, from + count);
    for (let i = Math.max(0, from); i < end; i++) out.push(this.recording.get(i));
    return out;
  }

  /** The scenario's devices, domains, larbs, ... as filters check them (at this position). */
  names(): ScenarioNames {
    return scenarioNames(this.machine);
  }

  /**
   * A filter (the TUI's `f`): its record test, or the mistake as one line pointing at a
   * column. The same grammar and checks as `break` and `trace`.
   */
  compileFilter(text: string): { test: (r: TraceRecord) => boolean; kinds?: ReadonlySet<string> } | { error: string; column: number; hint?: string } {
    try {
      const f: Filter = compileFilter(text, this.names());
      return { test: f.test, kinds: f.kinds };
    } catch (e) {
      if (e instanceof ParseError) return { error: e.message, column: e.column, hint: e.hint };
      throw e;
    }
  }

  /** Completion for the `:` line: the word being typed starts at `start`. */
  complete(line: string): { start: number; candidates: string[] } {
    if (line.length > LIMITS.commandChars) return { start: line.length, candidates: [] };
    return completeLine(this, line);
  }

  /** The command table: names, usage, help, subcommands. */
  static commands(): readonly CommandInfo[] {
    return COMMANDS;
  }

  /** Breakpoints and bookmarks as the workspace keeps them. */
  saved(): SavedSession {
    return {
      points: this.points.all().map((p) => ({
        type: p.type,
        what: p.what,
        temporary: p.temporary,
        enabled: p.enabled,
        ignore: p.ignore,
        condition: p.condition.length ? p.condition.map((c) => `${c.field}${c.op}${c.value}`).join(' and ') : undefined,
        commands: p.commands,
      })),
      bookmarks: Object.fromEntries(this.bookmarks),
    };
  }

  // ---- position and motion (used by the command modules) ------------------------------

  /** Events handled so far, counting the one the machine is halted in. */
  get events(): number {
    return this.machine.state.events;
  }

  /** Events handled whole (one less than `events` while halted inside one). */
  get eventsDone(): number {
    return this.machine.halted ? this.machine.state.events - 1 : this.machine.state.events;
  }

  /** The record the machine is halted right after, or undefined between events. */
  get at(): number | undefined {
    return this.machine.halted ? this.machine.state.traceCount - 1 : undefined;
  }

  /** Records strictly before the position (the record at, if any, is not before it). */
  get position(): number {
    return this.machine.halted ? this.machine.state.traceCount - 1 : this.machine.state.traceCount;
  }

  get atEnd(): boolean {
    return this.recording.endEvents !== undefined && this.machine.state.events >= this.recording.endEvents;
  }

  /** A Stop at the current position. */
  stopHere(reason: Stop['reason'], extra: Partial<Stop> = {}): Stop {
    const at = this.at;
    return { reason, events: this.machine.state.events, t: this.machine.state.now, ...(at !== undefined ? { at } : {}), ...extra };
  }

  forward(o: ForwardOptions): Motion {
    return forward(this, o);
  }

  /** Go to just after event `target` (restore + replay when behind); breakpoints ignored. */
  gotoEvent(target: number, motion = 'goto'): Motion {
    return gotoEvent(this, target, motion);
  }

  /** Go to right after record `seq` (halted inside its event); breakpoints apply when `check`. */
  gotoRecord(seq: number, motion = 'goto', check = false): Motion {
    return gotoRecord(this, seq, motion, check);
  }

  /** Search the recording backwards for the previous breakpoint/watchpoint hit (sliced). */
  scanBack(): Motion {
    return scanBack(this);
  }

  // ---- command plumbing ---------------------------------------------------------------

  private *lineGen(line: string): CommandGen {
    if (this.running) return { lines: [], error: { message: 'the machine is running; interrupt it first (Esc)' } };
    if (line.length > LIMITS.commandChars) {
      return { lines: [], error: { message: `the command is ${line.length} characters long; the limit is ${LIMITS.commandChars}`, hint: '`dmadbg info limits` lists every limit' } };
    }
    const trimmed = line.trim();
    if (this.collecting) return this.collect(trimmed);
    if (trimmed && !trimmed.startsWith('#') && !this.restoring) {
      this.history.push(trimmed);
      if (this.history.length > HISTORY_MAX) this.history.splice(0, this.history.length - HISTORY_MAX);
      this.options.onHistory?.(trimmed);
    }
    const lines: string[] = [];
    let stop: Stop | undefined;
    // `commands N a; b` attaches several commands: its `;` are its own.
    const parts = /^\s*commands\s/.test(line) ? [{ text: line, offset: 0 }] : splitCommands(line);
    for (const part of parts) {
      let r: CommandResult;
      try {
        r = yield* this.commandGen(part.text, 0);
      } catch (e) {
        r = this.errorResult(e, line, part.offset);
      }
      lines.push(...r.lines);
      if (r.stop) stop = r.stop;
      if (r.error) return { lines, error: r.error, stop };
      if (r.quit) return { lines, stop, quit: true };
    }
    return { lines, stop };
  }

  /** One command (no `;`), with its point commands run at a stop (depth-limited). */
  *commandGen(text: string, depth: number): CommandGen {
    const toks = tokenize(text);
    if (!toks.length) return { lines: [] };
    const word = toks[0];
    const name = word.text.includes('/') ? word.text.slice(0, word.text.indexOf('/')) : word.text;
    const { cmd, ambiguous } = resolveCommand(name);
    if (ambiguous) throw new ParseError(`ambiguous command "${name}": ${ambiguous.join(', ')}`, word.col, 'type more of it');
    if (!cmd) {
      const near = closest(name, COMMANDS.flatMap((c) => [c.name, ...c.aliases]));
      throw new ParseError(`unknown command "${name}"`, word.col, near ? `did you mean "${near}"?` : '`help` lists commands');
    }
    const out = cmd.run({ session: this, args: toks.slice(1), word, text });
    const r = isGen(out) ? yield* out : out;
    if (!r.stop) return r;
    this.lastStop = r.stop;
    const lines = [...r.lines];
    if (r.stop.reason === 'error') return { ...r, lines };
    const p = r.stop.id !== undefined ? this.points.get(r.stop.id) : undefined;
    if (p && (r.stop.reason === 'breakpoint' || r.stop.reason === 'watchpoint') && !r.stop.message?.startsWith('reverse')) {
      if (p.temporary) this.points.delete(p.id);
      if (p.temporary) this.persist();
      if (depth < 4) {
        for (const c of p.commands) {
          lines.push(`> ${c}`);
          const sub = yield* this.commandGen(c, depth + 1);
          lines.push(...sub.lines);
          if (sub.error) break;
        }
      }
    }
    return { ...r, lines, stop: this.lastStop };
  }

  /** Start collecting `commands N` lines; the next lines up to `end` are attached. */
  startCollecting(point: Point): void {
    this.collecting = { point, lines: [] };
  }

  private collect(line: string): CommandResult {
    const c = this.collecting!;
    if (line === 'end') {
      c.point.commands = c.lines;
      this.collecting = undefined;
      this.persist();
      return { lines: [`${c.lines.length} command(s) attached to ${c.point.id}`] };
    }
    if (line && !line.startsWith('#')) c.lines.push(line);
    return { lines: [] };
  }

  get isCollecting(): boolean {
    return this.collecting !== undefined;
  }

  /**
   * The machine reached a limit of the table inside an event (virtual time, backed memory,
   * DRAM for user pages): that event cannot complete. Go back to just before it and stop
   * there; forward motion stops at the same place from now on (engine.ts reads `halt`).
   */
  private limitReached(e: SimLimitError): CommandResult {
    const failed = this.machine.state.events;
    this.halt = { events: failed, message: e.message };
    const back = this.gotoEvent(failed - 1);
    while (!back.run(Number.MAX_SAFE_INTEGER));
    const stop = this.stopHere('limit', { message: `event ${failed} cannot run: ${e.message}` });
    this.lastStop = stop;
    return { lines: describeStop(this, stop), stop };
  }

  private errorResult(e: unknown, line = '', offset = 0): CommandResult {
    if (e instanceof ParseError) {
      const err = { message: e.message, column: e.column + offset, hint: e.hint };
      return { lines: caretLines(line, err), error: err };
    }
    if (e instanceof SimLimitError) return this.limitReached(e);
    this.internalError = e;
    if (e instanceof SimAssertionError) {
      const stop = this.stopHere('error', { message: e.message });
      this.lastStop = stop;
      return { lines: [`internal error (a dmadbg bug): ${e.message}`], error: { message: e.message }, stop };
    }
    // Anything else is a bug too, but the TUI and SSH sessions must survive it.
    const message = e instanceof Error ? e.message : String(e);
    return { lines: [`internal error (a dmadbg bug): ${message}`], error: { message } };
  }

  private publish(line: string, r: CommandResult): CommandResult {
    if (r.stop?.reason === 'interrupt') {
      // An interrupt lands wherever the slices were; a replay reaches the same place by event.
      this.journal.push({ line: `goto @${r.stop.events}`, stop: { reason: 'step', events: r.stop.events, t: r.stop.t, motion: 'goto' } });
    } else if (line.trim() && !line.trim().startsWith('#')) {
      this.journal.push({ line: line.trim(), stop: r.stop, error: r.error?.message });
    }
    if (this.restoring) return r;
    const echo = this.collecting && line.trim() !== '' ? `> ${line}` : `(dmadbg) ${line}`;
    this.consoleLines.push(echo, ...r.lines);
    if (this.consoleLines.length > CONSOLE_MAX) this.consoleLines.splice(0, this.consoleLines.length - CONSOLE_MAX);
    this.emit({ type: 'output', command: line, result: r });
    if (r.stop) this.emit({ type: 'stop', stop: r.stop });
    this.emit({ type: 'changed' });
    return r;
  }

  private setRunning(on: boolean, command: string): void {
    this.running = on;
    this.interrupted = false;
    if (on) this.emit({ type: 'running', command });
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Tell the workspace that points or bookmarks changed. */
  persist(): void {
    if (!this.restoring) this.options.persist?.(this.saved());
  }

  /** Lines describing a stop, gdb style. */
  describe(stop: Stop): string[] {
    return describeStop(this, stop);
  }

  /**
   * Re-create saved points and bookmarks through ordinary commands, so the journal (and a
   * recorded run) holds them and a replay starts from the same breakpoints.
   */
  private restoreSaved(s: SavedSession): void {
    this.restoring = true;
    const restored: Point[] = [];
    const failed: string[] = [];
    for (const [k, v] of Object.entries(s.bookmarks)) this.exec(`bookmark ${k} @${v}`);
    for (const p of s.points) {
      const word = p.type === 'watchpoint' ? 'watch' : p.type === 'logpoint' ? 'log' : p.temporary ? 'tbreak' : 'break';
      const r = this.exec(`${word} ${p.what}`);
      if (r.error) {
        failed.push(`  ${word} ${p.what}: ${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}`);
        continue;
      }
      const id = this.points.all()[this.points.all().length - 1].id;
      if (!p.enabled) this.exec(`disable ${id}`);
      if (p.ignore) this.exec(`ignore ${id} ${p.ignore}`);
      if (p.condition) this.exec(`condition ${id} ${p.condition}`);
      if (p.commands.length) this.exec(`commands ${id} ${p.commands.join('; ')}`);
      restored.push(this.points.get(id)!);
    }
    this.restoring = false;
    // Say what came back (the TUI shows it in its console), and what no longer parses.
    const marks = Object.keys(s.bookmarks);
    if (restored.length || marks.length) {
      const what = [restored.length ? `${restored.length} breakpoint${restored.length > 1 ? 's' : ''}` : '', marks.length ? `${marks.length} bookmark${marks.length > 1 ? 's' : ''} (${marks.join(', ')})` : '']
        .filter(Boolean)
        .join(' and ');
      this.consoleLines.push(`Restored from the workspace: ${what}.`);
      for (const p of restored) this.consoleLines.push(`  ${p.id} ${p.temporary ? 'tbreak' : p.type}${p.enabled ? '' : ' (disabled)'} ${p.what}`);
    }
    if (failed.length) this.consoleLines.push(`Not restored (${failed.length}; dropped when breakpoints are next saved): the saved spec no longer parses:`, ...failed);
  }

}

function isGen(x: unknown): x is CommandGen {
  return typeof x === 'object' && x !== null && typeof (x as CommandGen).next === 'function';
}
