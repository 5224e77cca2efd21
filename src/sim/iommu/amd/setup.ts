/**
 * Bringing the AMD IOMMUs up and the scenario's kernel-side operations on them.
 *
 * At build: the hardware (command buffer, event log and the completion-wait semaphore in
 * DRAM), reserved_iova_ranges (MSI, HyperTransport, the PCI MEM BAR windows), the devices'
 * iommu_dev_data, and the DMA ops / translator every device behind an AMD IOMMU uses
 * (amd_iommu_add_device installs amd_iommu_dma_ops).
 * At t=0 (the probe event): amd_iommu_init_dma_ops' line, then each device in PCI order
 * gets its group's default DMA domain (allocated by the group's first device) attached.
 * Then the scenario's ops run at their times: domain alloc/free, attach/detach, the IOMMU
 * API (iommu_map / iommu_unmap + iotlb_sync, as VFIO uses it), raw device accesses.
 */
import type { Machine } from '../../machine.ts';
import { PRIO } from '../../machine.ts';
import { eventKey } from '../../core/keys.ts';
import { kfunc } from '../../core/kstack.ts';
import { physAllocOrLimit } from '../../mem/alloc.ts';
import { checksum, fill, fnv1a } from '../../mem/phys.ts';
import { DEVICES } from '../../devices/device.ts';
import type { SvaDeviceState } from '../../devices/sva-device.ts';
import { translatorKey, deviceRead, deviceWrite } from '../../devices/port.ts';
import { iommuPgsize } from '../core.ts';
import { initIovaDomain, iovaQuirksFor, reserveIova } from '../iova.ts';
import { protString } from '../../pgtable/prot.ts';
import { kernelRelease } from '../../kernel.ts';
import { amdIommuAttachDevice, detachDevice, iommuDetachDevice } from './attach.ts';
import { HT_RANGE_END, HT_RANGE_START, IOMMU_PROT_IR, IOMMU_PROT_IW, IOVA_START_PFN, MSI_RANGE_END, MSI_RANGE_START } from './defs.ts';
import { amdDomainAlloc, amdDomainByName, amdDomainDirectMap, amdDomainFree } from './domain.ts';
import { AMD_DMA_OPS, AMD_FQ_TIMER, amdFqTimer, provideAmdDmaOps } from './dma-ops.ts';
import { amdEvtIrq } from './evtlog.ts';
import { domainFlushComplete, domainFlushTlbPde, iommuCompletionWait } from './flush.ts';
import { AMD_EVT_IRQ } from './hw.ts';
import { amdIotlbCreate } from './iotlb.ts';
import { iommuMapPage, iommuUnmapPage } from './pgtable.ts';
import { amdTranslate } from './translate.ts';
import { type AmdDevData, type AmdIommu, type AmdOp, type AmdPlan, type AmdState, AMD_MODEL, amdState } from './state.ts';
import { ratelimitCreate } from '../../core/ratelimit.ts';

export type { AmdOp };

export interface AmdSetup {
  iommus: { name: string; devid: number }[];
  devices: {
    dev: string; devid: number; segment: number; bdf: string; alias: number; iommu: number; driver: string; group: string; ats: boolean; qdep: number;
    /** Its requests reach the IOMMU through the PCI topology (pci/route.ts calls translator 'amd' at the root complex): its translator stays. */
    viaPci: boolean;
  }[];
  fullflush: boolean;
  npCache: boolean;
  iotlbEntries: number;
  irqLatencyNs: number;
  barWindows: { start: number; size: number }[];
  mapPageEnomem: number[];
  ops: AmdOp[];
}

const PROBE = eventKey('amd.probe');
const OP = eventKey('amd.op');

