/**
 * A small inter-process lock for read-modify-write of workspace files: create
 * `<file>.lock` with O_EXCL holding {pid, host, at, token}. A lock whose process is gone
 * (same host) or that is older than `staleMs` is broken. Breaking renames the lock aside
 * first and checks it moved the lock it judged stale, so two breakers cannot both win.
 * Synchronous on purpose: the critical section is a few milliseconds of file I/O.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

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

/** Take the lock for `file`; returns the release function. */
export function acquireLock(file: string, opts: LockOptions = {}): () => void {
  const path = `${file}.lock`;
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const staleMs = opts.staleMs ?? 30_000;
  const info: LockInfo = { pid: process.pid, host: hostname(), at: Date.now(), token: randomBytes(8).toString('hex') };
  const text = JSON.stringify(info);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return () => {
        const cur = readLock(path);
        if (cur?.raw === text) unlinkSync(path);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const cur = readLock(path);
    if (cur && isStale(cur, staleMs)) {
      breakStale(path, cur.raw);
      continue;
    }
    if (Date.now() > deadline) {
      const who = cur?.info ? `pid ${cur.info.pid} on ${cur.info.host}` : 'another process';
      throw new LockTimeoutError(`workspace is locked by ${who} (${path}); remove the lock file if that process is gone`);
    }
    sleepMs(Math.min(50, 2 + Math.floor(Math.random() * (4 + attempt))));
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
