/**
 * The tutorial's first story in a real pseudo-terminal: open the mt8183 scenario, step,
 * break on faults through `:`, continue to the vdec access that faults on mmu1 (the
 * hardware's moment, before the ISR), open the page-table walk of the faulting IOVA, go on
 * to the ISR's report, reverse-step, resize to 80x24 and quit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Pty, spawnCli } from './pty.ts';

let p: Pty | undefined;
afterEach(() => p?.kill());

describe('the mt8183 fault in a pty', () => {
  it('breaks on the fault, shows the walk and the larb, reverse-steps, resizes and quits', async () => {
    p = spawnCli(['tui', 'mt8183-bus-sel']);
    await p.waitFor(/mt8183-bus-sel\s+seed 1\s+v5\.4\s+event 0/);
    p.send('s');
    await p.waitFor(/event 1\b.*stopped: step/);
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('break fault\r');
    await p.waitFor(/1 on\s+break\s+fault/);
    p.send('c');
    const atFault = await p.waitFor(/stopped: breakpoint 1[^]*\n>\s+\d+\s+\S+\s+dma\s+dev=vdec0/);
    const ev = Number(/event (\d+)/.exec(atFault)![1]);
    // The larb-bus panel highlights the faulting device's larb (vdec0 on larb1, on mmu1).
    expect(atFault).toMatch(/Larb bus\s+stop at larb1/);
    // At the access, before the ISR: mmu1's IOTLB still holds its entries.
    expect(atFault).toMatch(/m4u0\.mmu1 IOTLB \(iotlb\)\s+[1-9]\d*\/64/);
    // Zoom the page-table panel: the walk of the faulting IOVA ends in an invalid L1 entry.
    p.send('2');
    await new Promise((r) => setTimeout(r, 50));
    p.send('z');
    const walk = await p.waitFor((ls) => /^▾ 2 Page tables/.test(ls[1]));
    expect(walk).not.toContain('1 Timeline');
    expect(walk).toMatch(/walk 0x7f000000[^]*L1\[0x7f0\][^\n]*invalid/);
    p.send('z');
    await p.waitFor(/1 Timeline/);
    // On to the driver's report: the ISR's fault record, with what it read from FAULT_ST1.
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('break fault-irq\r');
    await p.waitFor(/Breakpoint 2: fault-irq/);
    p.send('c');
    await p.waitFor(/stopped: breakpoint 2[^]*\n>\s+\d+\s+\S+\s+fault\s+iommu=m4u0/);
    p.send('S');
    await p.waitFor(/stopped: reverse-step/);
    p.resize(80, 24);
    await p.waitFor((ls) => /mt8183-bus-sel/.test(ls[0]) && /step/.test(ls[22]));
    p.send('q');
    const { exitCode } = await p.exited;
    expect(exitCode).toBe(0);
  }, 120_000);

  it('at 80x24 shows the whole faulting IOVA at the stop, and every field on Enter', async () => {
    p = spawnCli(['tui', 'mt8183-bus-sel'], 80, 24);
    await p.waitFor(/mt8183-bus-sel\s+seed 1/);
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('break fault\r');
    // At 80x24 the breakpoints panel is folded to its title: the console says it.
    await p.waitFor(/Breakpoint 1: fault/);
    p.send('c');
    // The selected record in full under the timeline: the value on one row, every digit.
    const stop = await p.waitFor(/stopped: breakpoint 1[^]*\baddr=0x7f000000\b/);
    expect(stop.split('\n').some((l) => /(^|\s)addr=0x7f000000(\s|$)/.test(l))).toBe(true);
    p.send('\r');
    const rec = await p.waitFor(/Record #\d+ \(dma\)/);
    expect(rec).toMatch(/^\s+addr\s+0x7f000000\s/m);
    p.send('\x1b');
    await p.waitFor(/1 Timeline/);
    // And the ISR's report of it: iova=0x7f000000 as FAULT_VA read it, whole.
    p.send(':');
    await p.waitFor(/^:/m);
    p.send('break fault-irq\r');
    await p.waitFor(/Breakpoint 2: fault-irq/);
    p.send('c');
    const report = await p.waitFor(/stopped: breakpoint 2[^]*\biova=0x7f000000\b/);
    expect(report.split('\n').some((l) => /(^|\s)iova=0x7f000000(\s|$)/.test(l))).toBe(true);
    p.send('q');
    expect((await p.exited).exitCode).toBe(0);
  }, 120_000);
});
