/**
 * Crash-safe file replacement: write a temp file with a name unique to this writer (pid +
 * random, unlike steno's fixed `.name.tmp` that two processes share), fsync it, rename it
 * over the target, fsync the directory. A reader sees the old file or the new one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

export function tempNameFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export function writeFileAtomic(file: string, text: string): void {
  const tmp = tempNameFor(file);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  fsyncDir(dirname(file));
}

/** Make the rename durable; some filesystems refuse to fsync a directory, which is fine. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* not supported here */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * mkdir -p, one component at a time. Node's recursive mkdirSync never returns on some
 * paths (under /proc it gets ENOENT, creates the parent, gets ENOENT again, ...): this
 * walks up to the first existing ancestor, then creates each missing directory once, so
 * every failure is an error with a code (ENOENT, ENOTDIR, EACCES, EROFS, ENAMETOOLONG).
 */
export function makeDirs(dir: string, mode = 0o755): void {
  const missing: string[] = [];
  let cur = resolve(dir);
  for (;;) {
    try {
      const st = statSync(cur);
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${cur}'`), { code: 'ENOTDIR', path: cur });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    missing.push(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
