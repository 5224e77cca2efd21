/**
 * `dmadbg run --commands` end to end in a child process: the exit code says how the run
 * ended (0 ended, 3 at a breakpoint, 1 a bad command), --json prints one object per command.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'dmadbg-cli-'));

function run(cmds: string, ...extra: string[]) {
  const f = join(dir, `c${Math.random().toString(16).slice(2)}.cmds`);
  writeFileSync(f, cmds);
  // A bound on time and memory: a command file that loops must fail this test, not the machine.
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', 'src/cli/main.ts', 'run', 'demo-dma-engine', '--commands', f, '--no-record', ...extra], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

describe('dmadbg run --commands', () => {
  it('exit 0 when the scenario ends', () => {
    const r = run('continue\n');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/The scenario ended: event 14, t=8364ns, 79 records\./);
  });

  it('exit 3 at a breakpoint, with --json stops', () => {
    const r = run('# comment\nbreak kind=map where result=error\n\ncontinue\n', '--json');
    expect(r.code).toBe(3);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { command: string; stop?: { reason: string; record: { seq: number } } });
    expect(lines.map((l) => l.command)).toEqual(['break kind=map where result=error', 'continue']);
    expect(lines[1].stop).toMatchObject({ reason: 'breakpoint', id: 1, events: 4, record: { seq: 20, kind: 'map' } });
  });

  it('exit 1 at a bad command, with the caret', () => {
    const r = run('step\nstpe 2\nstep\n');
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n').slice(-5)).toEqual(['(dmadbg) stpe 2', 'stpe 2', '^', 'error: unknown command "stpe"', 'hint: did you mean "step"?']);
    expect(r.err).toMatch(/\.cmds:2: unknown command "stpe" \(did you mean "step"\?\)\n/);
  }, 20_000);

  it('a command file with Unicode blanks ends (U+00A0, U+3000, U+2028, U+FEFF, \\f, \\v)', () => {
    const r = run('step\u00a01\nstep\u30001\n\ufeffstep\u20281\nbreak\ffault\vmmu=1\ninfo\u00a0\u00a0breakpoints\n');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    // The breakpoint list shows the spec with plain spaces (a \v would reach the terminal).
    expect(r.out).toMatch(/\(dmadbg\) info\u00a0\u00a0breakpoints\n.*\n1 +breakpoint +y +0 +fault mmu=1\n/);
  }, 40_000);

  it('a missing command file is one line, exit 1', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'demo-dma-engine', '--commands', join(dir, 'nope')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^dmadbg: --commands: cannot read .*nope: ENOENT$/);
  });

  it('run --filter prints what the break grammar selects, and names a mistake in one line', () => {
    const cli = (...a: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'mt8183-bus-sel', ...a], { cwd: ROOT, encoding: 'utf8' });
    const r = cli('--filter', 'dma dev=vdec0 dir=read');
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const l of rows) expect(l).toMatch(/\bdma\s+dev=vdec0 .*dir=read/);
    const j = cli('--filter', 'fault', '--json');
    expect(j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; result: string })).toEqual([expect.objectContaining({ kind: 'dma', result: 'fault', addr: '0x7f000000' })]);
    const bad = cli('--filter', 'fault-irq larb=42');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('dmadbg: --filter: no larb "42" in this scenario (at column 11 of "fault-irq larb=42"); larbs here: 0, 1, 2, 3, 4, 5, 6, 7');
  }, 30_000);
});
