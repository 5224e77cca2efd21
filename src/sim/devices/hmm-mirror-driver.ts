/**
 * The driver of a device that mirrors a process through HMM, modelled on nouveau's SVM
 * (v5.4 drivers/gpu/drm/nouveau/nouveau_svm.c) and the v5.0 pattern of include/linux/hmm.h:
 * the device translates process addresses through its own page table; a miss is a
 * replayable device fault the driver services in two steps, (A) snapshot the CPU page
 * table (hmm_vma_fault / hmm_range_fault) and, after preparing the update, (B) take its
 * lock, check the snapshot is still valid and commit it, then replay the access.
 * sync_cpu_device_pagetables clears its page table under the same lock. Its accesses are
 * checked against the CPU page table (a stale device entry is a coherency violation).
 *
 * The same driver acts as the RFC's exporter (p2p_map / p2p_unmap of its BAR VMA) and,
 * importing, commits HMM_PFN_P2P entries as bus addresses the topology routes.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { eventKey } from '../core/keys.ts';
import { intBetween } from '../core/prng.ts';
import { kernelRelease, P2PDMA_WHITELIST } from '../kernel.ts';
import { PAGE_SIZE, fnv1a } from '../mem/phys.ts';
import { DMA_MAPPING_ERROR, dmaMapPage } from '../dma/api.ts';
import type { Translation } from './port.ts';
import { deviceRead, deviceWrite } from './port.ts';
import { DEVICES } from './device.ts';
import { mmById, mmByName, mmModel, pteValue } from '../mm/state.ts';
import type { Vma } from '../mm/types.ts';
import { HMM_MODEL, type DevPte, type HmmMirror, type HmmRange } from '../mm/hmm-state.ts';
import { type DevPteText } from '../mm/hmm-kinds.ts';
import { HMM_MIRROR_OPS, hmmMirrorRegister, hmmMirrorUnregister, hmmModel, mmapSemHolder } from '../mm/hmm.ts';
import {
  encodingOf, findVmaAbove, hmmEntryToPfn, hmmRangeCreate, hmmRangeFault, hmmRangeRegister, hmmRangeUnregister, hmmRangeValid,
  hmmVmaFault, hmmVmaRangeDone,
} from '../mm/hmm-range.ts';
import { VMA_P2P_OPS } from '../mm/devmap.ts';
import { pciP2pdmaDistanceMany, pciState } from '../pci/p2pdma.ts';
import { mapTypeV54 } from '../pci/distance.ts';
import { PCI_P2PDMA_MAP_THRU_HOST_BRIDGE } from '../pci/types.ts';
import { pciEndpoint, pciEndpointNext, pciEndpointReplay, type PciEndpointState, type PciEpOp } from './pci-endpoint.ts';

const FAULT_A = eventKey('pci-endpoint.fault');
const FAULT_B = eventKey('pci-endpoint.commit');

const F_SYNC = kfunc('nouveau_svmm_sync_cpu_device_pagetables', 'drivers/gpu/drm/nouveau/nouveau_svm.c', ['start', 'limit']);
const F_SVM_FAULT = kfunc('nouveau_svm_fault', 'drivers/gpu/drm/nouveau/nouveau_svm.c');
const F_P2P_MAP = kfunc('p2p_map', 'include/linux/mm.h (RFC vm_operations_struct)', ['start', 'end']);
const F_P2P_UNMAP = kfunc('p2p_unmap', 'include/linux/mm.h (RFC vm_operations_struct)', ['start', 'end']);

const EAGAIN = -11;
const EBUSY = -16;
const EINVAL = -22;
/** A fault the driver cannot make valid in this many tries is cancelled. */
const MAX_TRIES = 8;

export function mirrorOf(m: Machine, d: PciEndpointState): HmmMirror | undefined {
  return d.mirror >= 0 ? hmmModel(m).mirrors[d.mirror] : undefined;
}

const entryText = (e: DevPte | undefined): DevPteText => (e ? { present: true, addr: e.page * PAGE_SIZE, write: e.write, p2p: e.p2p } : { present: false });

