/**
 * The model panels (page tables, larb bus, SWIOTLB, IOTLB, notifiers) on plain view-model
 * fixtures, until the models are wired to them: decoding, condensing, walks, highlights.
 */
import { describe, expect, it } from 'vitest';
import { pgtablePanel } from '../../../src/tui/panels/pgtable/index.ts';
import { condense, walk } from '../../../src/tui/panels/pgtable/rows.ts';
import { larbPanel } from '../../../src/tui/panels/larb/index.ts';
import { swiotlbPanel } from '../../../src/tui/panels/swiotlb/index.ts';
import { freeRuns, slotCells, slotsPerCell } from '../../../src/tui/panels/swiotlb/rows.ts';
import { iotlbPanel } from '../../../src/tui/panels/iotlb/index.ts';
import { notifiersPanel } from '../../../src/tui/panels/notifiers/index.ts';
import { ALL_MODELS, PGTABLE, demoPort, env, swiotlbFixture } from '../fixtures.ts';
import { renderPanel } from '../render.tsx';

const port = demoPort(ALL_MODELS).port;
const view = port.view();

describe('page tables', () => {
  it('condenses contiguous L1 sections into one row and keeps tables separate', () => {
    const rows = condense(PGTABLE.domains[0].l1, 1, 0, PGTABLE.domains[0]);
    expect(rows.map((r) => [r.first, r.last, r.entry.type])).toEqual([
      [0x400, 0x400, 'section'],
      [0x401, 0x401, 'table'],
      [0x402, 0x403, 'section'],
      [0x500, 0x500, 'supersection'],
    ]);
    expect(rows[2].text).toContain('L1[0x402..0x403]');
    expect(rows[2].text).toContain('0x40200000+2M -> 0x80100000 rw normal wb ns');
    expect(rows[3].text).toContain('pa[32]=1 (bit9)');
  });

  it('walks an IOVA level by level, and reports a fault where the walk stops', () => {
    const w = walk(PGTABLE.domains[0], 0x40102abc).map((l) => l.text);
    expect(w[1]).toContain('L1[0x401] @0x7f001004 = 0x7f004001 table -> L2 @0x7f004000');
    expect(w[2]).toContain('L2[0x2] @0x7f004008 = 0x9000203e small -> PA 0x90002abc ro');
    const f = walk(PGTABLE.domains[0], 0x40150000);
    expect(f[f.length - 1]).toMatchObject({ ok: false });
    expect(f[f.length - 1].text).toContain('invalid -> translation fault');
  });

  it('renders L1 with the walk of the stop IOVA, and opens an L2 table on its action', () => {
    const e = env(port, 10, 100);
    const { text, data } = renderPanel(pgtablePanel, view, e);
    expect(text).toContain('table   -> L2 @0x7f004000 (4 valid)');
    expect(text).toContain('walk 0x40102000');
    const ui = pgtablePanel.actions!['pgtable.open']({ cursor: 1 }, { ...data, cursor: 1 });
    expect(ui.open).toBe(0x401);
    expect(pgtablePanel.actions!['nav.right']({ cursor: 1 }, { ...data, cursor: 1 }).open).toBe(0x401);
    const l2 = renderPanel(pgtablePanel, view, { ...e, ui });
    expect(l2.text).toContain('L2[0x0..0x1]');
    // The entry changed since the last stop is marked (and bold/yellow with colour).
    expect(l2.lines.find((l) => l.includes('L2[0x2]'))).toMatch(/^\*/);
    expect(pgtablePanel.summary!(l2.data)).toContain('L2 of L1[0x401]');
  });

  it('walks the selected row once the user moves the cursor', () => {
    const { text } = renderPanel(pgtablePanel, view, env(port, 10, 100, { ui: { cursor: 2, moved: true } }));
    expect(text).toContain('walk 0x40200000');
    expect(text).toContain('L1[0x402] @0x7f001008 = 0x80100c12 section -> PA 0x80100000 rw');
  });

  it('is hidden when the scenario has no page tables', () => {
    expect(pgtablePanel.available(demoPort().port.view())).toBe(false);
    expect(pgtablePanel.available(view)).toBe(true);
  });
});

