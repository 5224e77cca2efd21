/** Run the real CLI as a child process (no terminal), the way users and CI run it. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './scenario.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function dmadbg(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'dmadbg.js'), ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