/** Change one device page-table entry, with its record. */
function setDevPte(m: Machine, mirror: HmmMirror, vpn: number, e: DevPte | undefined, why: string): void {
  const old = mirror.devpt.get(vpn);
  if (e) mirror.devpt.set(vpn, e);
  else mirror.devpt.delete(vpn);
  const r = m.emit('dev-pte', { dev: mirror.name, va: vpn * PAGE_SIZE, old: entryText(old), new: entryText(e), why });
  if (e) e.filledBy = r.seq;
}

/** Clear the device's entries in [start, end); p2p ones are given back to their exporter (p2p_unmap). */
function clearDevpt(m: Machine, mirror: HmmMirror, start: number, end: number, why: string): number {
  const vpns = [...mirror.devpt.keys()].filter((v) => v * PAGE_SIZE >= start && v * PAGE_SIZE < end).sort((a, b) => a - b);
  const p2pPages = vpns.filter((v) => mirror.devpt.get(v)!.p2p);
  for (const v of vpns) setDevPte(m, mirror, v, undefined, why);
  if (p2pPages.length && m.findModel(HMM_MODEL)) {
    const mm = mmById(m, mirror.mm);
    const first = p2pPages[0] * PAGE_SIZE;
    const vma = mm.vmas.find((x) => x.start <= first && first < x.end);
    if (vma?.devmap) m.service(VMA_P2P_OPS).p2pUnmap(m, vma, mirror.dev, first, p2pPages[p2pPages.length - 1] * PAGE_SIZE + PAGE_SIZE);
  }
  return vpns.length;
}

/** hmm_mirror_ops: sync_cpu_device_pagetables (nouveau: -EAGAIN when it may not sleep) and release. */
const mirrorOps = {
  syncCpuDevicePagetables(m: Machine, mirror: HmmMirror, start: number, end: number, blockable: boolean): number {
    const k = m.kstack.enter(F_SYNC, start, end);
    mirror.syncs++;
    const mmName = mmById(m, mirror.mm).name;
    if (!blockable) {
      m.emit('hmm-sync', { mirror: mirror.name, mm: mmName, start, end, blockable, cleared: 0, ret: EAGAIN });
      m.kstack.leave(k);
      return EAGAIN;
    }
    const n = [...mirror.devpt.keys()].filter((v) => v * PAGE_SIZE >= start && v * PAGE_SIZE < end).length;
    m.emit('hmm-sync', { mirror: mirror.name, mm: mmName, start, end, blockable, cleared: n, ret: 0 });
    clearDevpt(m, mirror, start, end, 'sync_cpu_device_pagetables');
    m.kstack.leave(k);
    return 0;
  },
  release(m: Machine, mirror: HmmMirror): void {
    clearDevpt(m, mirror, 0, Number.MAX_SAFE_INTEGER, 'release');
  },
};

