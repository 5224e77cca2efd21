/**
 * DMA remapping domains and their attachment (drivers/iommu/intel-iommu.c): domain ids
 * (iommu_init_domains, domain_attach_iommu / domain_detach_iommu), a domain's IOVA space
 * and page table (v5.0.1 domain_init at the first map; v5.4.1 md_domain_init for the
 * group's default domain at boot, trimmed to the unit by prepare_domain_attach_device),
 * dmar_insert_one_dev_info with the PASID table and RID2PASID entry in scalable mode,
 * context entries (iommu_context_addr, domain_context_mapping_one, domain_context_clear_one),
 * device removal and domain_exit.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { physAlloc } from '../../mem/alloc.ts';
import { fill } from '../../mem/phys.ts';
import { copyReservedIova, initIovaDomain, initIovaFlushQueue, iovaFqPending, iovaQuirksFor, reserveIova } from '../iova.ts';
import {
  DEFAULT_DOMAIN_ADDRESS_WIDTH, DMA_PTE_READ, DMA_PTE_SNP, DMA_PTE_WRITE, agawToWidth, domainMaxAddr, vtdDomainMapping, domainMaxPfn, guestwidthToAdjustwidth, vtdAllocTable, vtdDomainUnmap, vtdFreePagelist,
  vtdFreeTable, vtdReadPte, widthToAgaw,
} from '../../pgtable/vtd/index.ts';
import { bdfText } from './bdf-text.ts';
import {
  CONTEXT_TT_MULTI_LEVEL, PASID_RID2PASID, contextDomainId, legacyContextEntry, readQwords, rootEntryPointer, scalableContextEntry,
  writeQwords,
} from './entries.ts';
import { cap, ecap } from './regs.ts';
import { flushContext, flushIotlb, flushWriteBuffer } from './flush.ts';
import { intelPasidAllocTable, intelPasidFreeTable, intelPasidSetupSecondLevel, intelPasidTearDownEntry } from './pasid.ts';
import { type VtdDevInfo, type VtdDomainState, type VtdUnitState, vtdState } from './state.ts';

const INTEL_IOMMU_C = 'drivers/iommu/intel-iommu.c';
const F_DOMAIN_INIT = kfunc('domain_init', INTEL_IOMMU_C, ['guest_width']);
const F_MD_DOMAIN_INIT = kfunc('md_domain_init', INTEL_IOMMU_C, ['guest_width']);
const F_INSERT_DEV_INFO = kfunc('dmar_insert_one_dev_info', INTEL_IOMMU_C, ['bus', 'devfn']);
const F_CONTEXT_MAPPING_ONE = kfunc('domain_context_mapping_one', INTEL_IOMMU_C, ['bus', 'devfn']);
const F_CONTEXT_CLEAR_ONE = kfunc('domain_context_clear_one', INTEL_IOMMU_C, ['bus', 'devfn']);
const F_REMOVE_DEV_INFO = kfunc('__dmar_remove_one_dev_info', INTEL_IOMMU_C);
const F_DOMAIN_EXIT = kfunc('domain_exit', INTEL_IOMMU_C);
const F_GET_VALID_DOMAIN = kfunc('get_valid_domain_for_dev', INTEL_IOMMU_C);
const F_ATTACH_DEVICE = kfunc('intel_iommu_attach_device', INTEL_IOMMU_C);
const F_IOMMU_MAP = kfunc('intel_iommu_map', INTEL_IOMMU_C, ['iova', 'hpa', 'size']);

const ENODEV = 19;
const ENOSPC = 28;
const ENOMEM = 12;

/** iommu_init_domains: domain id 0 is never used; in scalable mode FLPT_DEFAULT_DID (1) neither. */
export function iommuInitDomains(u: VtdUnitState): void {
  u.dids = u.sm ? [0, 1] : [0];
  u.didDomain = {};
}

