/**
 * The workspace: recent scenarios, per-scenario breakpoints and bookmarks, command
 * history and the index of recorded runs, in one small JSON file read and written through
 * lowdb (LowSync with our own adapter: atomic writes with a per-writer temp name and
 * fsync). Every change is a locked read-modify-write, so two dmadbg processes sharing a
 * workspace do not lose each other's updates. A file that does not parse or validate is
 * moved aside (`workspace.json.corrupt-N`) with a one-line warning, never wiped.
 *
 * The workspace never stops the debugger: a directory that cannot be created or written
 * (read-only, a file in the way, a full disk, a path too long) gives one warning and the
 * session goes on with the workspace in memory only; a lock that stays busy past its
 * timeout skips that one save with a warning. Opening it sweeps what killed writers left
 * (temporary files, stale locks and queue tickets, debugger spill files) and indexes run
 * files a killed writer saved without their index entry.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { LowSync, type SyncAdapter } from 'lowdb';
import { makeDirs, writeFileAtomic } from './atomic.ts';
import { ioReason } from './io-reason.ts';
import { type LockOptions, LockTimeoutError, queueDirOf, withLock } from './lock.ts';
import { HISTORY_MAX, RECENT_MAX, RUNS_MAX, type RunIndex, type SavedPoint, type ScenarioEntry, type WorkspaceData, WorkspaceZ, emptyWorkspace } from './schema.ts';

class CorruptError extends Error {}

const isIoError = (e: unknown): boolean => typeof (e as NodeJS.ErrnoException)?.code === 'string' && !(e instanceof CorruptError);

/** Scenario entries keyed by name in an object with no prototype: "constructor" or "toString" are names like any other. */
function nullProto<T>(rec: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of Object.entries(rec)) out[k] = v;
  return out;
}

function withSafeMaps(d: WorkspaceData): WorkspaceData {
  d.scenarios = nullProto(d.scenarios);
  for (const e of Object.values(d.scenarios)) e.bookmarks = nullProto(e.bookmarks);
  return d;
}

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
    return withSafeMaps(r.data);
  }

  write(data: WorkspaceData): void {
    writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
  }
}

export interface WorkspaceOptions {
  /** Where the one-line notices go (stderr in the CLI). */
  warn?: (line: string) => void;
  lock?: LockOptions;
}

/** A point's identity across sessions: its kind and spec as typed. */
const pointKey = (p: Pick<SavedPoint, 'type' | 'what'>) => `${p.type}\u0000${p.what}`;
const samePoint = (a: SavedPoint, b: SavedPoint) => JSON.stringify(a) === JSON.stringify(b);

export interface SavedPoints {
  readonly points: readonly SavedPoint[];
  readonly bookmarks: Readonly<Record<string, number>>;
}

export class Workspace {
  readonly file: string;
  readonly runsDir: string;
  private readonly db: LowSync<WorkspaceData>;
  /** Set after the first I/O failure: from then on the workspace lives in memory only. */
  private unavailable: string | undefined;

  constructor(readonly dir: string, private readonly opts: WorkspaceOptions = {}) {
    this.file = join(dir, 'workspace.json');
    this.runsDir = join(dir, 'runs');
    this.db = new LowSync(new SafeJsonFile(this.file), emptyWorkspace());
    this.db.data = withSafeMaps(emptyWorkspace());
    try {
      makeDirs(dir);
    } catch (e) {
      this.fail(e, `create ${dir}`);
      return;
    }
    this.sweep();
  }

  /** Say something about the workspace to the user (one line; stderr in the CLI). */
  warn(line: string): void {
    this.opts.warn?.(line);
  }

  /** Why the workspace is in memory only (undefined while it is on disk). */
  get offline(): string | undefined {
    return this.unavailable;
  }

  private fail(e: unknown, what: string): void {
    if (this.unavailable) return;
    this.unavailable = `cannot ${what}: ${ioReason(e)}`;
    this.opts.warn?.(`dmadbg: workspace ${this.dir}: ${this.unavailable}; going on without saving breakpoints, history or runs`);
  }

  /** The current contents (re-read from disk: another process may have written). */
  read(): WorkspaceData {
    if (this.unavailable) return this.db.data;
    try {
      this.db.read();
    } catch (e) {
      if (e instanceof CorruptError) {
        try {
          withLock(this.file, () => this.readOrRecover(), this.opts.lock);
        } catch (e2) {
          this.recover(e2, 'read');
        }
      } else this.fail(e, `read ${this.file}`);
    }
    return this.db.data;
  }

