/**
 * Command files: one command per line, `#` comments, `commands N` ... `end` blocks, `quit`
 * to stop early. Each command's output is printed after an echo of the command (text), or
 * as one JSON object per command (`--json`). The exit code says how it ended: 0 ran out of
 * commands (or quit) or the scenario ended, 3 the last motion stopped at a
 * breakpoint/watchpoint, 1 a command failed, 70 a simulator assertion (a replay diverged:
 * a dmadbg bug). A failed command is also named by file and line, as a compiler does:
 * `fault.cmds:4: unknown command "contnue" (did you mean "continue"?)`.
 */
import type { Session } from './session.ts';
import { recordWire } from '../sim/trace/codec.ts';
import type { CommandResult, Stop } from './types.ts';

export interface ScriptResult {
  /** What to print, one line per element. */
  readonly out: string[];
  readonly stops: Stop[];
  readonly code: 0 | 1 | 3 | 70;
  /** Command lines run (comments and blanks dropped), for recording the run. */
  readonly commands: string[];
  /** The stop each command produced (undefined: it did not move), by command index. */
  readonly stopOf: (Stop | undefined)[];
  /** The failed command as one line naming where: `FILE:LINE: message (hint)`. */
  readonly error?: string;
}

/** A command of a file and its 1-based line number. */
export interface ScriptLine {
  readonly text: string;
  readonly line: number;
}

/** The commands of a file with their line numbers (blank lines and `#` comments dropped). */
export function scriptSource(text: string): ScriptLine[] {
  return text
    .split(/\r?\n/)
    .map((l, i) => ({ text: l.trim(), line: i + 1 }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'));
}

export function scriptLines(text: string): string[] {
  return scriptSource(text).map((l) => l.text);
}

/** A stop as machine-readable JSON (record kept whole; `at` when it is at a record). */
export function stopJson(s: Stop): Record<string, unknown> {
  return {
    reason: s.reason,
    events: s.events,
    ...(s.at !== undefined ? { at: s.at } : {}),
    t: s.t,
    ...(s.motion ? { motion: s.motion } : {}),
    ...(s.id !== undefined ? { id: s.id } : {}),
    ...(s.record ? { record: recordWire(s.record) } : {}),
    ...(s.message ? { message: s.message } : {}),
  };
}

/**
 * Run command lines (from `scriptSource`, or plain strings: a replay) until they run out,
 * one fails, or `quit`. `file` names the file in the one-line error.
 */
export function runScript(session: Session, lines: readonly (string | ScriptLine)[], opts: { json?: boolean; file?: string } = {}): ScriptResult {
  const out: string[] = [];
  const stops: Stop[] = [];
  const commands: string[] = [];
  const stopOf: (Stop | undefined)[] = [];
  let code: 0 | 1 | 3 | 70 = 0;
  let last: Stop | undefined;
  let error: string | undefined;
  for (const [i, l] of lines.entries()) {
    const line = typeof l === 'string' ? l : l.text;
    const no = typeof l === 'string' ? i + 1 : l.line;
    commands.push(line);
    const r: CommandResult = session.exec(line);
    stopOf.push(r.stop);
    if (opts.json) out.push(JSON.stringify({ command: line, lines: r.lines, ...(r.stop ? { stop: stopJson(r.stop) } : {}), ...(r.error ? { error: { ...r.error, line: no } } : {}) }));
    else out.push(`(dmadbg) ${line}`, ...r.lines);
    if (r.stop) {
      stops.push(r.stop);
      last = r.stop;
    }
    if (r.error) {
      code = r.stop?.reason === 'error' ? 70 : 1;
      error = `${opts.file ?? 'commands'}:${no}: ${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}`;
      break;
    }
    if (r.quit) break;
  }
  if (code === 0 && last && (last.reason === 'breakpoint' || last.reason === 'watchpoint')) code = 3;
  return { out, stops, code, commands, stopOf, ...(error ? { error } : {}) };
}
