/**
 * Headless runs stream: every record goes from emit to stdout through a bounded buffer,
 * written synchronously, so a reader slower than the run slows the run, not memory.
 * Before, `run --json` into a slow pipe queued everything (1.8 GB at 1 M demo events) and
 * then died with ENOBUFS having delivered 494 of 5.7 M lines.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_BUFFERED_LINES, Out } from '../../src/cli/output.ts';
import { ROOT } from '../helpers/scenario.ts';

/** Peak resident set of a live process (VmHWM, a high-water mark), in MiB. */
function peakRssMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

describe('headless run streaming', () => {
  it('a slow reader of a 2 M-record run --json receives every record; the run never holds more than a fixed number', { timeout: 300_000 }, async () => {
    // long-run.json: one engine, 3 records per event (map, dma, unmap).
    const events = 666_667;
    const want = events * 3;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'test/e2e/fixtures/long-run.json', '--json', '--max-events', String(events)], {
      cwd: ROOT,
      env: { ...process.env, DMADBG_OUTPUT_STATS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    let next = 0;
    let bad: string | undefined;
    let rest = '';
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRssMiB(child.pid!))), 250);
    child.stdout.on('data', (d: Buffer) => {
      const lines = (rest + d.toString('utf8')).split('\n');
      rest = lines.pop()!;
      for (const l of lines) {
        const seq = /^\{"seq":(\d+),/.exec(l)?.[1];
        if (Number(seq) !== next && !bad) bad = `record ${next} missing; got: ${l.slice(0, 80)}`;
        next++;
      }
      // A slow consumer: take one chunk, then look away for a while.
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 3);
    });
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    clearInterval(poll);
    expect(bad).toBeUndefined();
    expect(rest).toBe('');
    expect(next).toBe(want);
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`stopped at --max-events ${events} after ${events} events, ${want} records`));
    const held = Number(/output buffer peak (\d+) lines/.exec(stderr)?.[1]);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(MAX_BUFFERED_LINES);
    // Memory stays near the process's own size (~120 MB under tsx), far from the 1.8 GB of before.
    expect(peak).toBeLessThan(250);
  });

  it('a full non-blocking pipe makes the writer wait, not drop or grow', async () => {
    // A reader that takes nothing for a while: the pipe (64 KiB) fills and writeSync says EAGAIN.
    const reader = spawn(process.execPath, ['-e', "let n=0;setTimeout(()=>process.stdin.on('data',d=>{for(const c of d)if(c===10)n++}).on('end',()=>process.stdout.write(String(n))),300)"], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    const out = new Out(fd);
    for (let i = 0; i < 50_000; i++) out.line(`{"seq":${i},"t":0,"kind":"x","pad":"${'p'.repeat(40)}"}`);
    await out.end();
    expect(out.closed).toBe(false);
    expect(out.peakLines).toBeLessThanOrEqual(MAX_BUFFERED_LINES);
    reader.stdin.end();
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d));
    await new Promise<void>((r) => reader.on('close', () => r()));
    expect(Number(got)).toBe(50_000);
  });

  it('a reader that goes away ends the output quietly', () => {
    const r = spawn('sh', ['-c', `${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts run test/e2e/fixtures/long-run.json --json | head -n 3 >/dev/null`], { cwd: ROOT });
    return new Promise<void>((done, fail) => {
      let err = '';
      r.stderr.on('data', (d: Buffer) => (err += d));
      r.on('close', () => {
        try {
          expect(err).not.toMatch(/EPIPE|Error|at /);
          expect(err).toMatch(/output closed after/);
          done();
        } catch (e) {
          fail(e);
        }
      });
    });
  }, 60_000);
});