describe('larb bus', () => {
  it('draws EMI, both cells with hit rates, common, GALS, larbs and ports, marking the stop larb', () => {
    const { text, lines } = renderPanel(larbPanel, view, env(port, 14, 100));
    expect(lines[0]).toContain('EMI (mt8183)');
    expect(text).toContain('mmu0  tx 120  iotlb hit 91.7% (110/120)  faults 0');
    expect(text).toContain('SMI common  bus_sel 0x00000044');
    expect(text).toContain('GALS gals0');
    expect(text).toMatch(/>.*larb2 sel 1 -> mmu1  faults 2/);
    expect(text).toContain('larb4 sel 0 -> mmu0  faults 0  clk off pwr off');
    expect(text).toContain('p0 mdp_rdma0  tx 40  faults 2');
  });
});

describe('swiotlb', () => {
  it('counts free runs within segments and finds the largest', () => {
    const fr = freeRuns(swiotlbFixture());
    expect(fr.used).toBe(111);
    expect(fr.largest).toBe(67); // slots 61..127: the segment boundary at 128 ends the run
    expect(fr.largestAt).toBe(61);
  });

  it('groups slots into cells that never straddle a 128-slot segment (IO_TLB_SEGSIZE)', () => {
    // 4096 slots in at most 100 cells needs >= 41 slots a cell; the smallest count that
    // divides a segment is 64 (kernel/dma/swiotlb.c: free runs stop at segment ends).
    const { cells, per } = slotCells(swiotlbFixture(4096), 100);
    expect(per).toBe(64);
    expect(cells.length).toBe(64);
    for (const [nslabs, maxCells] of [[256, 200], [32768, 700], [32768, 100], [32768, 3000], [128, 9], [512, 1]] as const) {
      const p = slotsPerCell(nslabs, 128, maxCells);
      expect(Math.ceil(nslabs / p)).toBeLessThanOrEqual(maxCells);
      expect(128 % p === 0 || p % 128 === 0, `${nslabs}/${maxCells}: ${p}`).toBe(true);
    }
  });

  it('lays rows out in whole segments, and says so when no slot is free', () => {
    const { data } = renderPanel(swiotlbPanel, { ...view, swiotlb: swiotlbFixture(32768) }, env(port, 12, 53));
    expect(128 % data.per === 0 || data.per % 128 === 0).toBe(true);
    // Each grid row starts at a segment boundary (or an even share of one).
    expect((data.perRow * data.per) % 128 === 0 || 128 % (data.perRow * data.per) === 0).toBe(true);
    expect(Math.ceil(32768 / data.per / data.perRow)).toBeLessThanOrEqual(12 - 4);
    const full = swiotlbFixture(256);
    (full.owner as number[]).fill(0);
    expect(renderPanel(swiotlbPanel, { ...view, swiotlb: full }, env(port, 10, 100)).text).toContain('no free slot: every slot is in use');
  });

  it('renders the slot map with owners, the legend, the index and the failed request', () => {
    const { text } = renderPanel(swiotlbPanel, view, env(port, 10, 100));
    expect(text).toContain('256 slots x 2048 B @0xf8000000  used 111  index 200  max mapping 256 KiB');
    expect(text).toContain('last failed: blit0 300 KiB needs 150 slots > largest free run 67');
    expect(text).toContain('AAAAAAAA');
    expect(text).toContain('A blit0  B nvme0');
  });
});

describe('iotlb and notifiers', () => {
  it('lists TLB entries and marks stale ones', () => {
    const { text } = renderPanel(iotlbPanel, view, env(port, 6, 80));
    expect(text).toContain('mmu0 IOTLB (iotlb)  2/32  1 stale');
    expect(text).toContain('d0 0x40001000 -> 0x80001000 4K rw  STALE');
    expect(text).toContain('pasid 1 0x1000 -> 0x90000000');
  });

  it('lists each mm with subscribers', () => {
    const { text } = renderPanel(notifiersPanel, view, env(port, 4, 100));
    expect(text).toContain('app (pid 100)  1 subscriber(s)  last: invalidate_range_start 0x1000-0x3000');
    expect(text).toContain('amd_iommu_v2  calls 3  ops invalidate_range,release');
  });
});
