/**
 * PCI hot-remove and rescan of a function, as the IOMMU driver behind it sees them
 * (`echo 1 > /sys/bus/pci/devices/…/remove`, `echo 1 > /sys/bus/pci/rescan`): the driver's
 * device notifier or remove_device/add_device callbacks. Provided per translator name by the
 * IOMMU model that owns the device's bus path (VT-d: 'vtd').
 */
import type { Machine } from '../machine.ts';
import type { DeviceBase } from './device.ts';
import { serviceFamily } from '../core/keys.ts';

export interface PciHotplug {
  remove(m: Machine, dev: DeviceBase): void;
  rescan(m: Machine, dev: DeviceBase): void;
}

export const pciHotplugKey = serviceFamily<PciHotplug>('pci-hotplug');
