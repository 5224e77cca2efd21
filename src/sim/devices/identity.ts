/**
 * How the kernel names a device in its log: dev_driver_string() and dev_name(), the
 * "<driver> <name>: " prefix dev_err/dev_warn print (drivers/base/core.c __dev_printk).
 * A PCI function is known by its pci_name ("0000:01:00.0") and bound driver, from
 * whichever model enumerated it (the PCI topology, VT-d or AMD); any other device by the
 * scenario's name, with its kind standing in for the driver.
 */
import type { Machine } from '../machine.ts';
import { PCI_MODEL } from '../pci/types.ts';
import { pciName } from '../pci/enumerate.ts';
import { VTD_MODEL } from '../iommu/intel/state.ts';
import { bdfText } from '../iommu/intel/bdf-text.ts';
import { AMD_MODEL } from '../iommu/amd/state.ts';
import { DEVICES, type DeviceBase } from './device.ts';

export interface DevIdentity {
  /** dev_driver_string(). */
  readonly driver: string;
  /** dev_name(): the PCI name for a PCI function, else the scenario's name. */
  readonly name: string;
  /** pci_name() when the device is a PCI function. */
  readonly bdf?: string;
}

/** The PCI name of a device (by scenario name), or undefined when it is not a PCI function. */
export function deviceBdf(m: Machine, dev: string): { bdf: string; driver: string } | undefined {
  const pci = m.findModel(PCI_MODEL);
  if (pci) {
    const index = m.findModel(DEVICES)?.list.findIndex((d) => d.name === dev) ?? -1;
    const f = index >= 0 ? pci.fns.find((x) => x.dev === index) : undefined;
    if (f) return { bdf: pciName(f), driver: f.driver };
  }
  const vtd = m.findModel(VTD_MODEL)?.devs[dev];
  if (vtd) return { bdf: `0000:${bdfText(vtd.bus, vtd.devfn)}`, driver: vtd.driver };
  const amd = m.findModel(AMD_MODEL)?.devs.find((d) => d.name === dev);
  if (amd) return { bdf: amd.bdf, driver: amd.driver };
  return undefined;
}

export function devIdentity(m: Machine, dev: DeviceBase): DevIdentity {
  const p = deviceBdf(m, dev.name);
  return p ? { driver: p.driver, name: p.bdf, bdf: p.bdf } : { driver: dev.kind, name: dev.name };
}

/** "<driver> <dev_name>: ", what dev_printk puts before the message. */
export function devPrefix(m: Machine, dev: DeviceBase): string {
  const id = devIdentity(m, dev);
  return `${id.driver} ${id.name}: `;
}