/** find_first_zero_bit(iommu->domain_ids, ndomains). */
function firstFreeDid(u: VtdUnitState): number {
  let did = 0;
  for (const used of u.dids) {
    if (used !== did) break;
    did++;
  }
  return did < cap.ndoms(u.cap) ? did : -1;
}

/** domain_attach_iommu: the domain's id on the unit, the lowest free one. */
function domainAttachIommu(m: Machine, dom: VtdDomainState, u: VtdUnitState): number {
  if (dom.did) return 0; // iommu_refcnt already counts this unit
  const did = firstFreeDid(u);
  if (did < 0) {
    m.emit('klog', { level: 'err', text: `DMAR: ${u.name}: No free domain ids` });
    return -ENOSPC;
  }
  u.dids.push(did);
  u.dids.sort((a, b) => a - b);
  u.didDomain[did] = dom.id;
  dom.did = did;
  return 0;
}

/** domain_detach_iommu: the id goes back (the next domain attached gets it again). */
function domainDetachIommu(dom: VtdDomainState, u: VtdUnitState): void {
  if (dom.devs.length) return; // iommu_refcnt stays above zero
  u.dids = u.dids.filter((d) => d !== dom.did);
  delete u.didDomain[dom.did];
  dom.did = 0;
}

/** domain_update_iommu_superpage: fls of the SLLPS every unit shares (0 with sp_off). */
function superpageLevels(m: Machine): number {
  const s = vtdState(m);
  if (!s.superpage) return 0;
  let mask = 0xf;
  for (const u of s.units) mask &= cap.superPageVal(u.cap);
  return mask ? Math.floor(Math.log2(mask)) + 1 : 0;
}

function newDomain(m: Machine, u: VtdUnitState): VtdDomainState {
  const s = vtdState(m);
  const iovad = initIovaDomain(4096, 1, iovaQuirksFor(m.config.kernel));
  initIovaFlushQueue(iovad);
  // domain_reserve_special_ranges: copy_reserved_iova(&reserved_iova_list, &domain->iovad).
  const reserved = initIovaDomain(4096, 1, iovaQuirksFor(m.config.kernel));
  for (const [lo, hi] of s.reserved) reserveIova(reserved, lo, hi);
  copyReservedIova(reserved, iovad);
  const id = s.domains.length;
  const dom: VtdDomainState = {
    id,
    name: `vtd-dom${id}`,
    unit: u.id,
    did: 0,
    pt: { domain: `vtd-dom${id}`, pgd: 0, agaw: 0, gaw: 0, superpage: 0, tables: 0 },
    iovad,
    maxAddr: 0,
    snooping: false,
    devs: [],
    alive: true,
    fqTimer: false,
  };
  s.domains.push(dom);
  return dom;
}

function emitDomain(m: Machine, u: VtdUnitState, dom: VtdDomainState, op: 'alloc' | 'attach' | 'detach' | 'free', info?: VtdDevInfo): void {
  m.emit('vtd-domain', {
    iommu: u.name, op, domain: dom.name, did: dom.did, gaw: dom.pt.gaw, agaw: dom.pt.agaw, pgd: dom.pt.pgd,
    dev: info?.dev, bdf: info ? bdfText(info.bus, info.devfn) : undefined, mode: op === 'attach' ? (u.sm ? 'scalable' : 'legacy') : undefined,
  });
}

/**
 * v5.0.1 domain_init(domain, iommu, 57): gaw = min(57, MGAW), agaw from the adjusted width,
 * or the next one SAGAW supports; snooping and superpages from the unit; the top table.
 */
function domainInit(m: Machine, u: VtdUnitState, dom: VtdDomainState): number {
  const k = m.kstack.enter(F_DOMAIN_INIT, DEFAULT_DOMAIN_ADDRESS_WIDTH);
  try {
    const gaw = Math.min(DEFAULT_DOMAIN_ADDRESS_WIDTH, cap.mgaw(u.cap));
    let agaw = widthToAgaw(guestwidthToAdjustwidth(gaw));
    const sagaw = cap.sagaw(u.cap);
    while (agaw < 5 && !((sagaw >> agaw) & 1)) agaw++;
    if (agaw >= 5) return -ENODEV;
    dom.pt.gaw = gaw;
    dom.pt.agaw = agaw;
    dom.snooping = ecap.sc(u.ecap);
    dom.pt.superpage = superpageLevels(m);
    return allocPgd(m, dom);
  } finally {
    m.kstack.leave(k);
  }
}

