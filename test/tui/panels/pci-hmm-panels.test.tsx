/**
 * The PCI and HMM panels on their scenarios, through the debugger's derived views, at the
 * stops the scenarios exist to show (rendered with ink-testing-library at 80 and 120 columns).
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/debugger/session.ts';
import { portFor } from '../../../src/tui/session-app.tsx';
import { pciPanel } from '../../../src/tui/panels/pci/index.ts';
import { hmmPanel } from '../../../src/tui/panels/hmm/index.ts';
import { PANELS } from '../../../src/tui/panels/index.ts';
import { build } from '../../helpers/scenario.ts';
import { env } from '../fixtures.ts';
import { renderPanel } from '../render.tsx';

function at(scenario: string, commands: string[], kernel?: 'v5.0' | 'v5.4') {
  const session = new Session(build(scenario, kernel ? { kernel } : {}));
  for (const c of commands) expect(session.exec(c).error, c).toBeUndefined();
  const port = portFor(session);
  return { port, view: port.view() };
}

describe('PCI panel', () => {
  it('p2p-acs-redirect v5.4: the tree with ACS marks, and THRU_HOST_BRIDGE for nvme0 -> mlx0', () => {
    const { port, view } = at('p2p-acs-redirect', ['continue']);
    const { text, lines } = renderPanel(pciPanel, view, env(port, 20, 80));
    expect(lines).toHaveLength(20);
    expect(text).toContain('zen 1022:1450 whitelisted AMD-Vi iommu0');
    expect(text).toContain('zen2 1022:1480 not whitelisted AMD-Vi iommu1');
    // The downstream ports carry the kernel's RR|CR (pci_std_enable_acs) and the '!' mark.
    expect(text).toMatch(/! +├ 02:00\.0 swA-dsp0 DSP ACS SV\|RR\|CR\|UF/);
    expect(text).toMatch(/\* +│ └ 03:00\.0 nvme0 nvme p2pmem 16M/);
    expect(text).toContain('nvme0 -> mlx0: THRU_HOST_BRIDGE distance 4');
    expect(text).toContain('via 0000:01:00.0; ACS redirect at 0000:02:00.0;0000:02:01.0');
  });

  it('v5.0 says -2; m marks another provider and the pair follows the cursor', () => {
    const { port, view } = at('p2p-acs-redirect', ['continue'], 'v5.0');
    expect(renderPanel(pciPanel, view, env(port, 20, 100)).text).toContain('nvme0 -> mlx0: distance -2 (ACS redirect)');
    const rows = renderPanel(pciPanel, view, env(port, 20, 100)).data.rows;
    const nvme1 = rows.findIndex((r) => r.text.includes('nvme1'));
    const mlx0 = rows.findIndex((r) => r.text.includes('mlx0'));
    const ui = pciPanel.actions!['pci.mark']({ cursor: nvme1 }, renderPanel(pciPanel, view, env(port, 20, 100, { ui: { cursor: nvme1 } })).data);
    const { text } = renderPanel(pciPanel, view, env(port, 20, 100, { ui: { ...ui, cursor: mlx0 } }));
    expect(text).toContain('nvme1 -> mlx0: distance -1 (no common upstream bridge)');
  });

  it('the stop on a p2p-map names its client: the panel marks it', () => {
    const { port, view } = at('p2p-switch', ['break p2p-map', 'continue']);
    expect(view.pci?.current).toBeDefined();
    expect(renderPanel(pciPanel, view, env(port, 12, 80)).text).toMatch(/> +└ 04:00\.0 mlx0 mlx5_core/);
  });

  it('is listed after IOTLB and before Devices, and hidden without a pci section', () => {
    const ids = PANELS.map((p) => p.id);
    expect(ids.indexOf('pci')).toBe(ids.indexOf('iotlb') + 1);
    expect(at('demo-dma-engine', []).view.pci).toBeUndefined();
  });
});

describe('HMM panel', () => {
  it('hmm-revalidate-race v5.4: the committed stale entry against the unmapped CPU page', () => {
    const { port, view } = at('hmm-revalidate-race', ['break coherency', 'continue']);
    const { text, data } = renderPanel(hmmPanel, view, env(port, 8, 80));
    expect(data.stale).toBe(1);
    expect(hmmPanel.summary!(data)).toBe('1 stale device PTE(s)');
    expect(text).toContain('gpu0 mirror  syncs 1  ptes 1  1 STALE');
    expect(text).toContain('0x7f0000003000 -> 0x80003000 rw  cpu none STALE');
  });

  it('hmm-unregister-livelock v5.0: the stuck register, mmap_sem, and hmm->mm NULL', () => {
    const { port, view } = at('hmm-unregister-livelock', ['continue'], 'v5.0');
    const { text } = renderPanel(hmmPanel, view, env(port, 10, 100));
    expect(text).toContain('app  struct hmm notifier on, hmm->mm NULL  LEAKED');
    expect(text).toContain('mmap_sem held for write by gpu2');
    expect(text).toContain('gpu2 STUCK in register');
  });
});
