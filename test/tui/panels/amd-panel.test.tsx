/**
 * The AMD panel, `info amd` and `info iova` on the AMD scenarios, at the stops they exist to
 * show: the values are the kernel's words worked out by hand (see test/sim/iommu/amd/words.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/debugger/session.ts';
import { portFor } from '../../../src/tui/session-app.tsx';
import { amdPanel } from '../../../src/tui/panels/amd/index.ts';
import { iotlbPanel } from '../../../src/tui/panels/iotlb/index.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';
import { build } from '../../helpers/scenario.ts';
import { env } from '../fixtures.ts';
import { renderPanel } from '../render.tsx';

function at(scenario: string, commands: string[], kernel?: KernelVersion) {
  const session = new Session(build(scenario, kernel ? { kernel } : {}));
  const out: string[] = [];
  for (const c of commands) {
    const r = session.exec(c);
    expect(r.error, c).toBeUndefined();
    out.push(...r.lines);
  }
  const port = portFor(session);
  return { session, port, view: port.view(), out: out.join('\n') };
}

describe('AMD panel', () => {
  it('at the IO_PAGE_FAULT report: the DTE, the walk ending at the cleared PTE, the event words', () => {
    const { port, view } = at('amd-map-sg-error', ['break amd-event', 'continue'], 'v5.4');
    expect(view.amd?.device?.name).toBe('nic0');
    expect(view.amd?.walkIova).toBe(0xffff9000);
    const { text } = renderPanel(amdPanel, view, env(port, 40, 100));
    // set_dte_entry: root 0x8000b000 | 3 << 9 | IR | IW | V | TV; data[1] = domain ID 1
    expect(text).toContain('DTE 0x600000008000b603 0x0000000000000001');
    expect(text).toContain('V TV mode 3 root 0x8000b000 IR IW domid 1');
    // PM_LEVEL_INDEX(2, 0xffff9000) = 3, (1) = 0x1ff, (0) = 0x1f9
    expect(text).toContain('L2[0x003] 0x600000008000c401 -> L1 @0x8000c000');
    expect(text).toContain('L0[0x1f9] 0x0000000000000000 not present: fault');
    // v5.4 decodes event[1] & 0xffff as the domain: 1
    expect(text).toContain('IO_PAGE_FAULT 01:00.0 domain=0x0001');
    expect(text).toContain('0x00000100 0x20200001 0xffff9000 0x00000000');
    expect(text).toContain('INVALIDATE_IOMMU_PAGES');
    expect(text).toContain('dma-nic0 id 1 dma mode 3 dev_iommu 1 cnt 1');
  });

  it('v5.0 decodes the same entry with the PPR layout: domain 0x0000', () => {
    const { port, view } = at('amd-map-sg-error', ['break amd-event', 'continue'], 'v5.0');
    expect(renderPanel(amdPanel, view, env(port, 40, 100)).text).toContain('IO_PAGE_FAULT 01:00.0 domain=0x0000');
  });

  it('the detach finding: iommu1 still holds the stale entry, the IOTLB panel marks it', () => {
    const { port, view } = at('amd-detach-stale-iotlb', ['break stale-tlb', 'continue'], 'v5.0-rc3');
    const { text } = renderPanel(iotlbPanel, view, env(port, 20, 100));
    expect(text).toMatch(/iommu1 IOTLB \(iotlb\)\s+1\/64\s+1 stale/);
    expect(text).toContain('d3 0x100000 -> 0x80000000 4K rw  STALE');
    const amd = renderPanel(amdPanel, view, env(port, 60, 100)).text;
    expect(amd).toContain('vfio0 id 3 unmanaged mode 3 dev_iommu 1,0 cnt 1');
  });

  it('why at the finding goes to the detach that dropped the count before any flush', () => {
    const { session } = at('amd-detach-stale-iotlb', ['break stale-tlb', 'continue'], 'v5.0-rc3');
    const r = session.exec('why');
    expect(r.error).toBeUndefined();
    expect(r.lines[0]).toMatch(/why: record \d+ caused record \d+ \(stale-tlb names it \(cause\)\)/);
    // The stop line, then the record itself (the `why` stop is a record stop).
    expect(r.lines[1]).toMatch(/^record 53 in event \d+/);
    expect(r.lines[2]).toContain('amd-dev');
    expect(r.lines[2]).toContain('op=detach dev=nic1');
  });
});

describe('info amd and info iova', () => {
  it('info amd: IOMMUs, domains with IDs and dev_iommu counts, devices and their DTE words', () => {
    const { out } = at('amd-detach-stale-iotlb', ['goto 60', 'info amd'], 'v5.0-rc3');
    expect(out).toContain('AMD IOMMU, v5.0 driver: lazy IO/TLB flushing (flush queue)');
    expect(out).toContain('domains (IDs in use: 1, 2, 3; the next one gets the lowest free):');
    expect(out).toMatch(/vfio0 {2}id 3 {2}unmanaged {2}mode 3 \(39-bit\).*dev_iommu 1,0 {2}dev_cnt 1/);
    expect(out).toContain('nic1  0000:41:00.0 behind iommu1 -> dma-nic1 (id 2)');
  });

  it('info amd DEV IOVA walks the device table entry and the levels', () => {
    const { out } = at('amd-map-sg-error', ['goto 22', 'info amd nic0 0xffff9000'], 'v5.0-rc3');
    // rc3 left page 1 mapped: the walk ends at its leaf, pa | PR | FC | IW
    expect(out).toContain('L0[0x1f9] @0x8000dfc8 = 0x5000000080001001  page 4K -> 0x80001000 IW FC');
  });

  it('info iova on rc3 after the failed map_sg: the leaked range, and the byte address in the range cache', () => {
    const { out } = at('amd-map-sg-error', ['goto 22', 'info iova'], 'v5.0-rc3');
    expect(out).toContain('pfn 0xffff8..0xfffff  iova 0xffff8000..0x100000000  8 pages  LEAKED');
    expect(out).toContain('rcache bin 3 (8 pages): 0xffff8000  <- 0xffff8000: no range holds it');
  });

  it('info iova on v5.0: the range is cached by its pfn, nothing leaked', () => {
    const { out } = at('amd-map-sg-error', ['goto 22', 'info iova'], 'v5.0');
    expect(out).not.toContain('LEAKED');
    expect(out).toContain('rcache bin 3 (8 pages): 0xffff8');
  });

  it('info iova in the lazy window: the queued range and how long ago it was unmapped', () => {
    const { out } = at('amd-lazy-flush-window', ['break kind=dma where addr=0xfffff000 result=ok', 'continue', 'continue', 'info iova'], 'v5.4');
    expect(out).toMatch(/flush queue: 1 waiting, 10 ms timer armed/);
    expect(out).toMatch(/pfn 0xfffff 1 pages {2}unmapped \d+ ns ago/);
  });

  it('info amd cmds and events', () => {
    const { out } = at('amd-iova-exhausted', ['continue', 'info amd cmds 2', 'info amd events'], 'v5.0');
    expect(out).toContain('0x00000000 0x30000001 0xfffff003 0x7fffffff  INVALIDATE_IOMMU_PAGES');
    expect(out).toContain('IO_PAGE_FAULT device=00:14.3 domain=0x0000 address=0x0 flags=0x0020');
  });
});

describe('a PCI endpoint behind its host bridge\'s AMD IOMMU (p2p-acs-redirect, v5.4)', () => {
  it('at the NIC\'s THRU_HOST_BRIDGE write: its DTE on iommu0 and the walk to the CMB page', () => {
    const { port, view, session } = at('p2p-acs-redirect', ['break dma', 'continue'], 'v5.4');
    const { text } = renderPanel(amdPanel, view, env(port, 40, 100));
    // mlx0 is 04:00.0 under the Zen bridge, whose iommu is iommu0; not listed in amd.devices.
    expect(text).toContain('mlx0 0000:04:00.0 on iommu0 -> dma-mlx0 (id 1)');
    // set_dte_entry: root 0x80009000 | mode 3 << 9 | TV | V, IR | IW (bits 61, 62); domid 1.
    expect(text).toContain('DTE 0x6000000080009603 0x0000000000000001');
    // 0xffff0000 in mode 3 (PM_LEVEL_INDEX): [3], [0x1ff], [0x1f0]; PDEs next-level | IR | IW | PR,
    // the leaf pa | FC | IW | PR (dir2prot: FROM_DEVICE is IW only).
    expect(text).toContain(' L2[0x003] 0x600000008000b401 -> L1 @0x8000b000');
    expect(text).toContain(' L0[0x1f0] 0x50000000e1000001 4K -> 0xe1000000 -W');
    expect(session.exec('info amd').lines.join('\n')).toMatch(/mlx1 +0000:44:00\.0 behind iommu1 -> dma-mlx1 \(id 2\)/);
  });
});
