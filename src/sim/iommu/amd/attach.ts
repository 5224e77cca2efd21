/**
 * Attaching devices to protection domains (drivers/iommu/amd_iommu.c): do_attach counts the
 * device in dev_iommu[its IOMMU] and dev_cnt, writes its DTE (and its alias's) and flushes
 * them; do_detach undoes it. Where the refcounts drop is the v5.0-rc4 fix (row
 * amd-detach-flush): rc3 drops them first and sends no IOTLB flush at all, so the IOMMU
 * keeps the domain's entries and, its count now 0, no later domain flush is sent to it.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { AMD_DETACH_FLUSH } from '../../kernel.ts';
import { clearDteEntry, setDteEntry } from './dte.ts';
import { deviceFlushDte, domainFlushComplete, domainFlushTlbPde, iommuCompletionWait } from './flush.ts';
import { devidText } from './hw.ts';
import { type AmdDevData, amdState } from './state.ts';

const AMD_C = 'drivers/iommu/amd_iommu.c';
const F_DO_ATTACH = kfunc('do_attach', AMD_C, ['devid', 'domid']);
const F_DO_DETACH = kfunc('do_detach', AMD_C, ['devid', 'domid']);
const F_ATTACH_DEVICE = kfunc('attach_device', AMD_C, ['devid', 'domid']);
const F_DETACH_DEVICE = kfunc('detach_device', AMD_C, ['devid']);
const F_AMD_ATTACH = kfunc('amd_iommu_attach_device', AMD_C, ['devid', 'domid']);
const F_AMD_DETACH = kfunc('amd_iommu_detach_device', AMD_C, ['devid']);

function emitDev(m: Machine, op: 'attach' | 'detach', dd: AmdDevData, domIndex: number): number {
  const s = amdState(m);
  const dom = s.domains[domIndex];
  const r = m.emit('amd-dev', {
    op, dev: dd.name, devid: devidText(dd.devid), iommu: s.iommus[dd.iommu].name, domain: dom.name, id: dom.id, devIommu: [...dom.devIommu], devCnt: dom.devCnt,
  });
  return r.seq;
}

/** do_attach(dev_data, domain). */
function doAttach(m: Machine, dd: AmdDevData, domIndex: number): void {
  const s = amdState(m);
  const dom = s.domains[domIndex];
  const k = m.kstack.enter(F_DO_ATTACH, dd.devid, dom.id);
  dd.domain = domIndex;
  dom.devList.unshift(s.devs.indexOf(dd)); // list_add: newest first
  dom.devIommu[dd.iommu] += 1;
  dom.devCnt += 1;
  // Its flushes reach this IOMMU again (attach_device flushes the domain next).
  dom.skippedSince[dd.iommu] = -1;
  setDteEntry(m, dd.devid, dom, dd.ats, dd.name);
  if (dd.alias !== dd.devid) setDteEntry(m, dd.alias, dom, dd.ats);
  deviceFlushDte(m, dd);
  emitDev(m, 'attach', dd, domIndex);
  m.kstack.leave(k);
}

/** do_detach(dev_data): rc3 or fixed, as the amd-detach-flush row says. */
function doDetach(m: Machine, dd: AmdDevData): void {
  const s = amdState(m);
  const domIndex = dd.domain;
  const dom = s.domains[domIndex];
  const k = m.kstack.enter(F_DO_DETACH, dd.devid, dom.id);
  const fixed = m.behaviour(AMD_DETACH_FLUSH) === 'flush-first';
  if (!fixed) {
    // "decrease reference counters"
    dom.devIommu[dd.iommu] -= 1;
    dom.devCnt -= 1;
  }
  dd.domain = -1;
  dom.devList = dom.devList.filter((i) => s.devs[i] !== dd);
  clearDteEntry(m, dd.devid, dd.name);
  if (dd.alias !== dd.devid) clearDteEntry(m, dd.alias);
  deviceFlushDte(m, dd);
  if (fixed) {
    domainFlushTlbPde(m, dom);
    domainFlushComplete(m, dom);
    // "decrease reference counters - needs to happen after the flushes"
    dom.devIommu[dd.iommu] -= 1;
    dom.devCnt -= 1;
  }
  const seq = emitDev(m, 'detach', dd, domIndex);
  // rc3: this IOMMU may still hold the domain's entries, and its count is now 0.
  if (!fixed && dom.devIommu[dd.iommu] === 0) dom.skippedSince[dd.iommu] = seq;
  m.kstack.leave(k);
}

/**
 * attach_device(dev, domain): -EBUSY when the device is attached already; do_attach; then
 * domain_flush_tlb_pde ("We might boot into a crash-kernel here ... flush here to evict all
 * dirty stuff"), with no completion wait of its own.
 */
export function attachDevice(m: Machine, dd: AmdDevData, domIndex: number): number {
  const s = amdState(m);
  const k = m.kstack.enter(F_ATTACH_DEVICE, dd.devid, s.domains[domIndex].id);
  let ret = -16; // -EBUSY
  if (dd.domain < 0) {
    doAttach(m, dd, domIndex);
    ret = 0;
  }
  domainFlushTlbPde(m, s.domains[domIndex]);
  m.kstack.leave(k);
  return ret;
}

/** detach_device(dev): WARN_ON(!dev_data->domain), then do_detach under the locks. */
export function detachDevice(m: Machine, dd: AmdDevData): void {
  if (dd.domain < 0) return;
  const k = m.kstack.enter(F_DETACH_DEVICE, dd.devid);
  doDetach(m, dd);
  m.kstack.leave(k);
}

/** amd_iommu_attach_device(dom, dev): detach from the old domain, attach, wait on the device's IOMMU. */
export function amdIommuAttachDevice(m: Machine, dd: AmdDevData, domIndex: number): number {
  const s = amdState(m);
  const k = m.kstack.enter(F_AMD_ATTACH, dd.devid, s.domains[domIndex].id);
  if (dd.domain >= 0) detachDevice(m, dd);
  const ret = attachDevice(m, dd, domIndex);
  iommuCompletionWait(m, s.iommus[dd.iommu]);
  m.kstack.leave(k);
  return ret;
}

/** amd_iommu_detach_device(dom, dev): detach, then a completion wait on the device's IOMMU. */
export function amdIommuDetachDevice(m: Machine, dd: AmdDevData): void {
  const k = m.kstack.enter(F_AMD_DETACH, dd.devid);
  if (dd.domain >= 0) detachDevice(m, dd);
  iommuCompletionWait(m, amdState(m).iommus[dd.iommu]);
  m.kstack.leave(k);
}

/**
 * iommu_detach_device(domain, dev) in the IOMMU core (drivers/iommu/iommu.c,
 * __iommu_detach_group): a group with a default domain is detached "by re-attaching to the
 * default domain"; one without is detached outright.
 */
export function iommuDetachDevice(m: Machine, dd: AmdDevData): void {
  if (dd.defaultDomain >= 0 && dd.domain !== dd.defaultDomain) amdIommuAttachDevice(m, dd, dd.defaultDomain);
  else amdIommuDetachDevice(m, dd);
}
