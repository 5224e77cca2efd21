// PCI addresses against include/uapi/linux/pci.h (PCI_DEVFN: slot << 3 | func),
// include/linux/pci.h (PCI_DEVID: bus << 8 | devfn) and pci_name()'s "%04x:%02x:%02x.%d".
import { describe, expect, it } from 'vitest';
import { bdfOfDevid, formatBdf, parseBdf, pciDevfn, pciDevid } from '../../../src/sim/pci/bdf.ts';

describe('bdf', () => {
  it('encodes devfn and the requester id as the kernel macros do', () => {
    const b = parseBdf('0000:03:1f.7')!;
    expect(pciDevfn(b)).toBe((0x1f << 3) | 7); // 0xff
    expect(pciDevid(b)).toBe(0x03ff);
    expect(pciDevid(parseBdf('00:02.0')!)).toBe(0x0010);
  });

  it('prints like pci_name() and round-trips a devid', () => {
    expect(formatBdf(parseBdf('3:0.1')!)).toBe('0000:03:00.1');
    expect(formatBdf(bdfOfDevid(0x0010))).toBe('0000:00:02.0');
  });

  it('refuses what is not a PCI address', () => {
    for (const s of ['00:20.0', '00:02.8', 'nvme0', '0:0:0:0.0', '']) expect(parseBdf(s)).toBeUndefined();
  });
});
