/**
 * The workspace never stops the debugger and loses nothing: an unwritable workspace is one
 * warning and the command goes on; four writers all get their turn (fair, bounded lock
 * waits); two sessions adding breakpoints keep both; scenario names like "constructor" are
 * names; what killed writers leave is swept at the next start.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { wireSession } from '../../src/cli/session-store.ts';
import { Workspace } from '../../src/store/workspace.ts';
import { queueDirOf } from '../../src/store/lock.ts';
import { build, ROOT } from '../helpers/scenario.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'dmadbg-ws-'));
const CMDS = join(tmpdir(), `dmadbg-ws-cmds-${process.pid}.cmds`);
writeFileSync(CMDS, 'break fault\nstep 2\ninfo breakpoints\n');

/** The CLI with --commands on a workspace; as root, run as nobody so file modes apply. */
function runCli(ws: string, asNobody = false) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'demo-dma-engine', '--commands', CMDS, '--restore', '--workspace', ws], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    ...(asNobody && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A pid that is certainly gone: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('an unwritable workspace: one warning, and the command goes on', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a path under /dev/null', () => '/dev/null/ws', /cannot create \/dev\/null\/ws: a file is in the way of a directory \(ENOTDIR\)/],
    ['a path under /proc (used to hang)', () => '/proc/1/nope', /cannot create \/proc\/1\/nope: (no such directory \(ENOENT\)|not permitted \(EPERM\)|permission denied \(EACCES\))/],
    ['a 5,000-character path', () => join(tmpdir(), 'x'.repeat(5000)), /the path is too long \(ENAMETOOLONG\)/],
    ['workspace.json is a directory', () => {
      const d = tmp();
      mkdirSync(join(d, 'workspace.json'));
      return d;
    }, /cannot (read|write) .*workspace\.json: a directory is in the way of a file \(EISDIR\)/],
    ['runs is a file', () => {
      const d = tmp();
      writeFileSync(join(d, 'runs'), 'x');
      return d;
    }, /cannot write .*runs\/.*\.ndjson: a file is in the way of a directory \(ENOTDIR\)/],
  ];
  for (const [what, dir, why] of cases) {
    it(what, () => {
      const r = runCli(dir());
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/1 +breakpoint +y +0 +fault/);
      const warnings = r.err.split('\n').filter((l) => /workspace/.test(l));
      expect(warnings, r.err).toHaveLength(1);
      expect(warnings[0]).toMatch(why);
      expect(warnings[0]).toMatch(/; going on without saving breakpoints, history or runs$/);
      expect(r.err).not.toMatch(/\n\s+at |Error:/);
    });
  }

  it('a read-only workspace directory', () => {
    const d = tmp();
    chmodSync(d, 0o555);
    chmodSync(tmpdir(), 0o1777);
    const r = runCli(d, true);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/1 +breakpoint +y +0 +fault/);
    expect(r.err).toMatch(/dmadbg: workspace .*: cannot write .*: permission denied \(EACCES\); going on without saving breakpoints, history or runs\n/);
    expect(r.err.split('\n').filter((l) => /workspace/.test(l))).toHaveLength(1);
    expect(readdirSync(d)).toEqual([]);
  });
});

function runNode(args: string[]): Promise<{ code: number; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, err }));
  });
}

describe('four writers at once', () => {
  it('each of 4 x 250 updates lands; no writer waits out its timeout or crashes', async () => {
    const dir = tmp();
    const n = 250;
    // A 5 s timeout: with the queue a waiter waits for at most the three others' turns.
    const rs = await Promise.all(['A', 'B', 'C', 'D'].map((t) => runNode(['test/store/writer2.ts', dir, t, String(n), '50', '5000'])));
    for (const r of rs) {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    }
    const d = new Workspace(dir).read();
    for (const t of ['A', 'B', 'C', 'D']) expect(d.history.filter((h) => h.startsWith(`${t}-`))).toHaveLength(n);
    expect(d.runs).toHaveLength(4 * (n / 50));
    expect(readdirSync(queueDirOf(join(dir, 'workspace.json')))).toEqual([]);
  }, 120_000);
});

describe('two sessions on one scenario and workspace', () => {
  it('keep both sessions\' breakpoints; a deletion removes only that one', () => {
    const dir = tmp();
    const open = () => new Session(build('demo-dma-engine'), wireSession(new Workspace(dir), { name: 'demo-dma-engine', file: 'demo.json', hash: 'h' }).options);
    const a = open();
    const b = open();
    a.exec('break fault');
    b.exec('break kind=dma where dev=dma32');
    a.exec('bookmark a-here');
    b.exec('bookmark b-here');
    let disk = new Workspace(dir).scenario('demo-dma-engine')!;
    expect(disk.points.map((p) => p.what)).toEqual(['fault', 'kind=dma where dev=dma32']);
    expect(Object.keys(disk.bookmarks).sort()).toEqual(['a-here', 'b-here']);
    a.exec('disable 1');
    b.exec('delete 1');
    disk = new Workspace(dir).scenario('demo-dma-engine')!;
    expect(disk.points.map((p) => [p.what, p.enabled])).toEqual([['fault', false]]);
    // A third session restores what is on disk.
    expect(open().exec('info breakpoints').lines.join('\n')).toMatch(/1 +breakpoint +n +0 +fault/);
  });

  it('scenario names like constructor, toString, valueOf, hasOwnProperty are names', () => {
    const dir = tmp();
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      const ws = new Workspace(dir);
      expect(ws.scenario(name)).toBeUndefined();
      const s = new Session(build('demo-dma-engine'), wireSession(ws, { name, file: `${name}.json`, hash: 'h' }).options);
      s.exec('break fault');
      s.exec('bookmark constructor');
      expect(new Workspace(dir).scenario(name)?.points.map((p) => p.what)).toEqual(['fault']);
    }
    const d = new Workspace(dir).read();
    expect(Object.keys(d.scenarios).sort()).toEqual(['constructor', 'hasOwnProperty', 'toString', 'valueOf']);
    expect(JSON.parse(readFileSync(join(dir, 'workspace.json'), 'utf8')).scenarios.constructor.bookmarks).toEqual({ constructor: 0 });
  });
});

