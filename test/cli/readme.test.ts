// The README's command list stays true: every shell line in its ```sh blocks that runs
// dmadbg headless (or prepares a file for it) is run here, in a fresh directory that sees
// the built-in scenarios, and must exit as the line's comment says ("exits N"), else 0.
// Lines that need a terminal or a server (tui, serve, ssh) and npm scripts are left out.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/scenario.ts';

function readmeLines(): string[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const lines: string[] = [];
  for (const m of text.matchAll(/```sh\n([^]*?)```/g)) {
    for (const raw of m[1].split('\n')) {
      const l = raw.trim();
      if (!l || /^(npm|ssh) /.test(l) || /dmadbg (tui|serve)\b/.test(l)) continue;
      lines.push(l);
    }
  }
  return lines;
}

describe("the README's commands", () => {
  const lines = readmeLines();

  it('include the headless commands users copy first', () => {
    expect(lines.filter((l) => l.startsWith('npx dmadbg ')).length).toBeGreaterThanOrEqual(15);
    for (const cmd of ['list', 'run', 'validate', 'info', 'new', 'diff']) expect(lines.some((l) => l.startsWith(`npx dmadbg ${cmd} `) || l === `npx dmadbg ${cmd}`), cmd).toBe(true);
  });

  it('run as their comments say', { timeout: 600_000 }, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dmadbg-readme-'));
    symlinkSync(join(ROOT, 'scenarios'), join(cwd, 'scenarios'));
    const env = { ...process.env, NO_COLOR: '1', DMADBG_WORKSPACE: mkdtempSync(join(tmpdir(), 'dmadbg-readme-ws-')) };
    // `npx dmadbg` is this checkout's bin/dmadbg.js.
    const prelude = `npx() { shift; ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin', 'dmadbg.js'))} "$@"; }\n`;
    for (const line of lines) {
      const want = Number(/#.*\bexits (\d+)/.exec(line)?.[1] ?? 0);
      const r = spawnSync('sh', ['-c', prelude + line], { cwd, env, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `${line}\n${r.stderr}`).toBe(want);
      expect(r.stderr, line).not.toMatch(/\n\s+at |internal error/);
    }
  });
});
