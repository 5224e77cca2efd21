/**
 * PCI addresses as the kernel prints and uses them. A function is segment:bus:device.fn
 * ("0000:00:02.0", pci_name()); devfn = device << 3 | fn (PCI_DEVFN); the requester id an
 * IOMMU sees is bus << 8 | devfn (VT-d source-id, AMD devid, PCI_DEVID). Shared by every
 * model that places a device on PCI (VT-d, AMD, p2pdma).
 */
export interface Bdf {
  readonly segment: number;
  readonly bus: number;
  readonly dev: number;
  readonly fn: number;
}

const BDF_RE = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/;

/** "0000:00:02.0" or "00:02.0" (segment 0); undefined when it is not a PCI address. */
export function parseBdf(s: string): Bdf | undefined {
  const m = BDF_RE.exec(s);
  if (!m) return undefined;
  const bdf = { segment: parseInt(m[1] ?? '0', 16), bus: parseInt(m[2], 16), dev: parseInt(m[3], 16), fn: parseInt(m[4], 10) };
  return bdf.dev < 32 ? bdf : undefined;
}

/** PCI_DEVFN(slot, func). */
export const pciDevfn = (b: Bdf): number => (b.dev << 3) | b.fn;

/** PCI_DEVID(bus, devfn): the requester id (VT-d source-id, AMD devid). */
export const pciDevid = (b: Bdf): number => (b.bus << 8) | pciDevfn(b);

/** pci_name(): "%04x:%02x:%02x.%d". */
export function formatBdf(b: Bdf): string {
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  return `${h(b.segment, 4)}:${h(b.bus, 2)}:${h(b.dev, 2)}.${b.fn}`;
}

/**
 * A requester id as the IOMMU drivers print it, without the segment: "%02x:%02x.%d" of
 * PCI_BUS_NUM, PCI_SLOT, PCI_FUNC (dmar_fault_do_one, amd_iommu_report_page_fault's device=).
 */
export function ridText(rid: number): string {
  const h = (n: number): string => n.toString(16).padStart(2, '0');
  return `${h((rid >> 8) & 0xff)}:${h((rid >> 3) & 0x1f)}.${rid & 7}`;
}

/** The bdf of a requester id in segment 0 (what an AMD event log or a DMAR fault names). */
export function bdfOfDevid(devid: number, segment = 0): Bdf {
  return { segment, bus: (devid >> 8) & 0xff, dev: (devid >> 3) & 0x1f, fn: devid & 7 };
}
