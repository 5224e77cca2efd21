/**
 * The driver's flush helpers (drivers/iommu/amd_iommu.c, v5.0.1 = v5.4.1): queueing
 * commands, completion waits, and the domain flushes that go only to the IOMMUs a domain's
 * dev_iommu[] counts say have its devices behind them.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { type CmdWords, ALL, buildCompletionWait, buildInvDte, buildInvIommuPages, buildInvIotlbPages } from './cmd.ts';
import { setDteEntry } from './dte.ts';
import { amdQueueCommand, amdReadSem } from './hw.ts';
import { amdCheckAfterFlush } from './stale.ts';
import { type AmdDevData, type AmdDomain, type AmdIommu, amdState } from './state.ts';
import { write32 } from '../../mem/phys.ts';

const AMD_C = 'drivers/iommu/amd_iommu.c';
const F_QUEUE = kfunc('iommu_queue_command', AMD_C);
const F_COMPLETION_WAIT = kfunc('iommu_completion_wait', AMD_C);
const F_DEVICE_FLUSH_DTE = kfunc('device_flush_dte', AMD_C, ['devid']);
const F_DOMAIN_FLUSH_PAGES = kfunc('__domain_flush_pages', AMD_C, ['address', 'size', 'pde']);
const F_DOMAIN_FLUSH_COMPLETE = kfunc('domain_flush_complete', AMD_C, ['domid']);
const F_UPDATE_DOMAIN = kfunc('update_domain', AMD_C, ['domid']);

/** iommu_queue_command(iommu, cmd): __iommu_queue_command_sync with sync = true. */
export function iommuQueueCommand(m: Machine, iommu: AmdIommu, cmd: CmdWords, by: string): void {
  const k = m.kstack.enter(F_QUEUE);
  amdQueueCommand(m, iommu, cmd, by, true);
  m.kstack.leave(k);
}

/**
 * iommu_completion_wait(iommu): nothing unless need_sync; else zero cmd_sem, queue
 * COMPLETION_WAIT (sync = false) and poll cmd_sem (wait_on_sem). Returns 0 (-EIO if the
 * store never came, which the model's command processor never lets happen).
 */
export function iommuCompletionWait(m: Machine, iommu: AmdIommu): number {
  if (!iommu.needSync) return 0;
  const k = m.kstack.enter(F_COMPLETION_WAIT);
  write32(m.state.mem, iommu.semPa, 0);
  write32(m.state.mem, iommu.semPa + 4, 0);
  amdQueueCommand(m, iommu, buildCompletionWait(iommu.semPa), 'iommu_completion_wait', false);
  iommu.waits++;
  const ok = amdReadSem(m, iommu) !== 0;
  m.kstack.leave(k);
  return ok ? 0 : -5;
}

/** device_flush_iotlb(dev_data, address, size): INVALIDATE_IOTLB_PAGES to the device's IOMMU. */
function deviceFlushIotlb(m: Machine, dd: AmdDevData, address: number, size: number | typeof ALL): void {
  iommuQueueCommand(m, amdState(m).iommus[dd.iommu], buildInvIotlbPages(dd.devid, dd.qdep, address, size), 'device_flush_iotlb');
}

/** device_flush_dte(dev_data): INVALIDATE_DEVTAB_ENTRY for devid (and its alias), then the ATS device IOTLB. */
export function deviceFlushDte(m: Machine, dd: AmdDevData): void {
  const k = m.kstack.enter(F_DEVICE_FLUSH_DTE, dd.devid);
  const iommu = amdState(m).iommus[dd.iommu];
  iommuQueueCommand(m, iommu, buildInvDte(dd.devid), 'device_flush_dte');
  if (dd.alias !== dd.devid) iommuQueueCommand(m, iommu, buildInvDte(dd.alias), 'device_flush_dte');
  if (dd.ats) deviceFlushIotlb(m, dd, 0, ALL);
  m.kstack.leave(k);
}