const IOMMU_C = 'drivers/iommu/iommu.c';
const AMD_C = 'drivers/iommu/amd_iommu.c';
const F_ADD_DEVICE = kfunc('amd_iommu_add_device', AMD_C, ['devid']);
const F_IOMMU_MAP = kfunc('iommu_map', IOMMU_C, ['iova', 'paddr', 'size', 'prot']);
const F_IOMMU_UNMAP = kfunc('iommu_unmap', IOMMU_C, ['iova', 'size']);
const F_AMD_MAP = kfunc('amd_iommu_map', AMD_C, ['iova', 'paddr', 'page_size', 'prot']);
const F_AMD_UNMAP = kfunc('amd_iommu_unmap', AMD_C, ['iova', 'page_size']);
const F_FLUSH_ALL = kfunc('amd_iommu_flush_iotlb_all', AMD_C, ['domid']);
const F_DOMAIN_FREE = kfunc('amd_iommu_domain_free', AMD_C, ['domid']);

function plan(m: Machine): AmdPlan {
  return amdState(m).plan;
}

function allocRing(m: Machine, size: number): number {
  const pa = physAllocOrLimit(m.state.alloc, size, { align: size }, 'the AMD IOMMU rings');
  fill(m.state.mem, pa, size, 0);
  return pa;
}

/** Everything the build step sets up; returns the state. */
export function amdSetup(m: Machine, a: AmdSetup): AmdState {
  const release = kernelRelease(m.config.kernel);
  const iommus: AmdIommu[] = a.iommus.map((x, index) => ({
    index, name: x.name, devid: x.devid,
    cmdBase: allocRing(m, 8192), cmdHead: 0, cmdTail: 0, needSync: false, semPa: 0, cmds: 0, waits: 0,
    evtBase: allocRing(m, 8192), evtHead: 0, evtTail: 0, evtIrq: false, evtDropped: 0, events: 0,
    iotlb: amdIotlbCreate(a.iotlbEntries), reads: 0, writes: 0, walks: 0, faults: 0,
  }));
  // iommu->cmd_sem lives in struct amd_iommu (kzalloc): an 8-byte word each.
  for (const i of iommus) i.semPa = allocRing(m, 8);
  const reserved = initIovaDomain(4096, IOVA_START_PFN, iovaQuirksFor(m.config.kernel));
  // init_reserved_iova_ranges: MSI, HT, then every PCI MEM resource.
  reserveIova(reserved, MSI_RANGE_START / 4096, Math.floor(MSI_RANGE_END / 4096));
  reserveIova(reserved, HT_RANGE_START / 4096, Math.floor(HT_RANGE_END / 4096));
  for (const b of a.barWindows) reserveIova(reserved, Math.floor(b.start / 4096), Math.floor((b.start + b.size - 1) / 4096));
  const list = m.model(DEVICES).list;
  const devs: AmdDevData[] = a.devices.map((d) => {
    const devIndex = list.findIndex((x) => x.name === d.dev);
    const v2 = list[devIndex].kind === 'sva-device';
    return {
      name: d.dev, devIndex, devid: d.devid, alias: d.alias, bdf: d.bdf, segment: d.segment,
      iommu: d.iommu, driver: d.driver, ats: d.ats || v2, qdep: v2 ? (list[devIndex] as SvaDeviceState).qdep : d.qdep, v2,
      domain: -1, defaultDomain: -1, rs: ratelimitCreate(),
    };
  });
  for (const [i, d] of devs.entries()) {
    const dev = list[d.devIndex];
    dev.pciName = d.bdf;
    if (d.v2) {
      // amd_iommu_v2 drives it through PASIDs: its requester id is its PCI function.
      (dev as SvaDeviceState).devid = d.devid;
      continue;
    }
    dev.dmaOps = AMD_DMA_OPS;
    if (!a.devices[i].viaPci) dev.translator = 'amd';
    dev.pci = true;
  }
  const groups: AmdPlan['groups'] = [];
  // PCI enumeration order: segment, bus, devfn.
  const order = devs.map((_, i) => i).sort((x, y) => devs[x].segment - devs[y].segment || devs[x].devid - devs[y].devid);
  for (const i of order) {
    if (devs[i].v2) continue;
    const g = a.devices[i].group;
    let grp = groups.find((x) => x.group === g);
    if (!grp) groups.push((grp = { group: g, devs: [] }));
    grp.devs.push(i);
  }
  const s: AmdState = {
    release, fullflush: a.fullflush, npCache: a.npCache, irqLatencyNs: a.irqLatencyNs, iommus, devTable: {}, domains: [], usedIds: [], devs,
    reserved, printkRs: ratelimitCreate(), mapPageCalls: 0, mapPageEnomem: [...a.mapPageEnomem], fqQueuedAt: {}, live: devs.map(() => []),
    opsDone: 0, checks: 0, plan: { ops: a.ops, groups },
  };
  m.addModel(AMD_MODEL, s);
  provideAmdDmaOps(m);
  m.provide(translatorKey('amd'), amdTranslate);
  m.on(AMD_EVT_IRQ, amdEvtIrq);
  m.on(AMD_FQ_TIMER, amdFqTimer);
  m.on(PROBE, probe);
  m.on(OP, runOp);
  m.schedule(0, m.typeOf(PROBE), 0, 0, PRIO.kernel);
  a.ops.forEach((op, i) => m.schedule(op.at, m.typeOf(OP), i, 0, PRIO.kernel));
  return s;
}