  /** Locked read-modify-write; `fn` mutates the data in place. Never throws for I/O or a busy lock. */
  update(fn: (d: WorkspaceData) => void): WorkspaceData {
    if (this.unavailable) {
      fn(this.db.data);
      return this.db.data;
    }
    try {
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
    } catch (e) {
      this.recover(e, 'write');
      fn(this.db.data);
      return this.db.data;
    }
  }

  private recover(e: unknown, what: 'read' | 'write'): void {
    if (e instanceof LockTimeoutError) {
      this.opts.warn?.(`dmadbg: ${e.message}; this change is kept in memory only`);
      return;
    }
    if (isIoError(e)) return this.fail(e, `${what} ${this.file}`);
    throw e;
  }

  /** Under the lock: read, and move a corrupt file aside. */
  private readOrRecover(): void {
    try {
      this.db.read();
    } catch (e) {
      if (!(e instanceof CorruptError)) throw e;
      const aside = this.moveAside();
      this.opts.warn?.(`dmadbg: workspace file ${this.file} is corrupt (${e.message}); moved it to ${aside} and started a fresh one`);
      this.db.data = withSafeMaps(emptyWorkspace());
    }
  }

  private moveAside(): string {
    let n = 1;
    while (existsSync(`${this.file}.corrupt-${n}`)) n++;
    const aside = `${this.file}.corrupt-${n}`;
    renameSync(this.file, aside);
    return aside;
  }