/**
 * __domain_flush_pages(domain, address, size, pde): one INVALIDATE_IOMMU_PAGES (more than
 * one page: the whole domain) to every IOMMU i with dev_iommu[i] != 0, then
 * INVALIDATE_IOTLB_PAGES for every ATS device on dev_list.
 */
export function domainFlushPagesPde(m: Machine, dom: AmdDomain, address: number, size: number | typeof ALL, pde: boolean, by: string): void {
  const k = m.kstack.enter(F_DOMAIN_FLUSH_PAGES, address, size === ALL ? -1 : size, pde ? 1 : 0);
  const s = amdState(m);
  const cmd = buildInvIommuPages(address, size, dom.id, pde);
  if (cmd[2] & 1) dom.flushAll = true;
  for (let i = 0; i < s.iommus.length; i++) {
    if (!dom.devIommu[i]) continue;
    iommuQueueCommand(m, s.iommus[i], cmd, by);
  }
  for (const di of dom.devList) {
    const dd = s.devs[di];
    if (dd.ats) deviceFlushIotlb(m, dd, address, size);
  }
  m.kstack.leave(k);
}

/** domain_flush_pages(domain, address, size). */
export const domainFlushPages = (m: Machine, dom: AmdDomain, address: number, size: number): void =>
  domainFlushPagesPde(m, dom, address, size, false, 'domain_flush_pages');

/** domain_flush_tlb(domain): the whole domain, PDE clear. */
export const domainFlushTlb = (m: Machine, dom: AmdDomain): void => domainFlushPagesPde(m, dom, 0, ALL, false, 'domain_flush_tlb');

/** domain_flush_tlb_pde(domain): the whole domain, PDE set. */
export const domainFlushTlbPde = (m: Machine, dom: AmdDomain): void => domainFlushPagesPde(m, dom, 0, ALL, true, 'domain_flush_tlb_pde');

/** domain_flush_complete(domain): a completion wait on every IOMMU with dev_iommu[i] != 0. */
export function domainFlushComplete(m: Machine, dom: AmdDomain): void {
  const k = m.kstack.enter(F_DOMAIN_FLUSH_COMPLETE, dom.id);
  const s = amdState(m);
  for (let i = 0; i < s.iommus.length; i++) {
    if (!dom.devIommu[i]) continue;
    iommuCompletionWait(m, s.iommus[i]);
  }
  // The checker: a completed whole-domain flush must leave no stale entry of the domain anywhere.
  if (dom.flushAll) amdCheckAfterFlush(m, dom);
  dom.flushAll = false;
  m.kstack.leave(k);
}

/** domain_flush_devices(domain): device_flush_dte for every device on dev_list. */
export function domainFlushDevices(m: Machine, dom: AmdDomain): void {
  const s = amdState(m);
  for (const di of dom.devList) deviceFlushDte(m, s.devs[di]);
}

/** update_device_table(domain): set_dte_entry for every device on dev_list (and its alias). */
function updateDeviceTable(m: Machine, dom: AmdDomain): void {
  const s = amdState(m);
  for (const di of dom.devList) {
    const dd = s.devs[di];
    setDteEntry(m, dd.devid, dom, dd.ats, dd.name);
    if (dd.alias !== dd.devid) setDteEntry(m, dd.alias, dom, dd.ats);
  }
}

/**
 * update_domain(domain): rewrite the DTEs, flush them, flush the domain with PDE (no
 * completion wait). v5.0 checks and clears domain->updated itself; v5.4's caller passes a
 * local `updated` and calls it only when set.
 */
export function updateDomain(m: Machine, dom: AmdDomain): void {
  const k = m.kstack.enter(F_UPDATE_DOMAIN, dom.id);
  updateDeviceTable(m, dom);
  domainFlushDevices(m, dom);
  domainFlushTlbPde(m, dom);
  dom.updated = false;
  m.kstack.leave(k);
}