/** The boot: amd_iommu_init_dma_ops' line, then the default domains attached in PCI order. */
function probe(m: Machine): void {
  const s = amdState(m);
  m.emit('klog', { level: 'info', text: s.fullflush ? 'AMD-Vi: IO/TLB flush on unmap enabled' : 'AMD-Vi: Lazy IO/TLB flushing enabled' });
  for (const g of plan(m).groups) {
    let dom = -1;
    for (const i of g.devs) {
      const dd = s.devs[i];
      const k = m.kstack.enter(F_ADD_DEVICE, dd.devid);
      // iommu_group_get_for_dev: the group's default domain, allocated with the group.
      if (dom < 0) dom = amdDomainAlloc(m, `dma-${g.group}`, 'dma');
      dd.defaultDomain = dom;
      if (dom >= 0) amdIommuAttachDevice(m, dd, dom);
      iommuCompletionWait(m, s.iommus[dd.iommu]);
      m.kstack.leave(k);
    }
  }
  // amd_iommu_init_device (amd_iommu_v2.c): an unmanaged domain, direct-mapped (mode 0: no
  // page table for DMA without a PASID), v2 enabled, attached to the device's group.
  for (const dd of s.devs) {
    if (!dd.v2) continue;
    const di = amdDomainAlloc(m, `v2-${dd.name}`, 'unmanaged');
    if (di < 0) continue;
    amdDomainDirectMap(m, di);
    amdIommuAttachDevice(m, dd, di);
    (m.model(DEVICES).list[dd.devIndex] as SvaDeviceState).domainId = s.domains[di].id;
  }
}

function devByName(s: AmdState, name: string): AmdDevData {
  const d = s.devs.find((x) => x.name === name);
  if (!d) throw new Error(`amd op: no device ${name}`);
  return d;
}

function domByName(m: Machine, name: string): number {
  return amdDomainByName(amdState(m), name);
}

/** iommu_map(domain, iova, paddr, size, prot): split into supported page sizes, amd_iommu_map each. */
function iommuMapOp(m: Machine, op: Extract<AmdOp, { op: 'iommu-map' }>): void {
  const s = amdState(m);
  const di = domByName(m, op.domain);
  const dom = s.domains[di];
  const k = m.kstack.enter(F_IOMMU_MAP, op.iova, op.pa, op.size, op.prot);
  // amd_iommu_map: IOMMU_READ -> IR, IOMMU_WRITE -> IW (the same bits).
  const prot = (op.prot & 1 ? IOMMU_PROT_IR : 0) | (op.prot & 2 ? IOMMU_PROT_IW : 0);
  let done = 0;
  let ret = 0;
  while (done < op.size) {
    const pg = iommuPgsize(0xffff_f000, op.iova + done, op.pa + done, op.size - done);
    const a = m.kstack.enter(F_AMD_MAP, op.iova + done, op.pa + done, pg, prot);
    ret = iommuMapPage(m, dom, op.iova + done, op.pa + done, pg, prot);
    m.kstack.leave(a);
    if (ret) break;
    done += pg;
  }
  m.emit('map', { api: 'iommu_map', domain: dom.name, iova: op.iova, pa: op.pa, size: op.size, prot: protString(op.prot), result: ret ? 'error' : 'ok', reason: ret ? `errno ${-ret}` : undefined });
  m.kstack.leave(k);
}

