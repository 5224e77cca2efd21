// The breakpoints docs/amd.md names, on the AMD scenarios: each parses and stops where the
// record it names is.
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import type { KernelVersion } from '../../src/sim/kernel.ts';
import { build } from '../helpers/scenario.ts';

function stopAt(scenario: string, kernel: KernelVersion, spec: string) {
  const s = new Session(build(scenario, { kernel }));
  const b = s.exec(`break ${spec}`);
  expect(b.error, spec).toBeUndefined();
  const r = s.exec('continue');
  expect(r.error, spec).toBeUndefined();
  return s.lastStop.record;
}

describe('AMD breakpoints (docs/amd.md)', () => {
  it('break amd-event stops at the driver reading the IO_PAGE_FAULT entry', () => {
    expect(stopAt('amd-map-sg-error', 'v5.0', 'amd-event')).toMatchObject({ kind: 'amd-event', type: 'IO_PAGE_FAULT', address: 0xffff9000 });
  });

  it('break amd-cmd and break iotlb-inval stop at the first command and its invalidation', () => {
    expect(stopAt('amd-map-sg-error', 'v5.0', 'amd-cmd')).toMatchObject({ kind: 'amd-cmd', cmd: 'INVALIDATE_DEVTAB_ENTRY' });
    expect(stopAt('amd-map-sg-error', 'v5.0', 'iotlb-inval scope=all')).toMatchObject({ kind: 'iotlb-inval', domid: 1 });
  });

  it('break kind=dma-mismatch stops where the device writes DMA address 0', () => {
    expect(stopAt('amd-iova-exhausted', 'v5.0', 'kind=dma-mismatch')).toMatchObject({ kind: 'dma-mismatch', addr: 0, reached: null });
  });

  it('break kind=klog where text~IO_PAGE_FAULT stops at the kernel line', () => {
    const r = stopAt('amd-iova-exhausted', 'v5.4', 'kind=klog where text~IO_PAGE_FAULT');
    expect(r).toMatchObject({ kind: 'klog', text: 'fdc 0000:00:14.3: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0001 address=0x0 flags=0x0020]' });
  });
});
