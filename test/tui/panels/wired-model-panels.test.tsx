/**
 * The model panels on real scenarios, through the debugger's derived views: what a user
 * sees at the stops the scenarios exist to show. Without the wiring these panels would be
 * hidden (their slices absent), so each test also guards the wiring itself.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/debugger/session.ts';
import { portFor } from '../../../src/tui/session-app.tsx';
import { pgtablePanel } from '../../../src/tui/panels/pgtable/index.ts';
import { larbPanel } from '../../../src/tui/panels/larb/index.ts';
import { swiotlbPanel } from '../../../src/tui/panels/swiotlb/index.ts';
import { iotlbPanel } from '../../../src/tui/panels/iotlb/index.ts';
import { notifiersPanel } from '../../../src/tui/panels/notifiers/index.ts';
import { build } from '../../helpers/scenario.ts';
import { env } from '../fixtures.ts';
import { renderPanel } from '../render.tsx';

function at(scenario: string, commands: string[], kernel?: 'v5.0' | 'v5.4') {
  const session = new Session(build(scenario, kernel ? { kernel } : {}));
  for (const c of commands) {
    const r = session.exec(c);
    expect(r.error, c).toBeUndefined();
  }
  const port = portFor(session);
  return { session, port, view: port.view() };
}

describe('model panels wired to real scenarios', () => {
  it('mt8183 fault: the page-table walk of the faulting IOVA stops at an invalid L1 entry', () => {
    const { port, view } = at('mt8183-bus-sel', ['break fault', 'continue']);
    expect(view.pgtable?.walkIova).toBe(0x7f000000);
    const { text } = renderPanel(pgtablePanel, view, env(port, 14, 100));
    expect(text).toContain('walk 0x7f000000');
    expect(text).toMatch(/L1\[0x7f0\].*invalid -> translation fault/);
  });

  it('mt8183 fault: the larb bus shows SMI_BUS_SEL 0x4414 and the faulting larb1 on mmu1', () => {
    const { port, view } = at('mt8183-bus-sel', ['break fault', 'continue']);
    expect(view.larb?.currentLarb).toBe(1);
    expect(view.larb?.larbs.filter((l) => l.cell === 'mmu1').map((l) => l.id)).toEqual([1, 2, 5, 7]);
    const { text } = renderPanel(larbPanel, view, env(port, 40, 100));
    expect(text).toContain('bus_sel 0x00004414');
    expect(text).toMatch(/larb1 vdec sel 1 -> mmu1\s+faults 1/);
    expect(text).toMatch(/mmu1 .*faults 1/);
  });

  it('mt2712: one tree per M4U, each with its SMI common and the larbs bound to it', () => {
    // mt2712 has two M4Us: m4u1 serves larbs 4, 5, 7 and the direct larbs 8, 9 (the
    // scenario's probe, as `info smi` prints it); the mdp engine on larb5 faults on m4u1.
    const { port, view } = at('mt2712-two-m4u', ['break fault', 'continue']);
    // Ports hidden (`p`), so both trees fit.
    const { lines } = renderPanel(larbPanel, view, env(port, 40, 100, { ui: { cursor: 0, open: 0 } }));
    const m0 = lines.findIndex((l) => /[├└] m4u0$/.test(l.trim()));
    const m1 = lines.findIndex((l) => /[├└] m4u1$/.test(l.trim()));
    expect(m0).toBeGreaterThan(0);
    expect(m1).toBeGreaterThan(m0);
    const tree0 = lines.slice(m0, m1).join('\n');
    const tree1 = lines.slice(m1).join('\n');
    for (const t of [tree0, tree1]) expect(t).toContain('SMI common');
    expect(tree0).toMatch(/larb1 vdec sel 0 -> m4u0\.mmu0/);
    expect(tree0).not.toMatch(/larb5/);
    expect(tree1).toMatch(/larb5 mdp sel 0 -> m4u1\.mmu0\s+faults 1/);
    // The fault is counted on m4u1's mmu0, not on m4u0's.
    expect(tree1).toMatch(/mmu0 .*faults 1/);
    expect(tree0).toMatch(/mmu0 .*faults 0/);
  });

  it('a missed flush: the IOTLB panel marks the entry the page table no longer backs', () => {
    const { port, view } = at('mtk-missing-flush', ['break stale-tlb', 'continue']);
    const stale = view.iotlb?.tlbs.flatMap((t) => t.entries.filter((e) => e.stale)) ?? [];
    expect(stale.length).toBeGreaterThan(0);
    const { text } = renderPanel(iotlbPanel, view, env(port, 20, 100));
    expect(text.toLowerCase()).toContain('stale');
  });

  it('a partial section unmap: the page-table panel highlights the new L2 entries', () => {
    const { session } = at('v7s-split-blk', []);
    // Stop once before the split and once after it, so "changed since the last stop" has a base.
    session.exec('break kind=unmap where api=iommu_unmap');
    const port = portFor(session);
    session.exec('continue'); // stops after the event that split the section
    session.exec('reverse-step');
    const before = port.view();
    expect(Object.keys(before.pgtable?.domains[0].l2 ?? {})).toEqual([]); // still one section
    session.exec('step');
    const view = port.view();
    expect(Object.keys(view.pgtable?.domains[0].l2 ?? {}).length).toBe(1); // now an L2 table
    const changed = view.pgtable?.domains[0].l1.some((e) => e.changed) || Object.values(view.pgtable?.domains[0].l2 ?? {}).some((es) => es.some((e) => e.changed));
    expect(changed).toBe(true);
  });

  it('SWIOTLB fragmentation: the slot map shows the failed request beside the largest free run', () => {
    const { port, view } = at('swiotlb-fragmentation', ['break swiotlb-full', 'continue']);
    expect(view.swiotlb?.lastFailed).toMatchObject({ dev: 'nic32', nslots: 8 });
    const { text } = renderPanel(swiotlbPanel, view, env(port, 16, 100));
    expect(text).toContain('largest free run 2 slots');
    expect(text).toMatch(/last failed: nic32 16 KiB needs 8 slots/);
  });

  it('AMD IOMMUv2 on v5.0: the notifiers panel counts the calls the trace shows', () => {
    const { session, port, view } = at('amd-v2-young-bit', ['continue'], 'v5.0');
    const calls = session.records(0, session.view().records).filter((r) => r.kind === 'notifier' && r.subscriber === 'amd-v2/accel0').length;
    expect(calls).toBeGreaterThan(0);
    const sub = view.notifiers?.mms[0].subscribers.find((s) => s.name === 'amd-v2/accel0');
    expect(sub?.calls).toBe(calls);
    expect(sub?.ops).toContain('clear_flush_young');
    const { text } = renderPanel(notifiersPanel, view, env(port, 10, 100));
    expect(text).toContain('amd-v2/accel0');
  });

  it('panels without a model stay hidden: the demo has none of the five slices', () => {
    const { view } = at('demo-dma-engine', []);
    expect([view.pgtable, view.larb, view.swiotlb, view.iotlb, view.notifiers]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
