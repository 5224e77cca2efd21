/**
 * The TUI review fixes (issues 12 and 20), each as a user meets it: the filter prompt,
 * search that wraps and takes a regex, gg / G, the console's sideways scroll, the hint
 * bar where a panel takes a global key, and panel numbers that do not move.
 */
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { DmadbgApp } from '../../src/tui/app.tsx';
import { hintText } from '../../src/tui/components/hint-bar.tsx';
import { demoPort } from './fixtures.ts';
import { KEY, mount, type VTerm } from './vterm.tsx';

let vt: VTerm | undefined;
afterEach(() => vt?.unmount());

async function open(name = 'demo-dma-engine', cols = 120, rows = 40) {
  const { port } = demoPort(undefined, name);
  vt = await mount((c, r) => <DmadbgApp port={port} cols={c} rows={r} color={false} onQuit={() => {}} />, cols, rows);
  return { t: vt, port };
}

/** The seq of the selected timeline row. */
const selected = (s: string) => Number(/^>\s*(\d+)/m.exec(s)?.[1]);

describe('the f filter prompt', () => {
  it('starts empty, shows the filter in force, and a new filter replaces it', async () => {
    const { t } = await open();
    await t.press(':', 'step 10', KEY.enter);
    await t.press('f', 'kind=unmap', KEY.enter);
    await t.waitFor(/filter "kind=unmap"/);
    await t.press('f');
    const s = await t.waitFor(/current: kind=unmap/);
    expect(s).toMatch(/^filter: {2}/m);
    await t.press('kind=map', KEY.enter);
    await t.waitFor(/filter "kind=map" of/);
    // Up brings the filter in force back for editing.
    await t.press('f', KEY.up);
    await t.waitFor(/^filter: kind=map/m);
    await t.press(KEY.esc);
  });
});

describe('/ search', () => {
  it('takes a regular expression and wraps around the end, saying so', async () => {
    const { t } = await open();
    await t.press('c');
    await t.waitFor(/ended: end/);
    await t.press('/', 'kind=(map|unmap) .*dev=dma32', KEY.enter);
    const first = selected(await t.waitFor(/^>.*dev=dma32/m));
    // Jump to the last row, then n finds the first match again from the top.
    await t.press('G');
    await t.press('n');
    const s = await t.waitFor(/search hit BOTTOM, continuing at TOP/);
    expect(selected(s)).toBe(first);
    await t.press('N');
    await t.waitFor(/search hit TOP, continuing at BOTTOM/);
  });

  it('searches text that is not a valid regex literally, and says so', async () => {
    const { t } = await open();
    await t.press(':', 'step 10', KEY.enter);
    await t.press('/', 'dir=(to', KEY.enter);
    await t.waitFor(/not a regex/);
  });
});

describe('gg and G', () => {
  it('go to the first and the last row of the focused list', async () => {
    const { t } = await open();
    await t.press(':', 'step 10', KEY.enter);
    await t.waitFor(/event 10\b/);
    await t.press('g', 'g');
    expect(selected(await t.waitFor(/^>\s*0\s/m))).toBe(0);
    await t.press('G');
    const s = await t.screen();
    expect(selected(s)).toBeGreaterThan(10);
  });
});

describe('the console', () => {
  it('marks lines wider than the panel with … and scrolls sideways with l / h', async () => {
    const { t } = await open('mt8183-bus-sel', 80, 24);
    await t.press('s', 's', 's');
    await t.waitFor(/event 3\b/);
    // Focus the console (the last panel) and zoom it.
    await t.press(KEY.shiftTab, 'z');
    let s = await t.waitFor(/▾ \d Console/);
    const wide = s.split('\n').find((l) => /domain=mtk-dom0 level=1 .*…$/.test(l));
    expect(wide).toBeDefined();
    expect(s).toContain('l scrolls right');
    await t.press('l');
    s = await t.waitFor(/from column \d+/);
    // What was cut is now on screen, and the left edge says more is to the left.
    expect(s).toMatch(/^….*new=0x40010409/m);
    await t.press('h');
    await t.waitFor(/l scrolls right/);
  });
});

describe('the hint bar', () => {
  it('shows a global key only where the focused panel does not take it', () => {
    const pg = hintText('pgtable', false);
    expect(pg).toContain('Enter L2');
    expect(pg).not.toContain('Enter zoom');
    expect(pg).toContain('z zoom');
    expect(hintText('timeline', false)).toContain('Enter record');
    expect(hintText('devices', false)).toContain('Enter zoom');
  });
});

describe('panel numbers', () => {
  it('stay the same before and after a panel has content; an empty panel says so', async () => {
    const { t } = await open('mt8183-bus-sel');
    // Event 0: no domain has a page table yet, but the panel is there as number 2.
    let s = await t.waitFor(/event 0\b/);
    expect(s).toMatch(/2 Page tables/);
    expect(s).toContain('no page table yet');
    expect(s).toMatch(/3 Larb bus/);
    await t.press('s', 's', 's', 's');
    s = await t.waitFor(/event 4\b/);
    expect(s).toMatch(/2 Page tables\s+mtk-dom0/);
    expect(s).toMatch(/3 Larb bus/);
    await t.press('S', 'S', 'S', 'S');
    s = await t.waitFor(/event 0\b/);
    expect(s).toMatch(/2 Page tables/);
  });
});
