/**
 * The workspace keeps breakpoints across restarts, does not lose updates when two
 * processes write it at once (the measured lowdb failure: 0 of 400 entries survived two
 * unlocked writers), and moves a corrupt file aside instead of wiping it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { acquireLock, LockTimeoutError } from '../../src/store/lock.ts';
import { workspaceDir } from '../../src/store/paths.ts';
import { readRun, saveRun } from '../../src/store/runs.ts';
import { wireSession } from '../../src/cli/session-store.ts';
import { Workspace } from '../../src/store/workspace.ts';
import { build, ROOT } from '../helpers/scenario.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'dmadbg-ws-'));

function runNode(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('where the workspace lives', () => {
  it('flag, then DMADBG_WORKSPACE, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(workspaceDir('/a/b', { DMADBG_WORKSPACE: '/c' })).toBe('/a/b');
    expect(workspaceDir(undefined, { DMADBG_WORKSPACE: '/c', XDG_DATA_HOME: '/x' })).toBe('/c');
    expect(workspaceDir(undefined, { XDG_DATA_HOME: '/x' })).toBe('/x/dmadbg');
    expect(workspaceDir(undefined, {})).toMatch(/\/\.local\/share\/dmadbg$/);
  });
});

describe('breakpoints survive a restart', () => {
  it('restores points, conditions, ignore counts, commands and bookmarks by scenario name', () => {
    const dir = tmp();
    const built = build('demo-dma-engine');
    const w1 = wireSession(new Workspace(dir), { name: 'demo-dma-engine', file: 'demo.json', hash: 'h1' });
    const s1 = new Session(built, w1.options);
    s1.exec('break kind=dma where dev=dma32 if len>=64');
    s1.exec('watch pa 0x40008000+64');
    s1.exec('log kind=unmap "unmap {iova}"');
    s1.exec('tbreak fault mmu=1');
    s1.exec('ignore 1 2');
    s1.exec('disable 3');
    s1.exec('commands 2 print pa; info devices');
    s1.exec('step 3');
    s1.exec('bookmark three');
    w1.flush();
    const before = s1.exec('info breakpoints').lines;

    // A new process would build a new Workspace on the same directory.
    const w2 = wireSession(new Workspace(dir), { name: 'demo-dma-engine', file: 'demo.json', hash: 'h1' });
    const s2 = new Session(build('demo-dma-engine'), w2.options);
    // Issue 20 item 15: say what was restored, and from where (the workspace is per user).
    expect(w2.notice).toBe(`restored 4 breakpoints and 1 bookmark of demo-dma-engine from ${dir} (\`info breakpoints\` lists them)`);
    expect(w2.restored).toEqual([
      '1 breakpoint: kind=dma where dev=dma32 if len>=64',
      '2 watchpoint: pa 0x40008000+64',
      '3 logpoint (disabled): kind=unmap "unmap {iova}"',
      '4 breakpoint: fault mmu=1',
      'bookmark three: event 2',
    ]);
    expect(s2.exec('info breakpoints').lines).toEqual(before.map((l) => l.replace(/^(\d+\s+\S+\s+\S\s+)\d+/, '$10'))); // hit counts start again
    expect(s2.exec('info bookmarks').lines).toEqual(['three            event 2']); // step 3 stopped at the watchpoint
    expect(s2.history.slice(7, 9)).toEqual(['step 3', 'bookmark three']);
    expect(s2.exec('continue').stop?.id).toBe(2);
    expect(s2.exec('help').lines.at(-1)).toBe(`workspace: ${dir} (breakpoints, bookmarks, history and runs of this user; --workspace DIR or DMADBG_WORKSPACE picks another)`);

    // An edited scenario (new hash) still finds them, and says so.
    const w3 = wireSession(new Workspace(dir), { name: 'demo-dma-engine', file: 'demo.json', hash: 'h2' });
    expect(w3.notice).toMatch(/changed since its breakpoints were saved; restored 4/);
    expect(new Session(build('demo-dma-engine'), w3.options).view().points).toHaveLength(4);
  });

  it('across real processes: `run --restore` saves and restores', async () => {
    const dir = tmp();
    const set = join(dir, 'set.cmds');
    const show = join(dir, 'show.cmds');
    writeFileSync(set, 'break kind=dma where dev=dma32\nwatch iova 0x40008000\ndisable 2\nbookmark start\n');
    writeFileSync(show, 'info breakpoints\ninfo bookmarks\n');
    const a = await runNode(['src/cli/main.ts', 'run', 'demo-dma-engine', '--commands', set, '--restore', '--workspace', dir]);
    expect(a.code).toBe(0);
    const b = await runNode(['src/cli/main.ts', 'run', 'demo-dma-engine', '--commands', show, '--restore'], { DMADBG_WORKSPACE: dir });
    expect(b.code).toBe(0);
    expect(b.out).toContain('1    breakpoint  y    0     kind=dma where dev=dma32');
    expect(b.out).toContain('2    watchpoint  n    0     iova 0x40008000');
    expect(b.out).toContain('start            event 0');
    // The recorded run holds the restored breakpoints as commands, so it replays alike.
    const id = /recorded run (\S+)/.exec(b.err)![1];
    const c = await runNode(['src/cli/main.ts', 'run', '--replay', id, '--workspace', dir]);
    expect(c.err).toContain(`replay of ${id} matches the recording`);
    expect(c.out).toContain('(dmadbg) bookmark start @0');
    expect(c.out).toContain('1    breakpoint  y    0     kind=dma where dev=dma32');
  }, 30_000);
});

describe('two processes on one workspace', () => {
  it('lose nothing: 2 x 150 locked read-modify-writes all land', async () => {
    const dir = tmp();
    const n = 150;
    const [a, b] = await Promise.all([runNode(['test/store/writer.ts', dir, 'A', String(n)]), runNode(['test/store/writer.ts', dir, 'B', String(n)])]);
    expect(a.err + b.err).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    const d = new Workspace(dir).read();
    for (const tag of ['A', 'B']) {
      const mine = d.history.filter((h) => h.startsWith(`${tag}-`));
      expect(mine).toEqual(Array.from({ length: n }, (_, i) => `${tag}-${i}`));
      expect(Object.keys(d.scenarios[tag].bookmarks)).toHaveLength(n);
    }
    expect(readdirSync(dir).filter((f) => f.includes('.tmp') || f.endsWith('.lock'))).toEqual([]);
  }, 60_000);
});

describe('a corrupt workspace is moved aside, never wiped', () => {
  it('a truncated file: one line naming both files, a fresh workspace, the old bytes kept', () => {
    const dir = tmp();
    const ws = new Workspace(dir);
    ws.update((d) => d.history.push('x'.repeat(100), 'y'));
    const file = join(dir, 'workspace.json');
    const size = readFileSync(file).length;
    truncateSync(file, Math.floor(size / 2));
    const damaged = readFileSync(file, 'utf8');
    const warnings: string[] = [];
    const again = new Workspace(dir, { warn: (l) => warnings.push(l) });
    expect(again.read().history).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^dmadbg: workspace file .*workspace\.json is corrupt \(.+\); moved it to .*workspace\.json\.corrupt-1 and started a fresh one$/);
    expect(readFileSync(`${file}.corrupt-1`, 'utf8')).toBe(damaged);
    again.update((d) => d.history.push('after'));
    expect(new Workspace(dir).read().history).toEqual(['after']);
  });

  it('valid JSON of the wrong shape, and an empty file, go to .corrupt-2, -3', () => {
    const dir = tmp();
    const file = join(dir, 'workspace.json');
    writeFileSync(`${file}.corrupt-1`, 'older');
    writeFileSync(file, JSON.stringify({ version: 1, scenarios: [], recent: 'no' }));
    const warnings: string[] = [];
    const ws = new Workspace(dir, { warn: (l) => warnings.push(l) });
    ws.update((d) => d.recent.push('demo'));
    expect(existsSync(`${file}.corrupt-2`)).toBe(true);
    writeFileSync(file, '');
    expect(ws.read().recent).toEqual([]);
    expect(existsSync(`${file}.corrupt-3`)).toBe(true);
    expect(warnings).toHaveLength(2);
    expect(readFileSync(`${file}.corrupt-1`, 'utf8')).toBe('older');
  });
});

describe('the lock', () => {
  it('breaks a lock left by a dead process', () => {
    const dir = tmp();
    const file = join(dir, 'workspace.json');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), at: 0, token: 'x' }));
    const release = acquireLock(file, { timeoutMs: 500 });
    release();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('waits for a live holder, then times out with a clear message', () => {
    const dir = tmp();
    const file = join(dir, 'workspace.json');
    const release = acquireLock(file);
    expect(() => acquireLock(file, { timeoutMs: 100 })).toThrow(LockTimeoutError);
    expect(() => acquireLock(file, { timeoutMs: 100 })).toThrow(/workspace is locked by pid \d+ on .*; remove the lock file if that process is gone/);
    release();
    acquireLock(file, { timeoutMs: 100 })();
  });
});

describe('recorded runs', () => {
  it('live as NDJSON beside the workspace file and are indexed in it', () => {
    const dir = tmp();
    const ws = new Workspace(dir);
    const idx = saveRun(ws, {
      header: { type: 'run', id: 'r1', scenario: 'demo', file: '/x/demo.json', hash: 'h', seed: 7, kernel: 'v5.4', startedAt: 't' },
      steps: [{ type: 'command', line: 'continue', stop: { reason: 'end', events: 14, t: 8364 } }, { type: 'command', line: 'info devices' }],
      exit: 0,
    });
    expect(idx).toMatchObject({ id: 'r1', commands: 2, stops: 1, path: join(dir, 'runs', 'r1.ndjson') });
    expect(ws.run('r1')).toEqual(idx);
    expect(ws.run('last')).toEqual(idx);
    expect(readRun(idx!.path).steps.map((s) => s.line)).toEqual(['continue', 'info devices']);
    expect(JSON.stringify(ws.read())).not.toContain('info devices');
  });

  it('`run --commands` records; `run --replay ID` reproduces and checks the stops', async () => {
    const dir = tmp();
    const cmds = join(dir, 'c.cmds');
    writeFileSync(cmds, 'break kind=dma where dev=dma32\ncontinue\nreverse-step 2\ncontinue\n');
    const a = await runNode(['src/cli/main.ts', 'run', 'demo-dma-engine', '--commands', cmds, '--workspace', dir]);
    expect(a.code).toBe(3);
    const id = /recorded run (\S+)/.exec(a.err)![1];
    const b = await runNode(['src/cli/main.ts', 'run', '--replay', id, '--workspace', dir]);
    expect(b.code).toBe(3);
    expect(b.out).toBe(a.out);
    expect(b.err).toContain(`replay of ${id} matches the recording (4 commands, 3 stops)`);
    const c = await runNode(['src/cli/main.ts', 'run', '--replay', 'nope', '--workspace', dir]);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/no recorded run "nope"/);
  }, 30_000);

  it('a run recorded on v5.0-rc3 keeps its kernel and replays on it', async () => {
    const dir = tmp();
    const cmds = join(dir, 'c.cmds');
    writeFileSync(cmds, 'break kind=domain\ncontinue\n');
    const a = await runNode(['src/cli/main.ts', 'run', 'mtk-4gb-mode', '--kernel', 'v5.0-rc3', '--commands', cmds, '--workspace', dir]);
    const id = /recorded run (\S+)/.exec(a.err)![1];
    expect(a.out).toContain('kernel=v5.0-rc3 driver=pre-mt8183');
    const b = await runNode(['src/cli/main.ts', 'run', '--replay', id, '--workspace', dir]);
    expect(b.err).toMatch(/replaying \S+: scenario=mtk-4gb-mode seed=1 kernel=v5\.0-rc3/);
    expect(b.err).toContain(`replay of ${id} matches the recording`);
    expect(b.out).toBe(a.out);
  }, 30_000);
});

describe('interactive sessions as recorded runs', () => {
  it('saveSessionRun writes the journal; replaying its lines gives the same stops', async () => {
    const { saveSessionRun } = await import('../../src/cli/session-store.ts');
    const { runScript } = await import('../../src/debugger/script.ts');
    const dir = tmp();
    const ws = new Workspace(dir);
    const s = new Session(build('demo-dma-engine'));
    expect(saveSessionRun(ws, s, { name: 'demo-dma-engine', file: 'scenarios/demo-dma-engine.json', hash: 'h' }, 't')).toBeUndefined();
    await s.execAsync('break kind=dma where dev=dma32');
    await s.execAsync('continue');
    await s.execAsync('reverse-step 1; step 3');
    const id = saveSessionRun(ws, s, { name: 'demo-dma-engine', file: 'scenarios/demo-dma-engine.json', hash: 'h' }, 't')!;
    const run = readRun(ws.run(id)!.path);
    expect(run.steps.map((x) => x.line)).toEqual(['break kind=dma where dev=dma32', 'continue', 'reverse-step 1; step 3']);
    const again = runScript(new Session(build('demo-dma-engine')), run.steps.map((x) => x.line));
    expect(again.stopOf.map((x) => x?.events)).toEqual(run.steps.map((x) => x.stop?.events));
  });
});