/** iommu_unmap(domain, iova, size): amd_iommu_unmap per page size, then iotlb_sync (flush_iotlb_all). */
function iommuUnmapOp(m: Machine, op: Extract<AmdOp, { op: 'iommu-unmap' }>): void {
  const s = amdState(m);
  const dom = s.domains[domByName(m, op.domain)];
  const k = m.kstack.enter(F_IOMMU_UNMAP, op.iova, op.size);
  let done = 0;
  while (done < op.size) {
    const pg = iommuPgsize(0xffff_f000, op.iova + done, 0, op.size - done);
    const a = m.kstack.enter(F_AMD_UNMAP, op.iova + done, pg);
    const n = iommuUnmapPage(m, dom, op.iova + done, pg);
    m.kstack.leave(a);
    if (!n) break;
    done += n;
  }
  const f = m.kstack.enter(F_FLUSH_ALL, dom.id);
  domainFlushTlbPde(m, dom);
  domainFlushComplete(m, dom);
  m.kstack.leave(f);
  m.emit('unmap', { api: 'iommu_unmap', domain: dom.name, iova: op.iova, size: done });
  m.kstack.leave(k);
}

/** amd_iommu_domain_free: cleanup_domain detaches what is left, then the table and the ID go. */
function domainFreeOp(m: Machine, name: string): void {
  const s = amdState(m);
  const di = domByName(m, name);
  const dom = s.domains[di];
  const k = m.kstack.enter(F_DOMAIN_FREE, dom.id);
  while (dom.devList.length) detachDevice(m, s.devs[dom.devList[0]]);
  if (dom.iovad) dom.iovad.fq = null; // put_iova_domain: the flush queue is torn down
  amdDomainFree(m, di);
  m.kstack.leave(k);
}

function runOp(m: Machine, index: number): void {
  amdState(m).opsDone++;
  amdRunOp(m, plan(m).ops[index]);
}

/** One kernel-side operation (the scenario's `amd.ops` run through here at their times). */
export function amdRunOp(m: Machine, op: AmdOp): void {
  const s = amdState(m);
  switch (op.op) {
    case 'domain-alloc':
      amdDomainAlloc(m, op.domain, op.type);
      return;
    case 'domain-free':
      domainFreeOp(m, op.domain);
      return;
    case 'attach':
      amdIommuAttachDevice(m, devByName(s, op.dev), domByName(m, op.domain));
      return;
    case 'detach':
      iommuDetachDevice(m, devByName(s, op.dev));
      return;
    case 'iommu-map':
      iommuMapOp(m, op);
      return;
    case 'iommu-unmap':
      iommuUnmapOp(m, op);
      return;
    case 'dev-read': {
      const dev = m.model(DEVICES).list[devByName(s, op.dev).devIndex];
      const { data } = deviceRead(m, dev, op.iova, op.len);
      m.emit('dev-access', { dev: op.dev, handle: '-', op: 'read', iova: op.iova, len: op.len, sum: fnv1a(data) });
      return;
    }
    case 'dev-write': {
      const dev = m.model(DEVICES).list[devByName(s, op.dev).devIndex];
      const data = new Uint8Array(op.len).fill(op.pattern);
      deviceWrite(m, dev, op.iova, data);
      m.emit('dev-access', { dev: op.dev, handle: '-', op: 'write', iova: op.iova, len: op.len, sum: fnv1a(data) });
      return;
    }
    case 'cpu-fill':
      fill(m.state.mem, op.pa, op.len, op.pattern);
      m.emit('cpu-write', { dev: '-', buf: op.buf, pa: op.pa, len: op.len, pattern: op.pattern, sum: checksum(m.state.mem, op.pa, op.len) });
      return;
  }
}