/** The exporter's p2p_map / p2p_unmap (RFC): bus addresses of the BAR pages behind the VMA, if the importer can reach them. */
const vmaP2pOps = {
  p2pMap(m: Machine, vma: Vma, importer: number, start: number, end: number, pas: number[], write: boolean): number {
    const k = m.kstack.enter(F_P2P_MAP, start, end);
    const list = m.model(DEVICES).list;
    const exp = list[vma.devmap!.exporter] as PciEndpointState;
    const imp = list[importer] as PciEndpointState;
    const mm = mmById(m, mmOfVma(m, vma));
    let ret = 0;
    let first = -1;
    // device_test_p2p (RFC patch 1/5): both on PCI and P2P-capable with each other.
    if (exp.fn < 0 || imp.fn < 0 || pciP2pdmaDistanceMany(m, exp.fn, [imp.fn], true) < 0) ret = EINVAL;
    else {
      const st = pciState(m);
      const win = st.hosts[st.fns[exp.fn].host].window;
      const throughHost = m.behaviour(P2PDMA_WHITELIST) === 'present' && mapTypeV54(st, exp.fn, imp.fn).mapType === PCI_P2PDMA_MAP_THRU_HOST_BRIDGE;
      for (let a = start; a < end; a += PAGE_SIZE) {
        const pa = vma.pgoff * PAGE_SIZE + (a - vma.start);
        // Through the host bridge the exporter maps the BAR for the importer (dma_map_resource's job).
        const dma = throughHost ? dmaMapPage(m, imp, pa, PAGE_SIZE, write ? 'bidirectional' : 'to-device') : pa - win.cpu + win.bus;
        if (dma === DMA_MAPPING_ERROR) {
          ret = EINVAL;
          break;
        }
        pas.push(dma);
      }
      first = pas[0] ?? -1;
    }
    m.emit('vma-p2p', { op: 'p2p_map', exporter: exp.name, importer: imp.name, mm: mm.name, start, end, dma: ret ? undefined : first, ret });
    m.kstack.leave(k);
    return ret;
  },
  p2pUnmap(m: Machine, vma: Vma, importer: number, start: number, end: number): number {
    const k = m.kstack.enter(F_P2P_UNMAP, start, end);
    const list = m.model(DEVICES).list;
    const mm = mmById(m, mmOfVma(m, vma));
    m.emit('vma-p2p', { op: 'p2p_unmap', exporter: list[vma.devmap!.exporter].name, importer: list[importer].name, mm: mm.name, start, end, ret: 0 });
    m.kstack.leave(k);
    return 0;
  },
};

function mmOfVma(m: Machine, vma: Vma): number {
  return mmModel(m).mms.findIndex((mm) => mm.vmas.includes(vma));
}

/** The device's access to a process address: its page table, never the CPU's; a miss is a device fault. */
export function hmmDeviceTranslate(m: Machine, d: PciEndpointState, va: number, write: boolean, out: Translation, routeBus: (bus: number) => boolean): boolean {
  const mirror = mirrorOf(m, d);
  out.via = 'device page table';
  const vpn = Math.floor(va / PAGE_SIZE);
  const e = mirror?.devpt.get(vpn);
  if (!mirror || !e || (write && !e.write)) {
    out.fault = 'device page fault';
    out.reason = !e ? 'no device page-table entry' : 'entry is read-only';
    return false;
  }
  const addr = e.page * PAGE_SIZE + (va % PAGE_SIZE);
  if (e.p2p) {
    if (!routeBus(addr)) return false;
    out.via = `device page table, ${out.via ?? ''}`;
    return true;
  }
  checkDevPte(m, d, mirror, vpn, e, write);
  out.pa = addr;
  return true;
}

/** The coherency checker for mirrors: the device used an entry the CPU page table no longer backs. */
function checkDevPte(m: Machine, d: PciEndpointState, mirror: HmmMirror, vpn: number, e: DevPte, write: boolean): void {
  const mm = mmById(m, mirror.mm);
  const p = mm.ptes.get(vpn);
  if ((p && p.present && p.pfn === e.page && (!write || p.write)) || e.reported) return;
  e.reported = true;
  m.emit('coherency-violation', {
    dev: d.name, pasid: -1, va: vpn * PAGE_SIZE, write,
    stale: { pa: e.page * PAGE_SIZE, write: e.write },
    current: p && p.present ? { present: true, pa: p.pfn * PAGE_SIZE, write: p.write } : { present: false, pte: pteValue(p) },
    changedBy: mm.changedBy.get(vpn) ?? -1, filledBy: e.filledBy,
  });
}

type Op<K extends PciEpOp['op']> = Extract<PciEpOp, { op: K }>;

/** hmm-mirror: the driver binds the process (hmm_mirror_register with mmap_sem held for write). */
export function opHmmMirror(m: Machine, d: PciEndpointState, index: number, op: Op<'hmm-mirror'>): boolean {
  const mm = mmByName(m, op.mm);
  if (!mm) return true;
  const mdl = hmmModel(m);
  const mirror: HmmMirror = { id: mdl.mirrors.length, dev: index, name: d.name, mm: mm.id, hmm: -1, registered: false, stuck: false, encoding: d.encoding, devpt: new Map(), syncs: 0 };
  mdl.mirrors.push(mirror);
  d.mirror = mirror.id;
  if (hmmMirrorRegister(m, mirror, mm)) return true;
  d.stuck = true;
  return false;
}

