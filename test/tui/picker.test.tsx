/**
 * The scenario picker: what the user typed selects what opens, even when the filter text
 * and Enter arrive in one read (a paste, or keys coalesced over SSH).
 */
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { DmadbgApp } from '../../src/tui/app.tsx';
import type { PickerEntry, PickerSource } from '../../src/tui/picker.tsx';
import { PickerState } from '../../src/tui/picker-state.ts';
import { listScenarios } from '../../src/store/catalog.ts';
import { SCENARIOS } from '../helpers/scenario.ts';
import { demoPort } from './fixtures.ts';
import { KEY, mount, type VTerm } from './vterm.tsx';

let vt: VTerm | undefined;
afterEach(() => vt?.unmount());

const ENTRIES: PickerEntry[] = listScenarios(SCENARIOS).map((e) => ({ ...e, source: 'built-in' as const }));

function source(opened: string[]): PickerSource {
  return {
    entries: ENTRIES,
    open: async (e) => {
      opened.push(e.name);
      return demoPort().port;
    },
  };
}

describe('scenario picker', () => {
  it('the built-in list does not start with the demo (so a stale list would open the wrong one)', () => {
    expect(ENTRIES[0].name).not.toBe('demo-dma-engine');
  });

  it('opens what the filter selects when the text and Enter come in one read', async () => {
    const opened: string[] = [];
    vt = await mount((c, r) => <DmadbgApp picker={source(opened)} cols={c} rows={r} color={false} onQuit={() => {}} />, 100, 30);
    await vt.waitFor(/open a scenario/);
    await vt.press('demo\r');
    await vt.waitFor(/demo-dma-engine\s+seed 7/);
    expect(opened).toEqual(['demo-dma-engine']);
  });

  it('moves the cursor within the filtered list and opens the entry under it', () => {
    const opened: string[] = [];
    const st = new PickerState(ENTRIES, { open: (e) => void opened.push(e.name), quit: () => {} });
    st.keys([...'mtk', 'down', 'enter']);
    const mtk = ENTRIES.filter((e) => `${e.name} ${e.description}`.toLowerCase().includes('mtk'));
    expect(opened).toEqual([mtk[1].name]);
  });

  it('Esc clears the filter, then quits; keys work again after a failed open', async () => {
    let quit = 0;
    const opened: string[] = [];
    let fail: (e: Error) => void = () => {};
    const st = new PickerState(ENTRIES, {
      open: (e) => {
        opened.push(e.name);
        return new Promise((_, rej) => (fail = rej));
      },
      quit: () => void quit++,
    });
    st.keys([...'zzz', 'esc']);
    expect(st.text).toBe('');
    expect(quit).toBe(0);
    st.keys(['enter']);
    expect(opened).toEqual([ENTRIES[0].name]);
    st.keys(['x']);
    expect(st.text).toBe(''); // opening: keys are ignored
    fail(new Error('nope'));
    await new Promise((r) => setTimeout(r, 0));
    expect(st.error).toBe('nope');
    st.keys(['esc']);
    expect(quit).toBe(1);
  });

  it('shows why an open failed and lets the user pick again', async () => {
    const bad: PickerSource = { entries: ENTRIES, open: async () => { throw new Error('broken.json: devices[0].kind: unknown'); } };
    vt = await mount((c, r) => <DmadbgApp picker={bad} cols={c} rows={r} color={false} onQuit={() => {}} />, 100, 30);
    await vt.waitFor(/open a scenario/);
    await vt.press(KEY.enter);
    await vt.waitFor(/cannot open: broken\.json/);
    await vt.press('d');
    await vt.waitFor(/filter: d/);
  });
});
