/**
 * The panels with a model in the demo scenario (timeline, devices, breakpoints, console),
 * rendered from a real Session: what a user sees after stepping, at the given size.
 */
import { describe, expect, it } from 'vitest';
import { timelinePanel } from '../../../src/tui/panels/timeline/index.ts';
import { devicesPanel } from '../../../src/tui/panels/devices/index.ts';
import { breakpointsPanel } from '../../../src/tui/panels/breakpoints/index.ts';
import { consolePanel } from '../../../src/tui/panels/console/index.ts';
import { demoPort, env } from '../fixtures.ts';
import { renderPanel } from '../render.tsx';

describe('timeline', () => {
  it('shows the newest records in a fixed-height window and marks the cursor', async () => {
    const { port } = demoPort();
    await port.exec('step 10');
    const v = port.view();
    const { lines, data } = renderPanel(timelinePanel, v, env(port, 8, 90, { ui: { cursor: v.records - 1 } }));
    expect(lines).toHaveLength(8);
    expect(data.total).toBe(v.records);
    // The list, then the selected record in full under it.
    const list = lines.slice(0, 8 - data.detailRows);
    expect(list[list.length - 1]).toMatch(/^>\s+\d+/);
    expect(list.join('\n')).toContain('unmap');
    expect(lines.slice(list.length).join('')).toMatch(new RegExp(`^#${v.records - 1} t=`));
  });

  it('filters by text, and shows only matching records', async () => {
    const { port } = demoPort();
    await port.exec('step 20');
    const v = port.view();
    const { lines, data } = renderPanel(timelinePanel, v, env(port, 10, 90, { filter: 'kind=map' }));
    expect(data.total).toBeGreaterThan(0);
    expect(data.total).toBeLessThan(v.records);
    for (const l of lines.slice(0, 10 - data.detailRows).filter((x) => x.trim())) expect(l).toMatch(/ map /);
  });

  it('says how to start when there are no records', () => {
    const { port } = demoPort();
    const { text } = renderPanel(timelinePanel, port.view(), env(port, 3, 80));
    expect(text).toContain('press s to step');
  });
});

describe('devices', () => {
  it('lists both demo engines with mask, ops and progress', async () => {
    const { port } = demoPort();
    const { text } = renderPanel(devicesPanel, port.view(), env(port, 6, 100));
    expect(text).toMatch(/blit0\s+dma-engine mask 64b\s+dma-direct\/direct\s+round 1\/4/);
    expect(text).toMatch(/dma32\s+dma-engine mask 32b/);
    await port.exec('continue');
    expect(renderPanel(devicesPanel, port.view(), env(port, 6, 100)).text).toMatch(/blit0.*done/);
  });
});

describe('breakpoints', () => {
  it('lists breakpoints with hits and marks the one we stopped at', async () => {
    const { port } = demoPort();
    await port.exec('break map where result=error');
    await port.exec('continue');
    const v = port.view();
    const { text, data } = renderPanel(breakpointsPanel, v, env(port, 4, 80));
    expect(data.hit).toBe(1);
    expect(text).toContain('1 on  break  map where result=error  (1 hit)');
  });
});

describe('console', () => {
  it('shows the newest output at the bottom', async () => {
    const { port } = demoPort();
    await port.exec('step');
    const v = port.view();
    const { lines } = renderPanel(consolePanel, v, env(port, 3, 100, { console: v.console }));
    expect(v.console[0]).toBe('(dmadbg) step');
    expect(lines.join('\n')).toContain(v.console[v.console.length - 1].trim().slice(0, 40));
  });
});

describe('timeline filter on a long trace', () => {
  it('builds its index over several frames instead of blocking', async () => {
    const { filterIndex, filterScanning } = await import('../../../src/tui/panels/timeline/index.ts');
    const n = 250_000;
    const fake = {
      records: (from: number, to: number) =>
        Array.from({ length: Math.max(0, Math.min(n, to) - from) }, (_, i) => ({ seq: from + i, t: from + i, kind: (from + i) % 10 === 0 ? 'fault' : 'dma' })),
    } as never;
    expect(filterIndex(fake, 'kind=fault', n).length).toBeLessThan(n / 10);
    expect(filterScanning(fake, 'kind=fault', n)).toBeGreaterThan(0);
    filterIndex(fake, 'kind=fault', n);
    const hits = filterIndex(fake, 'kind=fault', n);
    expect(filterScanning(fake, 'kind=fault', n)).toBeUndefined();
    expect(hits.length).toBe(n / 10);
    // Reverse motion shrinks the trace: hits past the new end are dropped, the rest kept.
    expect(filterIndex(fake, 'kind=fault', 1000).length).toBe(100);
  });
});
