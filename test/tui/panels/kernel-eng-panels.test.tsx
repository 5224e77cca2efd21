/**
 * The Log, Registers and Mappings panels through the debugger's views (ink-testing-library),
 * at the stops they exist for, wide and at 80 columns.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/debugger/session.ts';
import { portFor } from '../../../src/tui/session-app.tsx';
import { logPanel } from '../../../src/tui/panels/log/index.ts';
import { registersPanel } from '../../../src/tui/panels/registers/index.ts';
import { mappingsPanel } from '../../../src/tui/panels/mappings/index.ts';
import { timelinePanel } from '../../../src/tui/panels/timeline/index.ts';
import { build } from '../../helpers/scenario.ts';
import { env } from '../fixtures.ts';
import { renderPanel } from '../render.tsx';

function at(scenario: string, commands: string[]) {
  const session = new Session(build(scenario));
  for (const c of commands) expect(session.exec(c).error, c).toBeUndefined();
  const port = portFor(session);
  return { port, view: port.view() };
}

describe('Log panel', () => {
  it('absent until the kernel prints; at the mt8183 fault report it shows the dev_err line', () => {
    expect(at('mt8183-bus-sel', []).view.klog).toBeUndefined();
    const { port, view } = at('mt8183-bus-sel', ['break klog', 'continue']);
    const wide = renderPanel(logPanel, view, env(port, 6, 120)).text;
    expect(wide).toContain('[    0.000001] mtk-iommu 10205000.iommu: fault type=0x80 iova=0x7f000000 pa=0x0 larb=1 port=3 layer=0 read');
    // At 80 columns the line is cut with … (z zooms the panel), never silently.
    const narrow = renderPanel(logPanel, view, env(port, 6, 40)).text;
    expect(narrow).toContain('…');
  });

  it('stays once the kernel has printed: going back before the first line empties it, panel numbers hold', () => {
    const session = new Session(build('mt8183-bus-sel'));
    for (const c of ['break klog', 'continue']) expect(session.exec(c).error, c).toBeUndefined();
    expect(session.exec('goto 0').error).toBeUndefined();
    const port = portFor(session);
    const view = port.view();
    expect(view.klog).toEqual([]);
    expect(renderPanel(logPanel, view, env(port, 6, 120)).text).toContain('no kernel log line before this point');
  });
});

describe('Registers panel', () => {
  it('at the fault report: MMU1_INT_ID decoded with the port name; FAULT_ST1 the mmu1 translation fault', () => {
    const { port, view } = at('mt8183-bus-sel', ['break fault-irq', 'continue']);
    const text = renderPanel(registersPanel, view, env(port, 30, 120)).text;
    expect(text).toMatch(/0x134 FAULT_ST1 +00000080 {2}mmu1: TRANSLATION_FAULT/);
    expect(text).toMatch(/0x154 MMU1_INT_ID +0000038c {2}larb 7 \(larbid_remap: larb 1\) port 3 M4U_PORT_HW_VDEC_AVC_MV_EXT/);
  });

  it('marks what changed since the previous stop', () => {
    const session = new Session(build('mt8183-bus-sel'));
    session.exec('break fault-irq');
    session.exec('continue');
    const port = portFor(session);
    port.view();
    session.exec('stepi 2'); // the log line, then INT_CONTROL0 |= F_INT_CLR_BIT
    const view = portFor(session).view();
    const changed = view.registers![0].rows.filter((r) => r.changed).map((r) => r.name);
    expect(changed).toEqual(['INT_CONTROL0']);
    expect(renderPanel(registersPanel, view, env(port, 30, 120)).text).toMatch(/\*0x120 INT_CONTROL0 +0000106f/);
  });

  it('a VT-d unit at a fault: FSTS PPF with FRI 0, 64-bit registers with 16 digits (include/linux/intel-iommu.h)', () => {
    // gpu0 (02:00.0) reads unmapped IOVA 0x10000: the first fault record holds F | read | reason 6
    // (dword 3 0xc0000006) and SID 0x0200 (dword 2); FSTS DMA_FSTS_PPF (bit 1), FRI 0.
    const { port, view } = at('vtd-fault-reasons', ['break dma if result=fault', 'continue']);
    const text = renderPanel(registersPanel, view, env(port, 40, 120)).text;
    expect(text).toMatch(/0x034 FSTS +00000002 {2}PPF FRI 0/);
    expect(text).toMatch(/FRCD0\.hi +c000000600000200 {2}F read SID 02:00\.0 reason 6/);
  });
});

describe('Mappings panel', () => {
  it('lists the live mapping with its bounce slot while it is live', () => {
    const { port, view } = at('dma-mask-bounce', ['step']);
    const text = renderPanel(mappingsPanel, view, env(port, 5, 80)).text;
    expect(text).toContain('nic32 dma_map_single FROM_DEV 0x40000000+16384 pa 0x100000000 slot 0 @1');
  });

  it('appears at the first DMA API map and stays after the last unmap, so panel numbers hold', () => {
    expect(at('dma-mask-bounce', []).view.mappings).toBeUndefined();
    const end = at('dma-mask-bounce', ['continue']);
    expect(end.view.mappings).toEqual([]);
    expect(renderPanel(mappingsPanel, end.view, env(end.port, 5, 80)).text).toContain('no live DMA API mappings');
  });
});

describe('Timeline port names', () => {
  it('the mt8183 fault record shows port 3 of larb 1 by its dt-binding name; the record keeps the number', () => {
    // include/dt-bindings/memory/mt8183-larb-port.h: larb 1's port 3 is M4U_PORT_HW_VDEC_AVC_MV_EXT.
    const { port, view } = at('mt8183-bus-sel', ['break fault-irq', 'continue', 'stepi 3']);
    const rec = port.records(0, view.records).find((r) => r.kind === 'fault')!;
    expect(rec).toMatchObject({ larb: 1, port: 3 });
    const text = renderPanel(timelinePanel, view, env(port, 12, 200, { ui: { cursor: rec.seq } })).text;
    expect(text).toContain('port=3(M4U_PORT_HW_VDEC_AVC_MV_EXT)');
    // Without an M4U nothing is renamed.
    const demo = at('demo-dma-engine', ['step']);
    expect(demo.view.m4uSoc).toBeUndefined();
  });
});
