/**
 * An internal error (a dmadbg bug, never a user mistake) is one line on the terminal and
 * exit 70; the stack, the command line and the versions go to a log file the line names,
 * for the bug report. Crash logs live in the workspace's `crash/` directory (the newest
 * 20 are kept), or in the system temp directory when the workspace cannot be written.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceDir } from '../store/paths.ts';
import { makeDirs } from '../store/atomic.ts';
import { EXIT } from './output.ts';

const KEEP = 20;

function describe(e: unknown): { message: string; detail: string } {
  if (e instanceof Error) return { message: e.message.split('\n')[0] || e.name, detail: e.stack ?? `${e.name}: ${e.message}` };
  return { message: String(e), detail: String(e) };
}

/** Write the crash log; returns its path (undefined when nowhere could be written). */
export function writeCrashLog(e: unknown, where = workspaceDir()): string | undefined {
  const { detail } = describe(e);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const text = [
    `dmadbg internal error at ${new Date().toISOString()}`,
    `command: dmadbg ${process.argv.slice(2).join(' ')}`,
    `node ${process.version} on ${process.platform}-${process.arch}`,
    '',
    detail,
    '',
  ].join('\n');
  for (const dir of [join(where, 'crash'), join(tmpdir(), 'dmadbg-crash')]) {
    try {
      makeDirs(dir, 0o700); // not mkdirSync's recursive mode: it never returns under /proc
      const file = join(dir, `${stamp}-${process.pid}.log`);
      writeFileSync(file, text, { mode: 0o600 });
      prune(dir);
      return file;
    } catch {
      /* try the next place */
    }
  }
  return undefined;
}

function prune(dir: string): void {
  try {
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    for (const f of logs.slice(0, Math.max(0, logs.length - KEEP))) rmSync(join(dir, f), { force: true });
  } catch {
    /* best effort */
  }
}

/** The one line for the terminal (the stack is in the log). */
export function internalErrorLine(e: unknown, log: string | undefined): string {
  return `dmadbg: internal error (a dmadbg bug, please report it): ${describe(e).message}${log ? `; details in ${log}` : ''}`;
}

/** Report an internal error and set exit 70 (the caller returns or exits). */
export function reportInternalError(e: unknown, workspace?: string): number {
  const log = writeCrashLog(e, workspace ?? workspaceDir());
  try {
    process.stderr.write(internalErrorLine(e, log) + '\n');
  } catch {
    /* stderr is gone too */
  }
  process.exitCode = EXIT.internal;
  return EXIT.internal;
}