export function opHmmUnmirror(m: Machine, d: PciEndpointState): void {
  const mirror = mirrorOf(m, d);
  if (!mirror) return;
  hmmMirrorUnregister(m, mirror);
  clearDevpt(m, mirror, 0, Number.MAX_SAFE_INTEGER, 'unmirror');
  d.mirror = -1;
}

/**
 * hmm-access: the device touches [va, va + len) page by page through its page table. A
 * miss stops the op: the driver services the fault and the access replays from that page.
 * Returns false while the op waits for its fault.
 */
export function opHmmAccess(m: Machine, d: PciEndpointState, index: number, op: Op<'hmm-access'>): boolean {
  d.space = 'va';
  const from = d.resume >= 0 ? d.resume : op.va;
  for (let va = from; va < op.va + op.len; ) {
    const n = Math.min(op.va + op.len - va, PAGE_SIZE - (va % PAGE_SIZE));
    const page = va - (va % PAGE_SIZE);
    let ok: boolean;
    if (op.write) {
      const data = new Uint8Array(n).fill(op.pattern);
      ok = deviceWrite(m, d, va, data);
      if (ok) m.emit('dev-access', { dev: d.name, handle: 'hmm', op: 'write', iova: va, len: n, sum: fnv1a(data) });
    } else {
      const r = deviceRead(m, d, va, n);
      ok = r.ok;
      if (ok) m.emit('dev-access', { dev: d.name, handle: 'hmm', op: 'read', iova: va, len: n, sum: fnv1a(r.data) });
    }
    if (!ok && page !== d.cancelled && mirrorOf(m, d)?.registered) {
      d.resume = va;
      startFault(m, d, index, page, page + PAGE_SIZE, op.write, true);
      return false;
    }
    va += n;
  }
  d.space = 'bus';
  return true;
}

/** hmm-fault: the driver prefaults a range into the device page table (no access follows). */
export function opHmmFault(m: Machine, d: PciEndpointState, index: number, op: Op<'hmm-fault'>): void {
  startFault(m, d, index, op.va - (op.va % PAGE_SIZE), Math.ceil((op.va + op.len) / PAGE_SIZE) * PAGE_SIZE, op.write, false);
}

function startFault(m: Machine, d: PciEndpointState, index: number, start: number, end: number, write: boolean, replay: boolean): void {
  d.fault = { start, end, write, range: -1, tries: 0, replay };
  m.schedule(d.faultLatencyNs, m.typeOf(FAULT_A), index, 0, PRIO.kernel);
}

/** The fault is over (committed or cancelled): replay the access, or move to the next op. */
function finishFault(m: Machine, d: PciEndpointState, index: number, ok: boolean): void {
  const f = d.fault!;
  d.fault = null;
  if (!ok) {
    d.cancelled = f.start;
    if (d.resume >= 0) d.resume = Math.max(d.resume, f.end);
  }
  if (f.replay) pciEndpointReplay(m, index, 1);
  else pciEndpointNext(m, index, 0);
}