/** v5.4.1 md_domain_init(domain, 57): gaw 57, agaw 3 until the attach trims it. */
function mdDomainInit(m: Machine, dom: VtdDomainState): number {
  const k = m.kstack.enter(F_MD_DOMAIN_INIT, DEFAULT_DOMAIN_ADDRESS_WIDTH);
  try {
    dom.pt.gaw = DEFAULT_DOMAIN_ADDRESS_WIDTH;
    dom.pt.agaw = widthToAgaw(guestwidthToAdjustwidth(DEFAULT_DOMAIN_ADDRESS_WIDTH));
    // domain_update_iommu_cap (intel_iommu_domain_alloc): what every unit offers.
    dom.snooping = vtdState(m).units.every((x) => ecap.sc(x.ecap));
    dom.pt.superpage = superpageLevels(m);
    return allocPgd(m, dom);
  } finally {
    m.kstack.leave(k);
  }
}

function allocPgd(m: Machine, dom: VtdDomainState): number {
  const pgd = vtdAllocTable(m, dom.pt, dom.pt.agaw + 2);
  if (pgd < 0) return -ENOMEM;
  dom.pt.pgd = pgd;
  return 0;
}

/** prepare_domain_attach_device (v5.4.1): gaw = min(the unit's width, MGAW); drop the levels the unit lacks. */
function prepareDomainAttach(m: Machine, u: VtdUnitState, dom: VtdDomainState): void {
  dom.pt.gaw = Math.min(agawToWidth(u.agaw), cap.mgaw(u.cap));
  while (u.agaw < dom.pt.agaw) {
    const top = vtdReadPte(m, dom.pt.pgd);
    if (top % 4 !== 0) {
      const old = dom.pt.pgd;
      dom.pt.pgd = top - (top % 4096);
      vtdFreeTable(m, dom.pt, old, dom.pt.agaw + 2);
    }
    dom.pt.agaw--;
  }
}

/**
 * iommu_context_addr(iommu, bus, devfn, alloc): the context entry's PA, allocating the bus's
 * context table (and writing the root entry) when asked. In scalable mode the root entry's
 * high half serves devfn >= 0x80 and entries are 256-bit (devfn * 2 slots of 128 bits).
 */
export function iommuContextAddr(m: Machine, u: VtdUnitState, bus: number, devfn: number, alloc: boolean): number {
  let entry = u.rootPa + 16 * bus;
  let fn = devfn;
  if (u.sm) {
    if (fn >= 0x80) {
      fn -= 0x80;
      entry += 8;
    }
    fn *= 2;
  }
  const [v] = readQwords(m, entry, 1);
  if (v & 1n) return Number(v & ~0xfffn) + 16 * fn;
  if (!alloc) return -1;
  const table = vtdAllocContextTable(m);
  if (table < 0) return -1;
  const nv = rootEntryPointer(table);
  writeQwords(m, entry, [nv]);
  const [lo, hi] = readQwords(m, u.rootPa + 16 * bus, 2);
  const [olo, ohi] = entry === u.rootPa + 16 * bus ? [v, hi] : [lo, v];
  m.emit('vtd-entry', { iommu: u.name, table: 'root', index: bus, addr: u.rootPa + 16 * bus, old: [olo, ohi], new: [lo, hi], by: 'iommu_context_addr' });
  return table + 16 * fn;
}

/** alloc_pgtable_page for a context table: one zeroed page (the root entry's record shows it). */
function vtdAllocContextTable(m: Machine): number {
  const pa = physAlloc(m.state.alloc, 4096, { align: 4096 });
  if (pa >= 0) fill(m.state.mem, pa, 4096, 0);
  return pa;
}

