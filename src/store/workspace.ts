/**
 * The workspace: recent scenarios, per-scenario breakpoints and bookmarks, command
 * history and the index of recorded runs, in one small JSON file read and written through
 * lowdb (LowSync with our own adapter: atomic writes with a per-writer temp name and
 * fsync). Every change is a locked read-modify-write, so two dmadbg processes sharing a
 * workspace do not lose each other's updates. A file that does not parse or validate is
 * moved aside (`workspace.json.corrupt-N`) with a one-line warning, never wiped.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { LowSync, type SyncAdapter } from 'lowdb';
import { writeFileAtomic } from './atomic.ts';
import { type LockOptions, withLock } from './lock.ts';
import { HISTORY_MAX, RECENT_MAX, RUNS_MAX, type RunIndex, type ScenarioEntry, type WorkspaceData, WorkspaceZ, emptyWorkspace } from './schema.ts';

class CorruptError extends Error {}

/** lowdb adapter: atomic writes; reads validate and throw CorruptError instead of guessing. */
class SafeJsonFile implements SyncAdapter<WorkspaceData> {
  constructor(private readonly file: string) {}

  read(): WorkspaceData | null {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CorruptError((e as Error).message);
    }
    const r = WorkspaceZ.safeParse(raw);
    if (!r.success) throw new CorruptError(`unexpected content at ${r.error.issues[0]?.path.join('.') || 'top level'}: ${r.error.issues[0]?.message}`);
    return r.data;
  }

  write(data: WorkspaceData): void {
    writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
  }
}

export interface WorkspaceOptions {
  /** Where the one-line corruption notice goes (stderr in the CLI). */
  warn?: (line: string) => void;
  lock?: LockOptions;
}

export class Workspace {
  readonly file: string;
  readonly runsDir: string;
  private readonly db: LowSync<WorkspaceData>;

  constructor(readonly dir: string, private readonly opts: WorkspaceOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'workspace.json');
    this.runsDir = join(dir, 'runs');
    this.db = new LowSync(new SafeJsonFile(this.file), emptyWorkspace());
  }

  /** The current contents (re-read from disk: another process may have written). */
  read(): WorkspaceData {
    try {
      this.db.read();
    } catch (e) {
      if (!(e instanceof CorruptError)) throw e;
      withLock(this.file, () => this.readOrRecover(), this.opts.lock);
    }
    return this.db.data;
  }

  /** Locked read-modify-write; `fn` mutates the data in place. */
  update(fn: (d: WorkspaceData) => void): WorkspaceData {
    return withLock(
      this.file,
      () => {
        this.readOrRecover();
        fn(this.db.data);
        this.db.write();
        return this.db.data;
      },
      this.opts.lock,
    );
  }

  /** Under the lock: read, and move a corrupt file aside. */
  private readOrRecover(): void {
    try {
      this.db.read();
    } catch (e) {
      if (!(e instanceof CorruptError)) throw e;
      const aside = this.moveAside();
      this.opts.warn?.(`dmadbg: workspace file ${this.file} is corrupt (${e.message}); moved it to ${aside} and started a fresh one`);
      this.db.data = emptyWorkspace();
    }
  }

  private moveAside(): string {
    let n = 1;
    while (existsSync(`${this.file}.corrupt-${n}`)) n++;
    const aside = `${this.file}.corrupt-${n}`;
    renameSync(this.file, aside);
    return aside;
  }

  // ---- typed helpers ------------------------------------------------------------------

  scenario(name: string): ScenarioEntry | undefined {
    return this.read().scenarios[name];
  }

  /** Mark a scenario opened (the recent list), recording where its file is. */
  opened(name: string, file: string | undefined): ScenarioEntry {
    const d = this.update((d) => {
      const e = (d.scenarios[name] ??= { name, lastOpened: '', points: [], bookmarks: {} });
      e.lastOpened = new Date().toISOString();
      if (file) e.file = file;
      d.recent = [name, ...d.recent.filter((n) => n !== name)].slice(0, RECENT_MAX);
    });
    return d.scenarios[name];
  }

  savePoints(name: string, saved: { points: ScenarioEntry['points']; bookmarks: ScenarioEntry['bookmarks'] }, hash?: string): void {
    this.update((d) => {
      const e = (d.scenarios[name] ??= { name, lastOpened: new Date().toISOString(), points: [], bookmarks: {} });
      e.points = saved.points.map((p) => ({ ...p, commands: [...p.commands] }));
      e.bookmarks = { ...saved.bookmarks };
      if (hash) e.hash = hash;
    });
  }

  appendHistory(lines: readonly string[]): void {
    if (!lines.length) return;
    this.update((d) => {
      d.history.push(...lines);
      if (d.history.length > HISTORY_MAX) d.history.splice(0, d.history.length - HISTORY_MAX);
    });
  }

  addRun(run: RunIndex): void {
    this.update((d) => {
      d.runs.push(run);
      if (d.runs.length > RUNS_MAX) d.runs.splice(0, d.runs.length - RUNS_MAX);
    });
  }

  run(id: string): RunIndex | undefined {
    const runs = this.read().runs;
    return runs.find((r) => r.id === id) ?? (id === 'last' ? runs[runs.length - 1] : undefined);
  }
}

/** One Workspace per directory per process (one lowdb writer per file, as lowdb needs). */
const OPEN = new Map<string, Workspace>();

export function openWorkspace(dir: string, opts: WorkspaceOptions = {}): Workspace {
  let w = OPEN.get(dir);
  if (!w) {
    w = new Workspace(dir, opts);
    OPEN.set(dir, w);
  }
  return w;
}
