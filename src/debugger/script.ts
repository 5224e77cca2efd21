/**
 * Command files: one command per line, `#` comments, `commands N` ... `end` blocks. Each
 * command's output is printed after an echo of the command (text), or as one JSON object
 * per command (`--json`). The exit code says how it ended: 0 ran out of commands or the
 * scenario ended, 3 the last motion stopped at a breakpoint/watchpoint, 1 a command failed,
 * 70 a simulator assertion (a replay diverged: a dmadbg bug).
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
}

export function scriptLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** A stop as machine-readable JSON (record kept whole). */
export function stopJson(s: Stop): Record<string, unknown> {
  return { reason: s.reason, events: s.events, t: s.t, ...(s.id !== undefined ? { id: s.id } : {}), ...(s.record ? { record: recordWire(s.record) } : {}), ...(s.message ? { message: s.message } : {}) };
}

export function runScript(session: Session, lines: readonly string[], opts: { json?: boolean } = {}): ScriptResult {
  const out: string[] = [];
  const stops: Stop[] = [];
  const commands: string[] = [];
  const stopOf: (Stop | undefined)[] = [];
  let code: 0 | 1 | 3 | 70 = 0;
  let last: Stop | undefined;
  for (const line of lines) {
    commands.push(line);
    const r: CommandResult = session.exec(line);
    stopOf.push(r.stop);
    if (opts.json) out.push(JSON.stringify({ command: line, lines: r.lines, ...(r.stop ? { stop: stopJson(r.stop) } : {}), ...(r.error ? { error: r.error } : {}) }));
    else out.push(`(dmadbg) ${line}`, ...r.lines);
    if (r.stop) {
      stops.push(r.stop);
      last = r.stop;
    }
    if (r.error) {
      code = r.stop?.reason === 'error' ? 70 : 1;
      break;
    }
  }
  if (code === 0 && last && (last.reason === 'breakpoint' || last.reason === 'watchpoint')) code = 3;
  return { out, stops, code, commands, stopOf };
}
