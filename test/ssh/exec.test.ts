import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '../../src/ssh/server.ts';
import { confineScenario, parseExec, splitCommandLine, ExecRefused } from '../../src/ssh/exec.ts';
import { SCENARIOS, connect, execCollect, makeKeys, startTestServer, type Keys } from './helpers.ts';

describe('ssh exec', () => {
  let keys: Keys;
  let server: RunningServer;
  let client: Awaited<ReturnType<typeof connect>>;

  beforeAll(async () => {
    keys = makeKeys();
    ({ server } = await startTestServer(keys));
    client = await connect(server.port, { privateKey: keys.good });
  });
  afterAll(async () => {
    client?.end();
    await server?.close();
    keys?.cleanup();
  });

  it('run demo-dma-engine --json streams JSON Lines and exits 0', async () => {
    const chunks: string[] = [];
    const r = await execCollect(client, 'run demo-dma-engine --json', (c) => chunks.push(c));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(JSON.parse(lines[0])).toMatchObject({ seq: 0, t: 0, kind: 'map' });
    expect(r.stderr).toMatch(/dmadbg: ended after \d+ events/);
  });

  it('passes the exit status through (a bad option value is a usage error, 2)', async () => {
    const r = await execCollect(client, 'run demo-dma-engine --seed abc');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed expects a whole number/);
  });

  it('run SCENARIO --commands - reads the command file from stdin (issue 20 item 16)', async () => {
    const r = await new Promise<{ out: string; err: string; code?: number }>((resolve, reject) => {
      client.exec('run mt8183-bus-sel --commands -', (err, stream) => {
        if (err) return reject(err);
        let out = '';
        let e = '';
        let code: number | undefined;
        stream.on('data', (d: Buffer) => (out += d));
        stream.stderr.on('data', (d: Buffer) => (e += d));
        stream.on('exit', (c: number) => (code = c));
        stream.on('close', () => resolve({ out, err: e, code }));
        stream.end('break fault\ncontinue\ninfo breakpoints\n');
      });
    });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^\(dmadbg\) break fault\nBreakpoint 1: fault\n\(dmadbg\) continue\nBreakpoint 1 \(fault\), (record \d+ in )?event \d+/);
    expect(r.out).toMatch(/1 +breakpoint +y +1 +fault/);
    // Not recorded in the server's workspace: it is not the client's.
    expect(r.err).not.toMatch(/recorded run/);
    await expect.poll(() => server.sessions()).toBe(0);
  });

  it('list and validate work; validate shows no server paths', async () => {
    const l = await execCollect(client, 'list --json');
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'demo-dma-engine' })]));
    const v = await execCollect(client, 'validate demo-dma-engine.json');
    expect(v.code).toBe(0);
    // The demo warns (a 32-bit engine, a buffer above 4 GiB, no pool): warnings name the file as given too.
    const lines = v.stdout.trim().split('\n');
    expect(lines.every((l) => l.startsWith('./demo-dma-engine.json:'))).toBe(true);
    expect(lines.at(-1)).toBe('./demo-dma-engine.json: ok (1 warning)');
  });

  it('refuses commands off the allowlist, options off the allowlist, and paths outside the scenarios dir', async () => {
    for (const [cmd, re] of [
      ['ls -la', /"ls" is not available over ssh/],
      ['sh -c id', /"sh" is not available/],
      ['tui', /needs a terminal/],
      ['run demo-dma-engine --commands /etc/passwd', /run: over ssh, --commands reads standard input: ssh HOST run SCENARIO --commands - < FILE/],
      ['run /etc/passwd', /no scenario "\/etc\/passwd"/],
      ['run ../package.json', /no scenario/],
      ['validate ../../../etc/hostname', /no scenario/],
    ] as const) {
      const r = await execCollect(client, cmd);
      expect(r.code, cmd).not.toBe(0);
      expect(r.stderr, cmd).toMatch(re);
      expect(r.stdout, cmd).toBe('');
    }
  });
});

describe('exec parsing and confinement', () => {
  it('splits like a shell for words and quotes', () => {
    expect(splitCommandLine(`run "a b" 'c d' e\\ f --x=1`)).toEqual(['run', 'a b', 'c d', 'e f', '--x=1']);
    expect(() => splitCommandLine('run "a')).toThrow(ExecRefused);
  });

  it('normalises options and confines scenarios', () => {
    expect(parseExec('dmadbg run demo-dma-engine --json --seed 5', SCENARIOS).args).toEqual(['run', '--json', '--seed=5', './demo-dma-engine.json']);
    expect(parseExec('tui demo-dma-engine', SCENARIOS).scenario).toBe(join(SCENARIOS, 'demo-dma-engine.json'));
    expect(parseExec('demo-dma-engine', SCENARIOS)).toMatchObject({ command: 'tui', scenario: join(SCENARIOS, 'demo-dma-engine.json') });
    expect(parseExec('dmadbg demo-dma-engine', SCENARIOS).command).toBe('tui');
    expect(() => parseExec('nope', SCENARIOS)).toThrow(/"nope" is not available over ssh/);
    expect(() => parseExec('run', SCENARIOS)).toThrow(/usage: run SCENARIO/);
    expect(() => parseExec('list extra', SCENARIOS)).toThrow(/usage: list/);
  });

  it('a NUL byte or an over-long line is a usage error, not an internal one', () => {
    const nul = (() => {
      try {
        parseExec('run demo-dma-engine --seed=1\0', SCENARIOS);
      } catch (e) {
        return e;
      }
    })();
    expect(nul).toBeInstanceOf(ExecRefused);
    expect((nul as ExecRefused).exitCode).toBe(2);
    expect((nul as Error).message).toBe('the command contains a NUL byte');
    expect(() => parseExec(`list ${'x'.repeat(5000)}`, SCENARIOS)).toThrow(/5005 characters long; the limit is 4096/);
  });

  it('does not follow a symlink out of the scenarios dir', () => {
    const keys = makeKeys();
    try {
      const dir = join(keys.dir, 'scen');
      mkdirSync(dir);
      writeFileSync(join(keys.dir, 'secret.json'), '{}');
      symlinkSync(join(keys.dir, 'secret.json'), join(dir, 'link.json'));
      writeFileSync(join(dir, 'ok.json'), '{}');
      expect(confineScenario(dir, 'ok')).toMatch(/ok\.json$/);
      expect(() => confineScenario(dir, 'link')).toThrow(/no scenario/);
      expect(() => confineScenario(dir, join(keys.dir, 'secret.json'))).toThrow(/no scenario/);
      expect(() => confineScenario(dir, '.')).toThrow(/no scenario/);
    } finally {
      keys.cleanup();
    }
  });
});

describe('exec with a pty', () => {
  it('`ssh -t host list` gets CR LF line ends (the client terminal is raw)', async () => {
    const keys = makeKeys();
    const { server } = await startTestServer(keys);
    try {
      const c = await connect(server.port, { privateKey: keys.good });
      const out = await new Promise<string>((resolve, reject) => {
        c.exec('list', { pty: { term: 'xterm', cols: 80, rows: 24 } }, (err, stream) => {
          if (err) return reject(err);
          let s = '';
          stream.on('data', (d: Buffer) => (s += d));
          stream.on('close', () => resolve(s));
        });
      });
      c.end();
      expect(out).toMatch(/demo-dma-engine[^\r\n]*\r\n/);
      expect(out).not.toMatch(/[^\r]\n/);
      expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    } finally {
      await server.close();
      keys.cleanup();
    }
  });
});
