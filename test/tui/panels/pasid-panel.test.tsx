/**
 * The PASID panel through the debugger's views (ink-testing-library): the PASID spaces and the
 * guest -> host invalidation path at the stops the vsva scenarios exist to show.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/debugger/session.ts';
import { portFor } from '../../../src/tui/session-app.tsx';
import { pasidPanel } from '../../../src/tui/panels/pasid/index.ts';
import { build } from '../../helpers/scenario.ts';
import { env } from '../fixtures.ts';
import { renderPanel } from '../render.tsx';

function at(scenario: string, commands: string[], overrides?: Record<string, string>) {
  const session = new Session(build(scenario, overrides ? { overrides } : {}));
  for (const c of commands) expect(session.exec(c).error, c).toBeUndefined();
  const port = portFor(session);
  return { port, view: port.view() };
}

describe('PASID panel', () => {
  it('uapi-validity v5.8 at the -ERANGE refusal: the decoded request, the klog line, the check, the return value', () => {
    const { port, view } = at('uapi-validity', ['break uapi-reject check=alignment', 'continue'], { 'vsva-uapi': 'v5.8' });
    const { text } = renderPanel(pasidPanel, view, env(port, 30, 110));
    expect(text).toContain('vm0 IOASIDs  active vm0:dmar0.pasid_allocator');
    // DID 2: the first id domain_attach_iommu finds free on a scalable-mode unit (0 and 1 reserved).
    expect(text).toContain('vf0 (vm0) PASID 1 DID 2');
    expect(text).toContain('vm0/vf0 (v5.8 UAPI)');
    expect(text).toContain('iotlb x addr, pasid 1 [pasid]');
    expect(text).toContain('addr 0x401000 2 x 4096 (order 1)');
    expect(text).toContain('klog err: Address out of range, 0x401000, size order 1');
    expect(text).toContain('refused by alignment');
    expect(text).toContain('returned -34');
  });

  it('vsva-guest-invalidate after the invalidation: both descriptors with the range they dropped', () => {
    const { port, view } = at('vsva-guest-invalidate', ['goto 62']);
    const { text } = renderPanel(pasidPanel, view, env(port, 30, 110));
    expect(text).toContain('qi_flush_piotlb 0x400000-0x401000: dropped 1');
    // qi_submit_sync on dmar0: slots 4/5 and 6/7 after init_dmars' two pairs; 256-bit descriptors, so IQT = 8 << 5 after the second.
    expect(text).toContain('dmar0 qi slot 4 p-iotlb + wait, IQT 0xc0');
    expect(text).toContain('dmar0 qi slot 6 dev-p-iotlb + wait, IQT 0x100');
    expect(text).toContain('qi_flush_dev_iotlb_pasid 0x400000-0x401000: dropped 1');
    expect(text).toContain('returned 0');
  });

  it("intel-pasid-exhaustion: VT-d's IDR; absent in a scenario with no PASID allocator", () => {
    const { port, view } = at('intel-pasid-exhaustion', ['goto 13']);
    const { text } = renderPanel(pasidPanel, view, env(port, 12, 60));
    expect(text).toContain('VT-d IDR  max 1048576  2 used');
    expect(text).toContain('2  svm p2');
    expect(at('vtd-pasid-did', []).view.pasid).toBeUndefined();
  });
});
