/**
 * Where the workspace lives: --workspace PATH, else $DMADBG_WORKSPACE, else
 * $XDG_DATA_HOME/dmadbg, else ~/.local/share/dmadbg.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function workspaceDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.DMADBG_WORKSPACE) return resolve(env.DMADBG_WORKSPACE);
  if (env.XDG_DATA_HOME) return join(resolve(env.XDG_DATA_HOME), 'dmadbg');
  return join(homedir(), '.local', 'share', 'dmadbg');
}
