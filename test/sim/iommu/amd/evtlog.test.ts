// amd_iommu_report_page_fault (drivers/iommu/amd_iommu.c): dev_err on the faulting pci_dev,
// looked up in PCI segment 0 only (pci_get_domain_bus_and_slot(0, ...)), while its
// dev_data->rs allows (ratelimit_default_init: 10 per 5 s); otherwise pr_err with
// device=bus:dev.fn under printk_ratelimit (also 10 per 5 s).
import { describe, expect, it } from 'vitest';
import { amdMachine, records } from './helpers.ts';

function faults(bdf: string, n: number): string[] {
  const ops = Array.from({ length: n }, (_, i) => ({ op: 'dev-write', at: `${10 + i}us`, dev: 'nic0', iova: `0x${(0x5000 + i * 0x1000).toString(16)}`, len: 8 }));
  const { m } = amdMachine({ kernel: 'v5.4', devices: [{ name: 'nic0', bdf }], ops });
  while (m.step()) {
    /* run */
  }
  return records(m).filter((r) => r.kind === 'klog' && String(r.text).includes('IO_PAGE_FAULT')).map((r) => String(r.text));
}

describe('IO_PAGE_FAULT reports', () => {
  it('a device outside PCI segment 0 has no pci_dev for the lookup: the pr_err form with device=', () => {
    expect(faults('0001:01:00.0', 1)).toEqual(['AMD-Vi: Event logged [IO_PAGE_FAULT device=01:00.0 domain=0x0001 address=0x5000 flags=0x0020]']);
  });

  it('the 11th fault within 5 s is past the device ratelimit: pr_err with device=', () => {
    const lines = faults('0000:01:00.0', 11);
    expect(lines).toHaveLength(11);
    expect(lines.slice(0, 10).every((l) => l.startsWith('drv 0000:01:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0001'))).toBe(true);
    expect(lines[10]).toBe('AMD-Vi: Event logged [IO_PAGE_FAULT device=01:00.0 domain=0x0001 address=0xf000 flags=0x0020]');
  });
});