describe('what killed writers leave is gone after the next start', () => {
  it('temporary files, a dead lock, dead queue tickets; a run file without its index entry is indexed', () => {
    const dir = tmp();
    new Workspace(dir).update((d) => d.history.push('before'));
    const pid = deadPid();
    const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
    mkdirSync(join(dir, 'runs'), { recursive: true });
    writeFileSync(join(dir, `.workspace.json.${pid}.0badc0de.tmp`), '{"half":');
    writeFileSync(join(dir, 'runs', `.r9.ndjson.${pid}.00ff00ff.tmp`), '{"type":"run"');
    writeFileSync(join(dir, 'workspace.json.lock'), JSON.stringify({ pid, host: hostname(), at: 0, token: 't' }));
    writeFileSync(join(dir, 'workspace.json.lock.stale-123-abcdef'), 'x');
    mkdirSync(queueDirOf(join(dir, 'workspace.json')), { recursive: true });
    writeFileSync(join(queueDirOf(join(dir, 'workspace.json')), `000000000000001-${String(pid).padStart(10, '0')}-00000000-${host}`), '');
    const orphan = join(dir, 'runs', 'r9.ndjson');
    writeFileSync(orphan, [{ type: 'run', id: 'r9', scenario: 's', file: '/f', hash: 'h', seed: 1, kernel: 'v5.4', startedAt: '2024-01-01T00:00:00Z' }, { type: 'command', line: 'step', stop: { reason: 'step' } }, { type: 'end', exit: 0 }].map((x) => JSON.stringify(x)).join('\n') + '\n');

    const ws = new Workspace(dir);
    expect(readdirSync(dir).sort()).toEqual(['runs', 'workspace.json', 'workspace.json.lock.q']);
    expect(readdirSync(join(dir, 'runs'))).toEqual(['r9.ndjson']);
    expect(readdirSync(queueDirOf(join(dir, 'workspace.json')))).toEqual([]);
    expect(ws.read().history).toEqual(['before']);
    expect(ws.run('r9')).toMatchObject({ id: 'r9', path: orphan, commands: 1, stops: 1, exit: 0 });
  });

  it('a process killed while it takes the lock never leaves a lock without its owner (10 kills)', async () => {
    // A lock created empty and killed before its text was written stood until it went stale
    // (the sweep cannot tell whose it is): with the lock created before it was written, 3
    // kills in 12 left one. Now it appears whole or not at all.
    const dir = tmp();
    const file = join(dir, 'workspace.json');
    for (let k = 0; k < 10; k++) {
      const p = spawn(process.execPath, ['--import', 'tsx', 'test/store/locker.ts', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
      await new Promise<void>((r) => p.stdout!.once('data', () => r()));
      await new Promise((r) => setTimeout(r, 20 + 13 * k));
      p.kill('SIGKILL');
      await new Promise((r) => p.on('close', r));
      if (existsSync(`${file}.lock`)) expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8')), `kill ${k}: the lock names its owner`).toMatchObject({ pid: p.pid });
      new Workspace(dir).read();
      expect(readdirSync(dir).filter((f) => /\.tmp$|\.lock$|stale-/.test(f)), `kill ${k}: the next start leaves nothing`).toEqual([]);
    }
  }, 120_000);

  it('kill -9 during saves, 12 times: the next start leaves nothing behind and the file parses', async () => {
    const dir = tmp();
    for (let k = 0; k < 12; k++) {
      const p = spawn(process.execPath, ['--import', 'tsx', 'test/store/writer2.ts', dir, `K${k}`, '100000', '3'], { cwd: ROOT, stdio: 'ignore' });
      // Let it get going (tsx starts in ~0.5-1 s), then kill it mid-write.
      await new Promise((r) => setTimeout(r, 900 + 97 * k));
      p.kill('SIGKILL');
      await new Promise((r) => p.on('close', r));
    }
    const ws = new Workspace(dir);
    const d = ws.read();
    expect(d.version).toBe(1);
    const leftovers = [...readdirSync(dir), ...readdirSync(join(dir, 'runs')).map((f) => `runs/${f}`)].filter((f) => /\.tmp$|\.lock$|stale-/.test(f));
    expect(leftovers).toEqual([]);
    expect(readdirSync(queueDirOf(join(dir, 'workspace.json')))).toEqual([]);
    // Every run file on disk is in the index.
    const files = readdirSync(join(dir, 'runs')).map((f) => join(dir, 'runs', f));
    expect(files.filter((f) => !d.runs.some((r) => r.path === f))).toEqual([]);
    expect(existsSync(join(dir, 'workspace.json.corrupt-1'))).toBe(false);
  }, 120_000);
});