  /**
   * What killed writers leave: `.workspace.json.PID.RAND.tmp` and `runs/.ID.ndjson.PID.RAND.tmp`
   * of processes that are gone (or older than an hour), a lock or queue ticket of a dead
   * process, `.stale-` leftovers of a broken lock; and run files without an index entry.
   */
  private sweep(): void {
    const gone = (pid: number, mtimeMs: number) => !alive(pid) || Date.now() - mtimeMs > 3_600_000;
    const sweepTmp = (dir: string) => {
      for (const f of safeList(dir)) {
        const m = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(f);
        const stale = /\.lock\.stale-\d+-[0-9a-f]+$/.test(f);
        if (!m && !stale) continue;
        const p = join(dir, f);
        try {
          if (stale || gone(Number(m![1]), statSync(p).mtimeMs)) rmSync(p, { force: true });
        } catch {
          /* another process swept it */
        }
      }
    };
    sweepTmp(this.dir);
    sweepTmp(this.runsDir);
    // Debugger spill files (src/store/spill.ts) are unlinked while open; where the OS would
    // not, a dead session's file is removed here.
    const spill = join(this.dir, 'spill');
    for (const f of safeList(spill)) {
      const m = /^(\d+)\.[0-9a-f]+\.spill$/.exec(f);
      if (m && !alive(Number(m[1]))) rmSync(join(spill, f), { force: true });
    }
    for (const t of safeList(queueDirOf(this.file))) {
      const [, pid, , host] = t.split('-');
      if (host === hostname().replace(/[^A-Za-z0-9.]/g, '_') && !alive(Number(pid))) rmSync(join(queueDirOf(this.file), t), { force: true });
    }
    const lock = `${this.file}.lock`;
    try {
      const info = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number; host?: string };
      if (info.host === hostname() && typeof info.pid === 'number' && !alive(info.pid)) rmSync(lock, { force: true });
    } catch {
      /* no lock, or one being written: the lock's own staleness rules apply */
    }
    this.indexOrphanRuns();
  }

  /** A run file saved by a writer killed before it updated the index: index it now. */
  private indexOrphanRuns(): void {
    const files = safeList(this.runsDir).filter((f) => f.endsWith('.ndjson'));
    if (!files.length) return;
    const known = new Set(this.read().runs.map((r) => r.path));
    const orphans: RunIndex[] = [];
    for (const f of files) {
      const path = join(this.runsDir, f);
      if (known.has(path)) continue;
      const idx = indexOfRunFile(path);
      if (idx) orphans.push(idx);
    }
    if (!orphans.length) return;
    orphans.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    this.update((d) => {
      const have = new Set(d.runs.map((r) => r.path));
      d.runs.push(...orphans.filter((o) => !have.has(o.path)));
      d.runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      pruneRuns(d, this.runsDir);
    });
  }

  /** Write a run file (runs/<id>.ndjson); false when the workspace is in memory only. */
  writeRunFile(path: string, text: string): boolean {
    if (this.unavailable) return false;
    try {
      makeDirs(this.runsDir);
      writeFileAtomic(path, text);
      return true;
    } catch (e) {
      this.fail(e, `write ${path}`);
      return false;
    }
  }

  // ---- typed helpers ------------------------------------------------------------------

  scenario(name: string): ScenarioEntry | undefined {
    const sc = this.read().scenarios;
    return Object.hasOwn(sc, name) ? sc[name] : undefined;
  }

  /** Mark a scenario opened (the recent list), recording where its file is. */
  opened(name: string, file: string | undefined): ScenarioEntry {
    const d = this.update((d) => {
      const e = (d.scenarios[name] ??= { name, lastOpened: '', points: [], bookmarks: Object.create(null) as Record<string, number> });
      e.lastOpened = new Date().toISOString();
      if (file) e.file = file;
      d.recent = [name, ...d.recent.filter((n) => n !== name)].slice(0, RECENT_MAX);
    });
    return d.scenarios[name];
  }

  /** Replace the scenario's points and bookmarks (one writer; see mergePoints for sessions). */
  savePoints(name: string, saved: SavedPoints, hash?: string): void {
    this.mergePoints(name, undefined, saved, hash);
  }

  /**
   * Save a session's breakpoints and bookmarks as changes against `base` (what the session
   * loaded or last saved): points and bookmarks it added or changed are written, the ones
   * it deleted are removed, and everything another session saved meanwhile stays. Two TUIs
   * on one scenario each adding a breakpoint keep both (the whole list used to be replaced).
   * Without a base, the list is replaced.
   */
  mergePoints(name: string, base: SavedPoints | undefined, next: SavedPoints, hash?: string): void {
    this.update((d) => {
      const e = (d.scenarios[name] ??= { name, lastOpened: new Date().toISOString(), points: [], bookmarks: Object.create(null) as Record<string, number> });
      const copy = (p: SavedPoint): SavedPoint => ({ ...p, commands: [...p.commands] });
      if (!base) {
        e.points = next.points.map(copy);
        e.bookmarks = nullProto({ ...next.bookmarks });
      } else {
        const before = new Map(base.points.map((p) => [pointKey(p), p]));
        const after = new Map(next.points.map((p) => [pointKey(p), p]));
        const points = e.points.filter((p) => !(before.has(pointKey(p)) && !after.has(pointKey(p))));
        for (const p of next.points) {
          const k = pointKey(p);
          const old = before.get(k);
          if (old && samePoint(old, p)) continue; // unchanged here: keep what is on disk
          const at = points.findIndex((q) => pointKey(q) === k);
          if (at >= 0) points[at] = copy(p);
          else points.push(copy(p));
        }
        e.points = points;
        const marks = nullProto({ ...e.bookmarks });
        for (const k of Object.keys(base.bookmarks)) if (!Object.hasOwn(next.bookmarks, k)) delete marks[k];
        for (const [k, v] of Object.entries(next.bookmarks)) if (base.bookmarks[k] !== v || !Object.hasOwn(base.bookmarks, k)) marks[k] = v;
        e.bookmarks = marks;
      }
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
      pruneRuns(d, this.runsDir);
    });
  }

  run(id: string): RunIndex | undefined {
    const runs = this.read().runs;
    return runs.find((r) => r.id === id) ?? (id === 'last' ? runs[runs.length - 1] : undefined);
  }
}

/** Keep the newest RUNS_MAX runs; the files of the ones dropped go too (only files in our runs/ directory). */
function pruneRuns(d: WorkspaceData, runsDir: string): void {
  if (d.runs.length <= RUNS_MAX) return;
  for (const r of d.runs.splice(0, d.runs.length - RUNS_MAX)) {
    if (dirname(r.path) === runsDir && r.path.endsWith('.ndjson')) rmSync(r.path, { force: true });
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The index entry of a complete run file (header and end line), or undefined. */
function indexOfRunFile(path: string): RunIndex | undefined {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const h = lines[0];
    const end = lines.at(-1);
    if (h?.type !== 'run' || end?.type !== 'end') return undefined;
    const steps = lines.filter((l) => l.type === 'command');
    return {
      id: String(h.id),
      scenario: String(h.scenario),
      file: String(h.file),
      hash: String(h.hash),
      seed: Number(h.seed),
      kernel: String(h.kernel),
      startedAt: String(h.startedAt),
      path,
      commands: steps.length,
      stops: steps.filter((s) => s.stop).length,
      exit: Number(end.exit),
    };
  } catch {
    return undefined;
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
