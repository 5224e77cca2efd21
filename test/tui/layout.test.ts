/**
 * Layout is a pure function of size, panels, focus and zoom. Every frame must be exactly
 * rows-1 tall (a full-height frame makes Ink 6.8 clear the screen each time) and no panel
 * may get rows it cannot show.
 */
import { describe, expect, it } from 'vitest';
import { layout, stack } from '../../src/tui/layout.ts';

const side = ['pgtable', 'larb', 'swiotlb', 'iotlb', 'devices', 'notifiers', 'breakpoints'];
const total = (l: ReturnType<typeof layout>) => l.columns.map((c) => c.slots.reduce((a, s) => a + s.height, 0));

describe('layout', () => {
  it('puts the timeline beside the model panels when wide, and fills the height exactly', () => {
    const l = layout({ cols: 120, rows: 40, main: ['timeline'], side, bottom: 'console', focus: 'timeline', zoom: false });
    expect(l.height).toBe(39);
    expect(l.columns).toHaveLength(2);
    const body = 39 - 2 - l.console!.height;
    expect(total(l)).toEqual([body, body]);
    expect(l.columns[0].width + l.columns[1].width).toBe(120);
  });

  it('stacks at 80x24 and collapses what does not fit, keeping the focused panel open', () => {
    const l = layout({ cols: 80, rows: 24, main: ['timeline'], side, bottom: 'console', focus: 'swiotlb', zoom: false });
    expect(l.columns).toHaveLength(1);
    const slots = l.columns[0].slots;
    expect(slots.reduce((a, s) => a + s.height, 0)).toBe(23 - 2 - l.console!.height);
    expect(slots.find((s) => s.id === 'swiotlb')!.height).toBeGreaterThan(1);
    expect(slots.filter((s) => s.id !== 'timeline' && s.id !== 'swiotlb').every((s) => s.height === 1)).toBe(true);
  });

  it('zooms the focused panel to the whole body', () => {
    const l = layout({ cols: 80, rows: 24, main: ['timeline'], side, bottom: 'console', focus: 'larb', zoom: true });
    expect(l.columns[0].slots).toEqual([{ id: 'larb', width: 80, height: 21 }]);
  });

  it('gives the focused panel a larger share when everything fits', () => {
    const a = stack(['larb', 'devices'], 50, 30, 'devices');
    const b = stack(['larb', 'devices'], 50, 30, 'larb');
    expect(a.find((s) => s.id === 'devices')!.height).toBeGreaterThan(b.find((s) => s.id === 'devices')!.height);
    expect(a.reduce((x, s) => x + s.height, 0)).toBe(30);
  });

  it('never hides a panel: when title rows do not fit, the last one names the rest', () => {
    const ids = ['pgtable', 'larb', 'iotlb', 'devices', 'registers', 'log', 'mappings', 'breakpoints'];
    for (let height = 1; height <= 40; height++) {
      for (const focus of [...ids, 'timeline']) {
        const slots = stack(ids, 80, height, focus);
        const named = slots.flatMap((s) => [s.id, ...(s.more ?? [])]);
        // With one row only the open panel has it; otherwise every panel is on screen by number.
        if (height > 1) expect([...named].sort()).toEqual([...ids].sort());
        expect(slots.reduce((a, s) => a + s.height, 0)).toBe(height);
        for (const s of slots) if (s.more) expect(s.height).toBe(1);
      }
    }
  });
});
