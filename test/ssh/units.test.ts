import { describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import { clampSize, createTtyStreams } from '../../src/ssh/channel-tty.ts';
import { LIMITS } from '../../src/sim/limits.ts';
import { SharedSessions, type PortLike } from '../../src/ssh/shared-session.ts';
import { IdleTimer } from '../../src/ssh/limits.ts';

function fakeChannel() {
  const ch = new PassThrough() as PassThrough & { stderr: PassThrough };
  ch.stderr = new PassThrough();
  return ch;
}

describe('channel-tty', () => {
  it('says whether a size is the client\'s own or a guess (clamped, missing, nonsense)', () => {
    expect(clampSize(120, 40)).toEqual({ cols: 120, rows: 40, exact: true });
    expect(clampSize(10_000, 10_000)).toEqual({ cols: LIMITS.terminalCols, rows: LIMITS.terminalRows, exact: false });
    expect(clampSize(0, 0)).toEqual({ cols: 80, rows: 24, exact: false });
    expect(clampSize(100.5, 30).exact).toBe(false);
    expect(clampSize('100', 30).exact).toBe(false);
    const s = createTtyStreams(fakeChannel() as never, { cols: 70, rows: 20, term: 'xterm', exact: false }, { onInputError: () => {} });
    expect(s.stdout.exact).toBe(false);
    s.resize(90, 30, true);
    expect(s.stdout.exact).toBe(true);
  });

  it('translates LF to CRLF and reports the pty size; resize emits once', async () => {
    const ch = fakeChannel();
    const out: string[] = [];
    const sink = new PassThrough();
    const s = createTtyStreams(Object.assign(ch, { write: (b: string) => (out.push(b), true) }) as never, { cols: 70, rows: 20, term: 'xterm' }, { onInputError: () => {}, clearOnResize: false });
    void sink;
    expect([s.stdout.columns, s.stdout.rows, s.stdout.isTTY, s.stdin.isTTY]).toEqual([70, 20, true, true]);
    await new Promise<void>((r) => s.stdout.write('a\nb\r\nc', () => r()));
    expect(out.join('')).toBe('a\r\nb\r\nc');
    const onResize = vi.fn();
    s.stdout.on('resize', onResize);
    s.resize(80, 24);
    s.resize(80, 24);
    expect(onResize).toHaveBeenCalledTimes(1);
    expect(s.stdout.getWindowSize()).toEqual([80, 24]);
  });

  it('an exception in an input handler ends up in onInputError, not the process', async () => {
    const ch = fakeChannel();
    const errors: unknown[] = [];
    const s = createTtyStreams(ch as never, { cols: 80, rows: 24, term: 'xterm' }, { onInputError: (e) => errors.push(e) });
    s.stdin.on('readable', () => {
      s.stdin.read();
      throw new Error('boom in a key handler');
    });
    ch.emit('data', Buffer.from('x'));
    await new Promise((r) => setTimeout(r, 20));
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom in a key handler');
  });
});

describe('shared sessions', () => {
  const port = (): PortLike & { execs: string[] } => {
    const execs: string[] = [];
    return { execs, exec: async (l) => (execs.push(l), { lines: ['ok'] }), interrupt: () => {}, subscribe: () => () => {} };
  };

  it('first member drives; watchers are refused; :driver takes over; leaving hands over', async () => {
    const p = port();
    const reg = new SharedSessions(() => ({ port: p }));
    const [a, b] = await Promise.all([reg.join('k', 'alice'), reg.join('k', 'bob')]);
    expect(reg.count).toBe(1);
    expect([a.role, b.role]).toEqual(['driver', 'watcher']);
    expect((await b.port.exec('step')).error?.message).toMatch(/watching: alice drives/);
    expect(p.execs).toEqual([]);
    await a.port.exec('step');
    expect(p.execs).toEqual(['step']);
    expect((await b.port.exec(':driver')).lines[0]).toMatch(/you drive now \(took over from alice\)/);
    expect([a.role, b.role]).toEqual(['watcher', 'driver']);
    expect(a.status()).toMatch(/watching bob drive/);
    b.leave();
    expect(a.role).toBe('driver');
    a.leave();
    expect(reg.count).toBe(0);
  });

  it('watchers are told about role changes through subscribe', async () => {
    const reg = new SharedSessions(() => ({ port: port() }));
    const a = await reg.join('k', 'a');
    const b = await reg.join('k', 'b');
    const seen = vi.fn();
    const off = a.port.subscribe(seen);
    await b.port.exec('driver');
    expect(seen).toHaveBeenCalled();
    off();
  });
});

describe('idle timer', () => {
  it('fires after the idle time, not while touched', async () => {
    const fired = vi.fn();
    const t = new IdleTimer(60, fired);
    await new Promise((r) => setTimeout(r, 40));
    t.touch();
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toHaveBeenCalledTimes(1);
  });
});

describe('coalescing frames (slow links)', () => {
  it('while the link is behind, only the newest frame is sent, as a diff against the last one sent', async () => {
    const { CoalescingFrames } = await import('../../src/ssh/tui-root.ts');
    const sent: string[] = [];
    let congested = false;
    const f = new CoalescingFrames((s) => sent.push(s), 20, 5, () => congested, 5);
    f.write('a\nb\nc\n');
    expect(sent).toHaveLength(1);
    congested = true;
    f.write('a\nB1\nc\n');
    f.write('a\nB2\nc\n');
    f.write('a\nB3\nC3\n');
    expect(sent).toHaveLength(1);
    expect(f.skipped).toBe(2);
    congested = false;
    await new Promise((r) => setTimeout(r, 30));
    expect(sent).toHaveLength(2);
    // Rows 2 and 3 changed since the last frame sent; row 1 did not (FrameStdout picks
    // the cursor moves, absolute or relative).
    expect(sent[1]).toContain('\x1b[2;1HB3');
    expect(sent[1]).toContain('C3');
    expect(sent[1]).not.toContain('\x1b[1;1H');
    expect(sent[1]).not.toMatch(/a|B1/);
    f.close();
  });
});