/** domain_context_mapping_one(domain, iommu, table, bus, devfn). */
function domainContextMappingOne(m: Machine, u: VtdUnitState, dom: VtdDomainState, info: VtdDevInfo): number {
  const k = m.kstack.enter(F_CONTEXT_MAPPING_ONE, info.bus, info.devfn);
  try {
    const pa = iommuContextAddr(m, u, info.bus, info.devfn, true);
    if (pa < 0) return -ENOMEM;
    const n = u.sm ? 4 : 2;
    const old = readQwords(m, pa, n);
    if (old[0] & 1n) return 0; // context_present
    let v: bigint[];
    if (u.sm) {
      const t = info.pasidTable!;
      v = scalableContextEntry({ dirPa: t.dirPa, maxPasid: t.maxPasid, rid2pasid: PASID_RID2PASID });
    } else {
      // Skip top levels the unit's agaw lacks (v5.4 already trimmed them at attach).
      let pgd = dom.pt.pgd;
      for (let agaw = dom.pt.agaw; agaw > u.agaw; agaw--) pgd = Number(readQwords(m, pgd, 1)[0] & ~0xfffn);
      v = legacyContextEntry({ did: dom.did, tt: CONTEXT_TT_MULTI_LEVEL, pgd, aw: Math.min(dom.pt.agaw, u.agaw) });
    }
    writeQwords(m, pa, v);
    m.emit('vtd-entry', { iommu: u.name, table: 'context', index: u.sm ? info.devfn & 0x7f : info.devfn, addr: pa, bdf: bdfText(info.bus, info.devfn), old, new: v, by: 'domain_context_mapping_one' });
    // Not present -> present: caching mode flushes the context cache and domain; else the write buffer.
    if (cap.cachingMode(u.cap)) {
      flushContext(m, u, 0, (info.bus << 8) | info.devfn, 0, 'device', 'domain_context_mapping_one');
      flushIotlb(m, u, dom.did, 0, 0, 'dsi', 'domain_context_mapping_one');
    } else flushWriteBuffer(m, u);
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * domain_context_clear_one: clear the entry, then invalidate the context cache and the IOTLB
 * for the DID context_domain_id() reads — in scalable mode that is hi bits 23:8 of an entry
 * that keeps RID_PASID and bit 20 there, so 0x1000 for RID2PASID 0 (both kernels).
 */
function domainContextClearOne(m: Machine, u: VtdUnitState, info: VtdDevInfo): void {
  const k = m.kstack.enter(F_CONTEXT_CLEAR_ONE, info.bus, info.devfn);
  const pa = iommuContextAddr(m, u, info.bus, info.devfn, false);
  if (pa >= 0) {
    const n = u.sm ? 4 : 2;
    const old = readQwords(m, pa, n);
    const didOld = contextDomainId(old[1]);
    const v = new Array<bigint>(n).fill(0n);
    writeQwords(m, pa, v);
    m.emit('vtd-entry', { iommu: u.name, table: 'context', index: u.sm ? info.devfn & 0x7f : info.devfn, addr: pa, bdf: bdfText(info.bus, info.devfn), old, new: v, by: 'domain_context_clear_one' });
    flushContext(m, u, didOld, (info.bus << 8) | info.devfn, 0, 'device', 'domain_context_clear_one');
    flushIotlb(m, u, didOld, 0, 0, 'dsi', 'domain_context_clear_one');
  }
  m.kstack.leave(k);
}

/**
 * dmar_insert_one_dev_info(iommu, bus, devfn, dev, domain): take a domain id, link the
 * device, in scalable mode allocate its PASID table and set the RID2PASID entry, then the
 * context entry. On failure the device is unlinked again (dmar_remove_one_dev_info).
 */
function dmarInsertOneDevInfo(m: Machine, u: VtdUnitState, dom: VtdDomainState, info: VtdDevInfo): number {
  const k = m.kstack.enter(F_INSERT_DEV_INFO, info.bus, info.devfn);
  try {
    let ret = domainAttachIommu(m, dom, u);
    if (ret) return ret;
    dom.devs.push(info.dev);
    info.domain = dom.id;
    if (u.sm) {
      ret = intelPasidAllocTable(m, u, info);
      if (ret) {
        m.emit('klog', { level: 'err', text: devErr(m, info, 'PASID table allocation failed', `PASID table allocation for ${pciName(info)} failed`) });
        dmarRemoveOneDevInfo(m, info);
        return ret;
      }
      ret = intelPasidSetupSecondLevel(m, u, dom, info, PASID_RID2PASID);
      if (ret) {
        m.emit('klog', { level: 'err', text: devErr(m, info, 'Setup RID2PASID failed', `Setup RID2PASID for ${pciName(info)} failed`) });
        dmarRemoveOneDevInfo(m, info);
        return ret;
      }
    }
    ret = domainContextMappingOne(m, u, dom, info);
    if (ret) {
      m.emit('klog', { level: 'err', text: devErr(m, info, 'Domain context map failed', `Domain context map for ${pciName(info)} failed`) });
      dmarRemoveOneDevInfo(m, info);
      return ret;
    }
    emitDomain(m, u, dom, 'attach', info);
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

export const pciName = (info: VtdDevInfo): string => `0000:${bdfText(info.bus, info.devfn)}`;

/** A driver error line: v5.0 pr_err("… for %s …", dev_name), v5.4 dev_err(dev, "…") with the driver name. */
export function devErr(m: Machine, info: VtdDevInfo, v54: string, v50: string): string {
  return vtdState(m).release === 'v5.4' ? `${info.driver} ${pciName(info)}: DMAR: ${v54}` : `DMAR: ${v50}`;
}

/** A new domain for a device on its unit, per kernel: v5.0 domain_init, v5.4 md_domain_init + prepare. */
function allocDomainFor(m: Machine, u: VtdUnitState): VtdDomainState | null {
  const s = vtdState(m);
  const dom = newDomain(m, u);
  const ret = s.release === 'v5.4' ? mdDomainInit(m, dom) : domainInit(m, u, dom);
  if (ret) {
    dom.alive = false;
    return null;
  }
  emitDomain(m, u, dom, 'alloc');
  if (s.release === 'v5.4') prepareDomainAttach(m, u, dom);
  return dom;
}

/**
 * v5.0.1 get_valid_domain_for_dev: the device's domain, created and attached on the first
 * DMA API call (find_or_alloc_domain, set_domain_for_dev).
 */
export function getValidDomainForDev(m: Machine, info: VtdDevInfo): VtdDomainState | null {
  const s = vtdState(m);
  if (info.domain >= 0) return s.domains[info.domain];
  const k = m.kstack.enter(F_GET_VALID_DOMAIN);
  try {
    const u = s.units[info.unit];
    const dom = allocDomainFor(m, u);
    if (!dom || dmarInsertOneDevInfo(m, u, dom, info)) {
      if (dom) domainExit(m, dom);
      m.emit('klog', { level: 'err', text: `DMAR: Allocating domain for ${pciName(info)} failed` });
      return null;
    }
    return dom;
  } finally {
    m.kstack.leave(k);
  }
}

/** v5.4.1 at device add: the group's default DMA domain, attached (intel_iommu_attach_device). */
export function attachDefaultDomain(m: Machine, info: VtdDevInfo): void {
  const s = vtdState(m);
  const k = m.kstack.enter(F_ATTACH_DEVICE);
  const u = s.units[info.unit];
  const dom = allocDomainFor(m, u);
  if (dom && dmarInsertOneDevInfo(m, u, dom, info)) domainExit(m, dom);
  m.kstack.leave(k);
}

/**
 * VFIO's container for an assigned device (vfio_iommu_type1 with DOMAIN_ATTR_NESTING):
 * intel_iommu_domain_alloc(IOMMU_DOMAIN_UNMANAGED) and intel_iommu_attach_device — the same
 * domain init and dmar_insert_one_dev_info as a DMA domain (PASID table, RID2PASID second
 * level, context entry), flagged for nesting. Null when the attach failed.
 */
export function intelIommuAttachNesting(m: Machine, info: VtdDevInfo): VtdDomainState | null {
  const s = vtdState(m);
  const k = m.kstack.enter(F_ATTACH_DEVICE);
  try {
    const u = s.units[info.unit];
    const dom = allocDomainFor(m, u);
    if (!dom) return null;
    if (dmarInsertOneDevInfo(m, u, dom, info)) {
      domainExit(m, dom);
      return null;
    }
    return dom;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * intel_iommu_map(domain, iova, hpa, size, IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE): the
 * second-level leaves (superpages where aligned) and domain->max_addr raised to iova + size
 * (-EFAULT beyond the domain's width). No flush: not-present entries were never cached.
 */
export function intelIommuMap(m: Machine, dom: VtdDomainState, iova: number, hpa: number, size: number): number {
  const k = m.kstack.enter(F_IOMMU_MAP, iova, hpa, size);
  try {
    const prot = DMA_PTE_READ | DMA_PTE_WRITE | (dom.snooping ? DMA_PTE_SNP : 0);
    const maxAddr = iova + size;
    if (dom.maxAddr < maxAddr) {
      if (domainMaxAddr(dom.pt.gaw) + 1 < maxAddr) {
        m.emit('klog', { level: 'err', text: `DMAR: ${vtdState(m).units[dom.unit].name}: iommu width (${dom.pt.gaw}) is not sufficient for the mapped address (${maxAddr.toString(16)})` });
        return -14;
      }
      dom.maxAddr = maxAddr;
    }
    const pages = Math.ceil(size / 4096);
    return vtdDomainMapping(m, dom.pt, { iovPfn: Math.floor(iova / 4096), sg: null, physPfn: Math.floor(hpa / 4096), nrPages: pages, prot });
  } finally {
    m.kstack.leave(k);
  }
}

/** __dmar_remove_one_dev_info: PASID teardown (scalable), context clear, PASID table, domain id. */
export function dmarRemoveOneDevInfo(m: Machine, info: VtdDevInfo): void {
  const s = vtdState(m);
  if (info.domain < 0) return;
  const k = m.kstack.enter(F_REMOVE_DEV_INFO);
  const u = s.units[info.unit];
  const dom = s.domains[info.domain];
  if (u.sm && info.pasidTable) intelPasidTearDownEntry(m, u, info, PASID_RID2PASID);
  domainContextClearOne(m, u, info);
  intelPasidFreeTable(m, info);
  dom.devs = dom.devs.filter((d) => d !== info.dev);
  info.domain = -1;
  emitDomain(m, u, dom, 'detach', info);
  domainDetachIommu(dom, u);
  m.kstack.leave(k);
}

/**
 * domain_exit: put_iova_domain (a flush queue's entries are destroyed without a flush:
 * their page tables freed), then domain_unmap of the whole space and dma_free_pagelist.
 */
export function domainExit(m: Machine, dom: VtdDomainState): void {
  const s = vtdState(m);
  const k = m.kstack.enter(F_DOMAIN_EXIT);
  const u = s.units[dom.unit];
  for (const e of iovaFqPending(dom.iovad)) freeCookie(m, e.data);
  dom.iovad.fq = null;
  dom.fqTimer = false;
  if (dom.pt.pgd) vtdFreePagelist(m, dom.pt, vtdDomainUnmap(m, dom.pt, 0, domainMaxPfn(dom.pt.gaw)));
  dom.alive = false;
  emitDomain(m, u, dom, 'free');
  m.kstack.leave(k);
}

/** iova_entry_free: a flush-queue entry's page-table freelist. */
export function freeCookie(m: Machine, cookie: number): void {
  const s = vtdState(m);
  const f = s.freelists[cookie];
  if (!f) return;
  delete s.freelists[cookie];
  vtdFreePagelist(m, s.domains[f.domain].pt, f.tables);
}