/** (A) snapshot the range, per version; then (B) after the driver prepared its update. */
function faultA(m: Machine, index: number): void {
  const d = pciEndpoint(m, index);
  const f = d.fault;
  const mirror = mirrorOf(m, d);
  if (!f || !mirror) return;
  const k = m.kstack.enter(F_SVM_FAULT);
  try {
    if (++f.tries > MAX_TRIES || !mirror.registered) return finishFault(m, d, index, false);
    const holder = mmapSemHolder(m, mirror.mm);
    if (holder) {
      // down_read(&mm->mmap_sem) never returns: the fault handler blocks, the device stays stalled.
      d.stuck = true;
      m.emit('hmm', { op: 'down_read(mmap_sem)', mirror: mirror.name, mm: mmById(m, mirror.mm).name, result: `blocked: held for write by ${holder}` });
      return;
    }
    const enc = encodingOf(mirror);
    const range = hmmRangeCreate(m, mirror, f.start, f.end, enc.valid | (f.write ? enc.write : 0n));
    f.range = range.id;
    if (kernelRelease(m.config.kernel) === 'v5.0') {
      const ret = hmmVmaFault(m, mirror, range, true, index);
      if (ret === EAGAIN) return void m.schedule(1, m.typeOf(FAULT_A), index, 0, PRIO.kernel);
      if (ret) return finishFault(m, d, index, false);
    } else {
      // nouveau_range_fault: register, wait until valid, fault.
      if (hmmRangeRegister(m, mirror, range)) return finishFault(m, d, index, false);
      const ret = range.valid ? hmmRangeFault(m, mirror, range, 0, index) : EBUSY;
      if (ret <= 0) {
        hmmRangeUnregister(m, mirror, range);
        if (ret === 0 || ret === EBUSY) return void m.schedule(1, m.typeOf(FAULT_A), index, 0, PRIO.kernel);
        return finishFault(m, d, index, false);
      }
    }
    const jitter = d.commitJitterNs ? intBetween(d.prng, 0, d.commitJitterNs) : 0;
    m.schedule(d.commitDelayNs + jitter, m.typeOf(FAULT_B), index, 0, PRIO.kernel);
  } finally {
    m.kstack.leave(k);
  }
}

/** (B) under the driver's lock: still valid? commit and replay : snapshot again. */
function faultB(m: Machine, index: number): void {
  const d = pciEndpoint(m, index);
  const f = d.fault;
  const mirror = mirrorOf(m, d);
  if (!f || !mirror || f.range < 0) return;
  const k = m.kstack.enter(F_SVM_FAULT);
  const range = hmmModel(m).ranges[f.range];
  let valid: boolean;
  if (kernelRelease(m.config.kernel) === 'v5.0') valid = hmmVmaRangeDone(m, mirror, range);
  else {
    valid = hmmRangeValid(m, mirror, range); // nouveau_range_done: valid, then unregister
    hmmRangeUnregister(m, mirror, range);
  }
  if (!valid) {
    m.kstack.leave(k);
    return faultA(m, index); // goto again
  }
  commit(m, mirror, range);
  m.kstack.leave(k);
  // nouveau_svm_fault: a faulting page whose entry did not keep VALID (or WRITE for a write) is cancelled.
  const e = mirror.devpt.get(f.start / PAGE_SIZE);
  finishFault(m, d, index, !!e && (!f.write || e.write));
}

/** Write the snapshot's valid entries into the device page table. */
function commit(m: Machine, mirror: HmmMirror, r: HmmRange): void {
  const enc = encodingOf(mirror);
  for (let i = 0; i < r.pfns.length; i++) {
    const entry = r.pfns[i];
    const vpn = r.start / PAGE_SIZE + i;
    if (entry === enc.p2p && r.pas[i] >= 0) {
      setDevPte(m, mirror, vpn, { page: Math.floor(r.pas[i] / PAGE_SIZE), write: true, p2p: true, filledBy: -1, reported: false }, 'commit');
      continue;
    }
    const pfn = hmmEntryToPfn(enc, entry);
    if (pfn < 0) continue;
    setDevPte(m, mirror, vpn, { page: pfn, write: (entry & enc.write) !== 0n, p2p: false, filledBy: -1, reported: false }, 'commit');
  }
}

/** Register the driver's handlers and services (once, with the device kind). */
export function hmmMirrorDriverRegister(m: Machine): void {
  m.on(FAULT_A, faultA);
  m.on(FAULT_B, faultB);
  m.provide(HMM_MIRROR_OPS, mirrorOps);
  m.provide(VMA_P2P_OPS, vmaP2pOps);
}

export { findVmaAbove };
