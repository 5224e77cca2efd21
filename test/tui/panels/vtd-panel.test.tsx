/**
 * The VT-d panel and the VT-d slice of the IOTLB panel on the VT-d scenarios, through the
 * debugger's views (ink-testing-library): the entries and walk a user checks at the stops
 * the scenarios exist to show, at a wide and a narrow width.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/debugger/session.ts';
import { portFor } from '../../../src/tui/session-app.tsx';
import { vtdPanel } from '../../../src/tui/panels/vtd/index.ts';
import { iotlbPanel } from '../../../src/tui/panels/iotlb/index.ts';
import { devicesPanel } from '../../../src/tui/panels/devices/index.ts';
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
  return { port, view: port.view() };
}

describe('VT-d panel', () => {
  it('vtd-pasid-did v5.0 at the stale hit: the PASID entry says DID 3 for domain 2, the walk says the new PA', () => {
    const { port, view } = at('vtd-pasid-did', ['break stale-tlb', 'continue']);
    expect(view.vtd?.devices[view.vtd.current]?.dev).toBe('nic0');
    const { text } = renderPanel(vtdPanel, view, env(port, 30, 110));
    expect(text).toContain('> nic0 0000:00:03.0 -> vtd-dom1 did 2');
    expect(text).toContain('ctx[0x18] P PDTS=2 dir 0x10007000 RID_PASID=0');
    expect(text).toMatch(/pasid\[0\] P PGTT=2 \(second-level\) AW=2 DID=3 != domain 2 PWSNP=0 SRE/);
    expect(text).toContain('@0x10008000 0x0000000010006089 0x0000000000000003 0x0000000000000001');
    expect(text).toContain('walk 0xfffff000 in vtd-dom1 (4 levels)');
    expect(text).toMatch(/L1\[0x1ff\] 0x0000000010001001 4K page -> 0x10001000 R-/);
    // The IOTLB still holds the old translation, tagged DID 3.
    const tlb = renderPanel(iotlbPanel, view, env(port, 10, 110)).text;
    expect(tlb).toMatch(/d3 pasid 0 0xfffff000 -> 0x10000000 4K r\s+STALE/);
  });

  it('vtd-pasid-did v5.4: DID 2 with PWSNP, no mismatch', () => {
    const { port, view } = at('vtd-pasid-did', ['goto 67'], 'v5.4');
    const { text } = renderPanel(vtdPanel, view, env(port, 30, 110));
    expect(text).toMatch(/pasid\[0\] P PGTT=2 \(second-level\) AW=2 DID=2 PWSNP=1 SRE/);
    expect(text).not.toContain('!= domain');
  });

  it('vtd-fault-reasons: sata0 DMAs as 03:00.1, whose context entry is not present; ] moves between devices', () => {
    const { port, view } = at('vtd-fault-reasons', ['break dmar-fault where reason=2', 'continue']);
    const { text } = renderPanel(vtdPanel, view, env(port, 40, 110));
    expect(text).toContain('> sata0 0000:03:00.0 (DMA as 0000:03:00.1) -> vtd-dom1 did 2');
    expect(text).toContain('ctx[0x1] not present (reason 2)');
    const first = renderPanel(vtdPanel, view, env(port, 40, 110, { ui: { cursor: 0, domain: 0 } })).text;
    expect(first).toContain('gpu0 0000:02:00.0 -> vtd-dom0 did 1');
    expect(first).toMatch(/ctx\[0x0\] P TT=0 AW=2 DID=1 SLPT 0x10006000/);
  });

  it('80 columns: a long row is cut with … rather than wrapped into a wrong value', () => {
    const { port, view } = at('vtd-pasid-did', ['break stale-tlb', 'continue']);
    const { lines } = renderPanel(vtdPanel, view, env(port, 12, 38));
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(38);
    expect(lines.some((l) => l.endsWith('…'))).toBe(true);
  });
});

describe('a PCI endpoint behind VT-d (p2p-thru-host-bridge-vtd)', () => {
  it('at the overrun\'s fault: the NIC by its pci_name, its context entry (bus 4, DID 1), the walk stopping at L3[4]', () => {
    const { port, view } = at('p2p-thru-host-bridge-vtd', ['break dmar-fault', 'continue']);
    const { text } = renderPanel(vtdPanel, view, env(port, 40, 110));
    // mlx0 is 04:00.0 (rp0 -> bus 1, sw0's ports bus 2, dsp1's link bus 4), on the host bridge's unit.
    expect(text).toContain('> mlx0 0000:04:00.0 -> vtd-dom0 did 1');
    // domain_context_mapping_one: root[bus 4] -> context[devfn 0], TT=0 AW=2 DID=1 (hi word 0x102).
    expect(text).toContain('root[0x4] P -> ctx table 0x80004000');
    expect(text).toMatch(/ctx\[0x0\] P TT=0 AW=2 DID=1 SLPT 0x80003000/);
    // 0x100000000 is L4[0], L3[4]: one page-directory entry past the 4 GiB the IOVA lives under.
    expect(text).toMatch(/L3\[0x4\] 0x0000000000000000 not present/);
  });

  it('the devices panel names the NIC by its PCI address', () => {
    const { port, view } = at('p2p-thru-host-bridge-vtd', ['break dmar-fault', 'continue']);
    expect(renderPanel(devicesPanel, view, env(port, 6, 100)).text).toMatch(/mlx0 +0000:04:00\.0 pci-endpoint .*intel-iommu\/pci-endpoint/);
  });
});
