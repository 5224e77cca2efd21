/**
 * The whole TUI on the demo scenario in an in-process virtual terminal: keys from the one
 * keymap drive a real Session, and the assertions read the screen as a user would.
 */
import React from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DmadbgApp } from '../../src/tui/app.tsx';
import type { SessionPort } from '../../src/tui/session-port.ts';
import { ALL_MODELS, demoPort } from './fixtures.ts';
import { Session } from '../../src/debugger/session.ts';
import { portFor } from '../../src/tui/session-app.tsx';
import { build } from '../helpers/scenario.ts';
import { KEY, mount, type VTerm } from './vterm.tsx';
import chalk from 'chalk';

let vt: VTerm | undefined;
afterEach(() => vt?.unmount());

async function demo(cols = 120, rows = 40, props: Partial<React.ComponentProps<typeof DmadbgApp>> = {}) {
  const { port } = demoPort(props.port ? undefined : undefined);
  const p = props.port ?? port;
  vt = await mount((c, r) => <DmadbgApp port={p} cols={c} rows={r} color={false} onQuit={() => {}} {...props} />, cols, rows);
  return vt;
}

describe('TUI on the demo scenario', () => {
  it('opens with the status bar, the panels and the hint bar, one row short of the screen', async () => {
    const t = await demo();
    const lines = await t.lines();
    expect(lines[0]).toMatch(/demo-dma-engine\s+seed 7\s+v5\.4\s+event 0\s+t 0ns.*stopped: start/);
    expect(lines.join('\n')).toMatch(/1 Timeline/);
    expect(lines.join('\n')).toMatch(/2 Devices/);
    expect(lines[38]).toMatch(/s step.*\? help.*q quit/);
    expect(lines[39].trim()).toBe('');
  });

  it('names the kernel in the status bar at 80 columns, v5.0-rc3 included', async () => {
    const session = new Session(build('mtk-4gb-mode', { kernel: 'v5.0-rc3' }));
    const t = await demo(80, 24, { port: portFor(session) });
    expect((await t.lines())[0]).toMatch(/mtk-4gb-mode\s+seed 1\s+v5\.0-rc3\s+event 0\s+t 0ns.*stopped: start/);
  });

  it('steps with s, back with S, by record with i and I, and moves the event number', async () => {
    const t = await demo();
    await t.press('s');
    await t.waitFor(/event 1\b.*stopped: step/);
    await t.press('S');
    await t.waitFor(/event 0\b.*stopped: reverse-step/);
    await t.press('i');
    // A record stop names the record: the machine is inside event 1, right after record 0.
    await t.waitFor(/event 1\s+rec 0\b.*stopped: stepi/);
    await t.press('i', 'I');
    await t.waitFor(/event 1\s+rec 0\b.*stopped: reverse-stepi/);
    await t.press(':', 'step 10', KEY.enter);
    const s = await t.waitFor(/event 10\b/);
    expect(s).toMatch(/>\s+\d+\s+\S+\s+\w/);
    // The selected record in full under the list (rows are cut to the column).
    expect(s).toMatch(/#\d+ t=\d+ns \S+ .*dev=\w+ .*=/);
    // Several keys in one read ("ss") are each handled.
    await t.press('ss');
    await t.waitFor(/event 12\b/);
  });

  it('sets a breakpoint through :, continues to it, reverse-steps', async () => {
    const t = await demo();
    await t.press(':', 'break map where result=error', KEY.enter);
    await t.waitFor(/1 on\s+break\s+map where result=error/);
    await t.press('c');
    const s = await t.waitFor(/stopped: breakpoint 1/);
    const ev = Number(/event (\d+)/.exec(s)![1]);
    expect(s).toMatch(/^>\s+20\s+501ns map/m);
    // Stopped inside event ev: S goes back to its start (just after event ev-1).
    await t.press('S');
    await t.waitFor(new RegExp(`event ${ev - 1}\\b.*stopped: reverse-step`));
    // r runs from the start to the first breakpoint, after asking.
    await t.press('r');
    await t.waitFor(/Run from the start \(event 0\) to the first breakpoint\? \(y\/n\)/);
    await t.press('y');
    await t.waitFor(new RegExp(`event ${ev}\\s+rec 20\\b.*stopped: breakpoint 1`));
  });

  it('completes commands with Tab and recalls history with Up', async () => {
    const t = await demo();
    await t.press(':', 'rev', KEY.tab);
    await t.waitFor(/:reverse-/);
    await t.press(KEY.esc, ':', 'step 2', KEY.enter);
    await t.waitFor(/event 2\b/);
    await t.press(':', KEY.up);
    await t.waitFor(/^:step 2/m);
    await t.press(KEY.enter);
    await t.waitFor(/event 4\b/);
    // An empty command line repeats the last command, as in gdb.
    await t.press(':', KEY.enter);
    await t.waitFor(/event 6\b/);
  });

  it('shows a command error in the hint row with the hint', async () => {
    const t = await demo();
    await t.press(':', 'stpe', KEY.enter);
    await t.waitFor(/error: unknown command "stpe".*did you mean "step"/);
  });

  it('opens the help overlay with every key, and closes it with Esc', async () => {
    const t = await demo();
    await t.press('?');
    const s = await t.waitFor(/Help: every key/);
    expect(s).toContain('Reverse-continue to the previous breakpoint hit');
    await t.press(KEY.esc);
    await t.waitFor(/1 Timeline/);
  });

  it('moves focus with Tab, zooms with Enter and back', async () => {
    const t = await demo();
    await t.press(KEY.tab, KEY.enter);
    const s = await t.waitFor(/2 Devices/);
    expect(s).not.toMatch(/1 Timeline/);
    await t.press(KEY.enter);
    await t.waitFor(/1 Timeline/);
    // Shift-Tab from Devices goes back to Timeline, then wraps around to the Console.
    await t.press(KEY.shiftTab, KEY.shiftTab, KEY.enter);
    const c = await t.waitFor(/▾ 4 Console/);
    expect(c).not.toMatch(/1 Timeline/);
  });

  it('searches the timeline with / and n / N', async () => {
    const t = await demo();
    await t.press('c');
    await t.waitFor(/ended: end/);
    await t.press('<', '/', 'dev=dma32', KEY.enter);
    const s = await t.waitFor(/^>.*dev=dma32/m);
    const first = /^>\s+(\d+)/m.exec(s)![1];
    await t.press('n');
    const s2 = await t.screen();
    expect(/^>\s+(\d+)/m.exec(s2)![1]).not.toBe(first);
    await t.press('N');
    expect(/^>\s+(\d+)/m.exec(await t.screen())![1]).toBe(first);
  });

  it('filters the timeline with f', async () => {
    const t = await demo();
    await t.press(':', 'step 10', KEY.enter);
    await t.press('f', 'kind=unmap', KEY.enter);
    const s = await t.waitFor(/filter "kind=unmap"/);
    const timeline = s.split('Console')[0];
    const rows = timeline.split('\n').filter((l) => /^[>+ ]\s+\d+\s+\d/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toContain('unmap');
    // The grammar of break: fields and values are checked, the filter in force stays.
    await t.press('f', 'map where size>=16384', KEY.enter, 'z');
    const big = await t.waitFor(/filter "map where size>=16384"[^]*size=/);
    await t.press('z');
    const maps = big.split('\n').filter((l) => /^[>+ ]\s+\d+\s+\d/.test(l));
    // The demo maps 16 KiB buffers and 64-byte ones: only the first kind is left.
    expect(maps.length).toBeGreaterThan(0);
    for (const l of maps) expect(l).toMatch(/\bmap\b.*size=16384/);
    await t.press('f', 'dma dve=blit0', KEY.enter);
    await t.waitFor(/filter: a dma record has no field "dve" \(at column 5\); did you mean "dev"\?/);
    expect(await t.screen()).toMatch(/filter "map where size>=16384"/);
  });

  it('b breaks on the selected record kind; Enter opens the record, g goes to it', async () => {
    const t = await demo();
    await t.press(':', 'step 10', KEY.enter);
    await t.waitFor(/event 10\b/);
    await t.press('b');
    await t.waitFor(/1 on\s+break\s+kind=\w/);
    await t.press('k', 'k');
    const sel = Number(/^>\s+(\d+)/m.exec(await t.screen())![1]);
    await t.press(KEY.enter);
    await t.waitFor(new RegExp(`Record #${sel} \\(`));
    await t.press('g');
    await t.waitFor(new RegExp(`^>\\s+${sel}\\s`, 'm'));
    expect(await t.screen()).toMatch(/stopped: goto|stopped: \w+/);
  });

  it('refuses machine-changing keys in a read-only session', async () => {
    const t = await demo(120, 40, { readOnly: true, role: 'spectator' });
    await t.press('s');
    const s = await t.waitFor(/read-only/);
    expect(s).toMatch(/event 0\b/);
    expect(s).toContain('[spectator]');
  });

  it('quits with q', async () => {
    const onQuit = vi.fn();
    const t = await demo(120, 40, { onQuit });
    await t.press('q');
    expect(onQuit).toHaveBeenCalled();
  });
});

describe('sizes, resize and colour', () => {
  it('re-lays out on resize: side by side at 120x40, stacked at 80x24, nothing past the edge', async () => {
    const { port } = demoPort(ALL_MODELS);
    const t = (vt = await mount((c, r) => <DmadbgApp port={port} cols={c} rows={r} color={false} onQuit={() => {}} />, 120, 40));
    let lines = await t.lines();
    expect(lines.some((l) => /Timeline.*Page tables/.test(l))).toBe(true);
    await t.resize(80, 24);
    lines = await t.lines();
    expect(lines).toHaveLength(24);
    expect(lines[0]).toMatch(/demo-dma-engine/);
    expect(lines[22]).toMatch(/s step/);
    expect(lines[23].trim()).toBe('');
    // Stacked: the timeline's title is on a row of its own; panels that do not fit collapse.
    expect(lines.find((l) => l.includes('1 Timeline'))).not.toMatch(/Page tables/);
    expect(lines.join('\n')).toMatch(/▸ \d \w/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    await t.resize(160, 50);
    lines = await t.lines();
    expect(lines[48]).toMatch(/s step/);
  });

  it('still draws in a tiny terminal (40x10) without passing the edges', async () => {
    const { port } = demoPort(ALL_MODELS);
    const t = (vt = await mount((c, r) => <DmadbgApp port={port} cols={c} rows={r} color={false} onQuit={() => {}} />, 40, 10));
    await t.press('s');
    const lines = await t.lines();
    expect(lines[0]).toMatch(/demo-dma-engine/);
    expect(lines[8]).toMatch(/s step/);
    expect(lines[9].trim()).toBe('');
  });

  it('focuses a collapsed panel and opens it (Tab) at 80x24', async () => {
    const { port } = demoPort(ALL_MODELS);
    const t = (vt = await mount((c, r) => <DmadbgApp port={port} cols={c} rows={r} color={false} onQuit={() => {}} />, 80, 24));
    await t.press('3');
    const s = await t.waitFor(/▾ 3 Larb bus/);
    expect(s).toContain('EMI (mt8183)');
  });

  it('writes no colour under NO_COLOR and uses only the 16 base colours otherwise', async () => {
    // chalk decides its level from the test process's stdout (not a TTY here); a terminal has colour.
    chalk.level = 3;
    const t = await demo(100, 30);
    await t.press(':', 'step 10', KEY.enter);
    await t.waitFor(/event 10/);
    const colours = (raw: string) => [...raw.matchAll(/\x1b\[([\d;]*)m/g)].flatMap((m) => m[1].split(';')).filter((p) => /^(3|4|9|10)\d$/.test(p));
    expect(colours(t.raw())).toEqual([]);
    t.unmount();
    const { port } = demoPort();
    const c = (vt = await mount((cc, r) => <DmadbgApp port={port} cols={cc} rows={r} onQuit={() => {}} />, 100, 30));
    await c.press(':', 'step 10', KEY.enter);
    await c.waitFor(/event 10/);
    expect(colours(c.raw()).some((p) => /^3\d$/.test(p))).toBe(true);
    expect(c.raw()).not.toMatch(/[[;]38;[25];/);
  });

  it('writes only the changed cells per step (mt8183 at 120x40: well under a KiB, median)', async () => {
    const { port } = demoPort(undefined, 'mt8183-bus-sel');
    const t = (vt = await mount((c, r) => <DmadbgApp port={port} cols={c} rows={r} color onQuit={() => {}} />, 120, 40));
    const sizes: number[] = [];
    for (let i = 1; i <= 30; i++) {
      const before = t.frames.bytes;
      await t.press('s');
      await t.waitFor(new RegExp(`event ${i}\\b`));
      sizes.push(t.frames.bytes - before);
    }
    sizes.sort((a, b) => a - b);
    // Whole rows were 4.4 KB a step; the timeline's window stays put and the console scrolls.
    expect(sizes[15]).toBeLessThan(1024);
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeLessThan(1.5 * 1024);
  });
});

describe('a long continue', () => {
  /** A fake port whose continue runs until interrupted, reporting progress. */
  function runningPort(): SessionPort & { interrupted: boolean } {
    const { port } = demoPort();
    let running = false;
    let progress = { events: 0, eventsPerSec: 0 };
    const listeners = new Set<() => void>();
    let resolve: (() => void) | undefined;
    const fake = {
      ...port,
      interrupted: false,
      view: () => ({ ...port.view(), state: running ? ('running' as const) : ('stopped' as const), progress: running ? progress : undefined }),
      subscribe: (fn: () => void) => (listeners.add(fn), () => listeners.delete(fn)),
      interrupt: () => {
        fake.interrupted = true;
        resolve?.();
      },
      exec: async (line: string) => {
        if (line !== 'continue') return port.exec(line);
        running = true;
        listeners.forEach((l) => l());
        const timer = setInterval(() => {
          progress = { events: progress.events + 50_000, eventsPerSec: 2_500_000 };
          listeners.forEach((l) => l());
        }, 5);
        await new Promise<void>((r) => (resolve = r));
        clearInterval(timer);
        running = false;
        listeners.forEach((l) => l());
        return { lines: ['interrupted'] };
      },
    };
    return fake;
  }

  it('shows progress, keeps keys live, and stops on Esc; q asks while running', async () => {
    const port = runningPort();
    const onQuit = vi.fn();
    const t = (vt = await mount((c, r) => <DmadbgApp port={port} cols={c} rows={r} color={false} onQuit={onQuit} progressMs={20} />, 120, 40));
    await t.press('c');
    await t.waitFor(/running/);
    await t.waitFor(/\d+(\.\d+)?[kM] ev\s+2\.50M ev\/s\s+Esc stops/);
    await t.press('?');
    await t.waitFor(/Help: every key/);
    await t.press(KEY.esc, 'q');
    await t.waitFor(/A run is going\. Quit anyway\? \(y\/n\)/);
    await t.press('n');
    expect(onQuit).not.toHaveBeenCalled();
    await t.press(KEY.esc);
    expect(port.interrupted).toBe(true);
    await t.waitFor(/stopped: start/);
  });
});
