/**
 * Wiring a debugger Session to the workspace: restore the scenario's breakpoints and
 * bookmarks (keyed by scenario name, so an edited scenario still finds them; the hash they
 * were set on is kept and a change is reported), save them when they change, and keep
 * the command history. The TUI and `run --restore` use this; the Session itself does no I/O.
 * It lives with the CLI because it joins two layers that must not know each other: the
 * workspace (store/) and the debugger.
 */
import { resolve } from 'node:path';
import type { Session, SessionOptions } from '../debugger/session.ts';
import { stopJson } from '../debugger/script.ts';
import { newRunId, saveRun } from '../store/runs.ts';
import type { SavedPoints, Workspace } from '../store/workspace.ts';
import { openSpill } from '../store/spill.ts';
import type { ChunkVault } from '../sim/core/trace.ts';

/**
 * Where a session on this workspace spills its recording and checkpoints: a file in the
 * workspace, or nothing (the session keeps them in memory) when the workspace is not writable.
 */
export function spillFor(ws: Workspace): ChunkVault | undefined {
  return ws.offline ? undefined : openSpill(ws.dir, (l) => ws.warn(l));
}

export interface ScenarioIdentity {
  readonly name: string;
  readonly file?: string;
  readonly hash?: string;
}

export interface Wired {
  readonly options: SessionOptions;
  /** A line to show the user: what was restored, and whether the scenario changed since. */
  readonly notice?: string;
  /** What was restored, one line per breakpoint and bookmark (the CLI prints them). */
  readonly restored: readonly string[];
  /** Write buffered history; call on exit. */
  flush(): void;
}

export function wireSession(ws: Workspace, sc: ScenarioIdentity, opts: { restore?: boolean; history?: boolean } = {}): Wired {
  const entry = ws.opened(sc.name, sc.file);
  const restore = opts.restore !== false && (entry.points.length || Object.keys(entry.bookmarks).length) ? { points: entry.points, bookmarks: entry.bookmarks } : undefined;
  let notice: string | undefined;
  const restored: string[] = [];
  if (restore) {
    restore.points.forEach((p, i) => restored.push(`${i + 1} ${p.type}${p.enabled ? '' : ' (disabled)'}: ${p.what}`));
    for (const [name, events] of Object.entries(restore.bookmarks)) restored.push(`bookmark ${name}: event ${events}`);
    const n = restore.points.length;
    const m = Object.keys(restore.bookmarks).length;
    const what = [n ? `${n} breakpoint${n > 1 ? 's' : ''}` : '', m ? `${m} bookmark${m > 1 ? 's' : ''}` : ''].filter(Boolean).join(' and ');
    notice = `restored ${what} of ${sc.name} from ${ws.dir} (\`info breakpoints\` lists them)`;
    if (entry.hash && sc.hash && entry.hash !== sc.hash) {
      notice = `scenario ${sc.name} changed since its breakpoints were saved; restored ${entry.points.length} of them anyway (check \`info breakpoints\`)`;
    }
  }
  let base: SavedPoints = { points: restore?.points ?? [], bookmarks: { ...(restore?.bookmarks ?? {}) } };
  const pending: string[] = [];
  const flush = () => {
    if (!pending.length) return;
    ws.appendHistory(pending.splice(0));
  };
  const keepHistory = opts.history !== false;
  return {
    options: {
      file: sc.file,
      hash: sc.hash,
      restore,
      workspace: ws.offline ? `${ws.dir} (not saved: ${ws.offline})` : ws.dir,
      spill: spillFor(ws),
      history: keepHistory ? ws.read().history : undefined,
      // Saved as changes against what this session loaded or last saved, so another
      // session's breakpoints on the same scenario stay.
      persist: (saved) => {
        const next = { points: saved.points.map((p) => ({ ...p, commands: [...p.commands] })), bookmarks: { ...saved.bookmarks } };
        ws.mergePoints(sc.name, base, next, sc.hash);
        base = next;
      },
      onHistory: keepHistory
        ? (line) => {
            pending.push(line);
            if (pending.length >= 20) flush();
          }
        : undefined,
    },
    notice,
    restored,
    flush,
  };
}

/**
 * Record an interactive session as a run (call when it ends): its journal of commands and
 * stops becomes runs/<id>.ndjson, so `dmadbg run --replay ID` reproduces it. Returns the
 * id, or undefined when nothing moved the machine.
 */
export function saveSessionRun(ws: Workspace, session: Session, sc: { name: string; file: string; hash: string }, startedAt: string): string | undefined {
  if (!session.journal.some((j) => j.stop)) return undefined;
  const m = session.machine;
  const id = newRunId();
  const saved = saveRun(ws, {
    header: { type: 'run', id, scenario: sc.name, file: resolve(sc.file), hash: sc.hash, seed: m.config.seed, kernel: m.config.kernel, startedAt },
    steps: session.journal.map((j) => ({ type: 'command' as const, line: j.line, ...(j.stop ? { stop: stopJson(j.stop) } : {}), ...(j.error ? { error: j.error } : {}) })),
    exit: 0,
  });
  return saved ? id : undefined;
}
