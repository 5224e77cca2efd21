/**
 * PCI hot-remove and rescan behind a DMAR unit. v5.0.1: the bus notifier
 * (device_notifier, BUS_NOTIFY_REMOVED_DEVICE) removes the device's info and exits its
 * domain once empty; a rescanned device waits for its first DMA API call. v5.4.1:
 * intel_iommu_remove_device, then the group's default domain is freed (domain_exit);
 * intel_iommu_add_device gives a rescanned device a new default domain at once.
 */
import { kfunc } from '../../core/kstack.ts';
import type { PciHotplug } from '../../devices/hotplug.ts';
import { attachDefaultDomain, dmarRemoveOneDevInfo, domainExit } from './domain.ts';
import { vtdState } from './state.ts';

const INTEL_IOMMU_C = 'drivers/iommu/intel-iommu.c';
const F_DEVICE_NOTIFIER = kfunc('device_notifier', INTEL_IOMMU_C, ['action']);
const F_REMOVE_DEVICE = kfunc('intel_iommu_remove_device', INTEL_IOMMU_C);
const F_ADD_DEVICE = kfunc('intel_iommu_add_device', INTEL_IOMMU_C);

/** BUS_NOTIFY_REMOVED_DEVICE. */
const BUS_NOTIFY_REMOVED_DEVICE = 2;

export const vtdHotplug: PciHotplug = {
  remove(m, dev) {
    const s = vtdState(m);
    const info = s.devs[dev.name];
    info.removed = true;
    if (info.domain < 0) return;
    const dom = s.domains[info.domain];
    const k = s.release === 'v5.4' ? m.kstack.enter(F_REMOVE_DEVICE) : m.kstack.enter(F_DEVICE_NOTIFIER, BUS_NOTIFY_REMOVED_DEVICE);
    dmarRemoveOneDevInfo(m, info);
    if (!dom.devs.length) domainExit(m, dom);
    m.kstack.leave(k);
  },
  rescan(m, dev) {
    const s = vtdState(m);
    const info = s.devs[dev.name];
    info.removed = false;
    if (s.release !== 'v5.4' || info.domain >= 0) return;
    const k = m.kstack.enter(F_ADD_DEVICE);
    attachDefaultDomain(m, info);
    m.kstack.leave(k);
  },
};
