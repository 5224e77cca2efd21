/**
 * The real CLI in a real pseudo-terminal, as a user drives it: launch the demo, step, set
 * a breakpoint through `:`, continue to it, reverse-step, open a panel, resize, quit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Pty, spawnCli } from './pty.ts';

let p: Pty | undefined;
afterEach(() => p?.kill());

describe('dmadbg tui in a pty', () => {
  it('steps, breaks, continues, reverse-steps, zooms a panel, resizes and quits', async () => {
    p = spawnCli(['tui', 'demo-dma-engine']);
    await p.waitFor(/demo-dma-engine\s+seed 7\s+v5\.4\s+event 0/);
    expect(p.raw()).toContain('\x1b[?1049h');
    p.send('s');
    await p.waitFor(/event 1\b.*stopped: step/);
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('break map where result=error\r');
    await p.waitFor(/1 on\s+break\s+map where result=error/);
    p.send('c');
    // A frame can arrive in several reads: wait for the status and the selected row together.
    const atBp = await p.waitFor(/stopped: breakpoint 1[^]*\n>\s+\d+\s+\S+\s+map/);
    const ev = Number(/event (\d+)/.exec(atBp)![1]);
    expect(atBp).toMatch(/^>\s+\d+\s+\S+\s+map/m);
    // Stopped at the record, inside event ev: S goes back to the event's start.
    expect(atBp).toMatch(new RegExp(`event ${ev}\\s+rec \\d+`));
    p.send('S');
    await p.waitFor(new RegExp(`event ${ev - 1}\\b.*stopped: reverse-step`));
    // Focus the devices panel and zoom it.
    p.send('\t');
    await new Promise((r) => setTimeout(r, 50));
    p.send('\r');
    const zoomed = await p.waitFor((ls) => /^▾ 2 Devices/.test(ls[1]));
    expect(zoomed).not.toContain('1 Timeline');
    expect(zoomed).toMatch(/blit0\s+dma-engine/);
    p.send('\r');
    await p.waitFor(/1 Timeline/);
    p.resize(80, 24);
    // Wait for the re-laid-out frame, not the old one (whose rows also start with "s step").
    const small = await p.waitFor((ls) => /s step/.test(ls[22]) && /demo-dma-engine/.test(ls[0]));
    const lines = await p.lines();
    expect(lines[0]).toMatch(/demo-dma-engine/);
    expect(lines[22]).toMatch(/s step/);
    expect(small).toMatch(/1 Timeline/);
    p.send('q');
    const { exitCode } = await p.exited;
    expect(exitCode).toBe(0);
    expect(p.raw()).toMatch(/\x1b\[\?1049l[^]*$/);
  }, 120_000);

  it('opens the scenario picker without a scenario and loads the chosen one', async () => {
    p = spawnCli(['tui'], 100, 30);
    await p.waitFor(/open a scenario/);
    await p.waitFor(/demo-dma-engine/);
    // The filter and Enter in one read, as a paste or keys coalesced over SSH arrive.
    p.send('demo\r');
    await p.waitFor(/demo-dma-engine\s+seed 7.*stopped: start/);
    p.send('q');
    expect((await p.exited).exitCode).toBe(0);
  }, 120_000);

  it('leaves the alternate screen and restores the cursor when terminated', async () => {
    // Without the `tui` word, as `ssh -t host dmadbg SCENARIO` runs it.
    p = spawnCli(['demo-dma-engine'], 80, 24);
    await p.waitFor(/event 0/);
    p.kill('SIGTERM');
    const { exitCode } = await p.exited;
    expect(exitCode).toBe(143);
    expect(p.raw()).toMatch(/\x1b\[\?1049l[^]*$/);
    expect(p.raw()).toContain('\x1b[?25h');
  }, 90_000);
});

describe('a long continue in a pty', () => {
  it('runs in slices with progress, keeps keys live, and stops on Esc at an event boundary', async () => {
    p = spawnCli(['tui', 'test/e2e/fixtures/long-run.json']);
    await p.waitFor(/long-run\s+seed 1/);
    p.send('c');
    const running = await p.waitFor(/\d+(\.\d+)?[kM]? ev\s+\d+(\.\d+)?[kM]? ev\/s\s+Esc stops.*running/);
    expect(running).toMatch(/Esc stop/);
    // Keys stay live while it runs: the help overlay opens and closes.
    p.send('?');
    await p.waitFor(/Help: every key/);
    p.send('\x1b');
    await p.waitFor(/1 Timeline/);
    p.send('q');
    await p.waitFor(/A run is going\. Quit anyway\? \(y\/n\)/);
    p.send('n');
    await new Promise((r) => setTimeout(r, 100));
    p.send('\x1b');
    const stopped = await p.waitFor(/stopped: interrupt/);
    const ev = Number(/event (\d+)/.exec(stopped)![1]);
    expect(ev).toBeGreaterThan(0);
    p.send('q');
    expect((await p.exited).exitCode).toBe(0);
  }, 120_000);
});

describe('resizes', () => {
  it('redraws after the terminal was resized and resized back before it looked (the size it sees is unchanged)', async () => {
    // A monkey under load found it: a storm of resizes the TUI read only after the last, which
    // restored the size it started with. The terminal had truncated its rows meanwhile; a
    // redraw that waited for a different size never came, and the status bar stayed cut.
    p = spawnCli(['tui', 'demo-dma-engine'], 100, 30);
    await p.waitFor(/demo-dma-engine\s+seed 7\s+v5\.4\s+event 0/);
    // Stopped, the TUI cannot read the first SIGWINCH before the second resize.
    p.kill('SIGSTOP');
    p.resize(12, 4);
    p.resize(100, 30);
    p.kill('SIGCONT');
    await p.waitFor((ls) => /demo-dma-engine\s+seed 7\s+v5\.4\s+event 0/.test(ls[0]) && /1 Timeline/.test(ls[1]), 10_000);
    p.send('q');
    expect((await p.exited).exitCode).toBe(0);
  });
});
