/**
 * A small inter-process lock for read-modify-write of workspace files: create
 * `<file>.lock` exclusively, holding {pid, host, at, token}. A lock whose process is gone
 * (same host) or that is older than `staleMs` is broken. Breaking renames the lock aside
 * first and checks it moved the lock it judged stale, so two breakers cannot both win.
 *
 * Fair: a waiter first takes a numbered ticket (a file in `<file>.lock.q/`, named by the
 * time it arrived) and tries the lock only when its ticket is the oldest live one, so
 * waiters go in arrival order and a writer that comes straight back queues behind the
 * others (before, random sleeps let one writer of four starve until its timeout).
 * Bounded: the wait ends after `timeoutMs` with a LockTimeoutError the workspace turns
 * into a warning. Tickets of dead processes are swept by whoever sees them.
 * Synchronous on purpose: the critical section is a few milliseconds of file I/O.
 */
import { closeSync, linkSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { makeDirs, tempNameFor } from './atomic.ts';

export interface LockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** A lock older than this is stale even if its process looks alive (default 30 s). */
  staleMs?: number;
}

export class LockTimeoutError extends Error {}

interface LockInfo {
  pid: number;
  host: string;
  at: number;
  token: string;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function readLock(path: string): { info?: LockInfo; raw: string; mtimeMs: number } | undefined {
  try {
    const raw = readFileSync(path, 'utf8');
    const mtimeMs = statSync(path).mtimeMs;
    try {
      return { info: JSON.parse(raw) as LockInfo, raw, mtimeMs };
    } catch {
      return { raw, mtimeMs };
    }
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(l: { info?: LockInfo; mtimeMs: number }, staleMs: number): boolean {
  const age = Date.now() - l.mtimeMs;
  if (!l.info) return age > 2000; // half-written by a process that died between open and write
  if (l.info.host === hostname() && !alive(l.info.pid)) return true;
  return age > staleMs;
}

/** Move a stale lock aside; if it turns out to be a fresh one, put it back. */
function breakStale(path: string, judged: string): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else broke it
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    /* gone */
  }
  if (moved !== judged) {
    try {
      linkSync(aside, path); // fails if a newer lock exists; then that one stands
    } catch {
      /* lost the race; the other lock holds */
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    /* gone */
  }
}

/** The queue directory beside the lock. */
export const queueDirOf = (file: string) => `${file}.lock.q`;

let ticketSeq = 0;

/** A ticket name sorts by arrival time, then by pid and a per-process counter. */
function ticketName(): string {
  return `${String(Date.now()).padStart(15, '0')}-${String(process.pid).padStart(10, '0')}-${String(ticketSeq++).padStart(8, '0')}-${hostname().replace(/[^A-Za-z0-9.]/g, '_')}`;
}

/** A ticket left by a process that is gone (same host), or far older than any wait. */
function deadTicket(name: string, staleMs: number, timeoutMs: number): boolean {
  const [at, pid, , host] = name.split('-');
  if (host === hostname().replace(/[^A-Za-z0-9.]/g, '_') && !alive(Number(pid))) return true;
  return Date.now() - Number(at) > staleMs + timeoutMs;
}

/**
 * Create the lock whole or not at all: its text goes to a temporary file first, which is
 * then linked into place (a link fails when the lock exists, as O_EXCL does). A process
 * killed midway leaves a temporary file named by its pid, which the workspace's sweep
 * removes, and never an empty lock that would stand until it went stale. Where the file
 * system has no hard links, the lock is created with O_EXCL and written after.
 */
function tryLock(path: string, text: string): boolean {
  const tmp = tempNameFor(path);
  try {
    writeFileSync(tmp, text, { flag: 'wx', mode: 0o644 });
  } catch {
    return tryLockInPlace(path, text);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return tryLockInPlace(path, text);
    throw e;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* swept */
    }
  }
}

function tryLockInPlace(path: string, text: string): boolean {
  try {
    const fd = openSync(path, 'wx', 0o644);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
}

/** Take the lock for `file`; returns the release function. */
export function acquireLock(file: string, opts: LockOptions = {}): () => void {
  const path = `${file}.lock`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const staleMs = opts.staleMs ?? 30_000;
  const info: LockInfo = { pid: process.pid, host: hostname(), at: Date.now(), token: randomBytes(8).toString('hex') };
  const text = JSON.stringify(info);
  const qdir = queueDirOf(file);
  makeDirs(qdir);
  const mine = ticketName();
  const ticket = join(qdir, mine);
  closeSync(openSync(ticket, 'wx', 0o644));
  const drop = () => {
    try {
      unlinkSync(ticket);
    } catch {
      /* swept */
    }
  };
  try {
    for (let attempt = 0; ; attempt++) {
      let first = true;
      for (const t of readdirSync(qdir).sort()) {
        if (t >= mine) break;
        if (deadTicket(t, staleMs, timeoutMs)) {
          try {
            unlinkSync(join(qdir, t));
          } catch {
            /* someone else swept it */
          }
          continue;
        }
        first = false;
        break;
      }
      if (first) {
        if (tryLock(path, text)) {
          drop();
          return () => {
            const cur = readLock(path);
            if (cur?.raw === text) unlinkSync(path);
          };
        }
        const cur = readLock(path);
        if (cur && isStale(cur, staleMs)) {
          breakStale(path, cur.raw);
          continue;
        }
      }
      if (Date.now() > deadline) {
        const cur = readLock(path);
        const who = cur?.info ? `pid ${cur.info.pid} on ${cur.info.host}` : 'another process';
        throw new LockTimeoutError(`workspace is locked by ${who} (${path}); remove the lock file if that process is gone`);
      }
      // Short and steady: the head of the queue should notice a release within a millisecond or two.
      sleepMs(Math.min(5, 1 + (attempt >> 4)));
    }
  } catch (e) {
    drop();
    throw e;
  }
}

export function withLock<T>(file: string, fn: () => T, opts?: LockOptions): T {
  const release = acquireLock(file, opts);
  try {
    return fn();
  } finally {
    release();
  }
}
