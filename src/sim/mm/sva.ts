/**
 * Shared virtual addressing: binding a device to a process (amd_iommu_bind_pasid,
 * intel_svm_bind_mm), the device's translation path (ATC, then the IOMMU's walk of the
 * CPU page table that sets the accessed/dirty bits as the hardware does), and page
 * requests (AMD PPR, Intel PRQ) that fault pages in with handle_mm_fault.
 */
import type { Machine } from '../machine.ts';
import { DEVICES } from '../devices/device.ts';
import type { SvaDeviceState } from '../devices/sva-device.ts';
import { type Translation, type Translator, translatorKey } from '../devices/port.ts';
import { atcFill, atcLookup } from '../iommu/ats/atc.ts';
import { type MmStruct, type NotifierOp, PAGE_SIZE, type Subscriber } from './types.ts';
import { findVma, mmById, paOf, setPteBits, vpnOf } from './state.ts';
import { handleMmFault } from './fault.ts';
import { mmuNotifierRegister, mmuNotifierUnregister } from './notifier.ts';
import { pasidAlloc, pasidFree } from './pasid.ts';
import { checkAtcHit } from './checker.ts';
import { AMD_V2_CLEAR_FLUSH_YOUNG, INTEL_SVM_CHANGE_PTE } from '../kernel.ts';
import { intelSvmAllocPasid, intelSvmFreePasid } from '../iommu/intel/pasid-idr.ts';
import { VTD_MODEL } from '../iommu/intel/state.ts';
import { cap } from '../iommu/intel/regs.ts';

export function svaDevice(m: Machine, index: number): SvaDeviceState {
  return m.model(DEVICES).list[index] as SvaDeviceState;
}

/** The notifier ops the IOMMU driver of the scenario's kernel registers. */
export function iommuNotifierOps(m: Machine, iommu: SvaDeviceState['iommu']): NotifierOp[] {
  if (iommu === 'amd-v2') {
    const young = m.behaviour(AMD_V2_CLEAR_FLUSH_YOUNG) === 'present';
    return young ? ['release', 'clear_flush_young', 'invalidate_range'] : ['release', 'invalidate_range'];
  }
  const changePte = m.behaviour(INTEL_SVM_CHANGE_PTE) === 'present';
  return changePte ? ['release', 'change_pte', 'invalidate_range'] : ['release', 'invalidate_range'];
}

/** Another intel-svm device bound to the same mm: intel_svm_bind_mm's global_svm_list entry for it. */
function intelSvmOf(m: Machine, mm: MmStruct, self: number): SvaDeviceState | undefined {
  return (m.model(DEVICES).list as SvaDeviceState[]).find((d, i) => i !== self && d.kind === 'sva-device' && d.iommu === 'intel-svm' && d.mm === mm.id && d.pasid >= 0);
}

/**
 * intel_svm_bind_mm's PASID: an mm already bound shares its PASID ("Limited PASID width" ->
 * -ENOSPC when it does not fit this device), else VT-d's allocator (pasid-idr.ts).
 */
function intelSvmPasid(m: Machine, index: number, mm: MmStruct): number {
  const dev = svaDevice(m, index);
  const svm = intelSvmOf(m, mm, index);
  if (svm) {
    if (svm.pasid < dev.maxPasids) return svm.pasid;
    m.emit('klog', { level: 'warning', text: `${dev.name}: Limited PASID width. Cannot use existing PASID ${svm.pasid}` });
    return -28;
  }
  const vtd = m.findModel(VTD_MODEL);
  const u = vtd?.units[vtd.units.length - 1];
  return intelSvmAllocPasid(m, { dev: dev.name, mm: mm.name, maxPasids: dev.maxPasids, cachingMode: u ? cap.cachingMode(u.cap) : false });
}

/** Bind: allocate a PASID, register the driver's notifier, point the PASID at mm->pgd. */
export function svaBind(m: Machine, index: number, mm: MmStruct, opts: { omitInvalidateRange: boolean }): void {
  const dev = svaDevice(m, index);
  const pasid = dev.iommu === 'intel-svm' ? intelSvmPasid(m, index, mm) : pasidAlloc(m, { dev: dev.name, mm: mm.name });
  if (pasid < 0) return;
  const sub: Subscriber = {
    name: `${dev.iommu}/${dev.name}`, kind: dev.iommu, ops: iommuNotifierOps(m, dev.iommu), dev: index, pasid,
    omitInvalidateRange: opts.omitInvalidateRange, failNonblock: false,
  };
  mmuNotifierRegister(m, mm, sub);
  dev.mm = mm.id;
  dev.pasid = pasid;
}

/** The driver's unbind: mmu_notifier_unregister (release if exit has not run it). */
export function svaUnbind(m: Machine, index: number): void {
  const dev = svaDevice(m, index);
  if (dev.mm < 0) return;
  const mm = mmById(m, dev.mm);
  const sub = mm.subscribers.find((s) => s.dev === index);
  if (sub) mmuNotifierUnregister(m, mm, sub);
  svaUnbound(m, index);
}

/** After release: the PASID's table entry is cleared and the ID goes back. */
export function svaUnbound(m: Machine, index: number, by = 'intel_svm_unbind_mm'): void {
  const dev = svaDevice(m, index);
  if (dev.pasid < 0) return;
  if (dev.iommu !== 'intel-svm') pasidFree(m, dev.pasid, { dev: dev.name, mm: mmById(m, dev.mm).name });
  // intel_svm_unbind_mm / intel_mm_release: the PASID goes back with the svm's last device.
  else if (!intelSvmOf(m, mmById(m, dev.mm), index)) intelSvmFreePasid(m, dev.pasid, dev.name, by);
  dev.pasid = -1;
  dev.mm = -1;
}

/** The IOMMU's walk of the CPU page table (GCR3 / first-level table -> mm->pgd). */
function iommuWalk(m: Machine, mm: MmStruct, vpn: number, write: boolean): number {
  const p = mm.ptes.get(vpn);
  if (!p || !p.present || (write && !p.write)) return -1;
  setPteBits(m, mm, vpn, { young: true, dirty: write ? true : undefined }, 'iommu-walk');
  return p.pfn;
}

/** A page request (PPR / PRQ): find_extend_vma, access_error, handle_mm_fault, response. */
function pageRequest(m: Machine, dev: SvaDeviceState, mm: MmStruct, va: number, write: boolean): boolean {
  dev.pageRequests++;
  const vma = findVma(mm, va);
  const r = vma ? handleMmFault(m, mm, va, write) : { ok: false, how: 'no vma' };
  const response = r.ok ? 'success' : 'invalid'; // PPR_SUCCESS / PPR_INVALID, QI_RESP_*
  m.emit('page-request', {
    dev: dev.name, pasid: dev.pasid, va: va - (va % PAGE_SIZE), write, iommu: dev.iommu,
    fault: r.how, response, code: r.ok ? 0x0 : 0x1,
  });
  return r.ok;
}

function svaTranslate(m: Machine, d: SvaDeviceState, addr: number, write: boolean, out: Translation): boolean {
  if (d.pasid < 0) {
    out.pasid = -1;
    out.reason = 'no pasid bound';
    return false;
  }
  out.pasid = d.pasid;
  const vpn = vpnOf(addr), off = addr % PAGE_SIZE;
  const i = atcLookup(d.atc, d.pasid, vpn);
  if (i >= 0 && (!write || d.atc.write[i] === 1)) {
    d.atc.hits++;
    checkAtcHit(m, d, i, addr, write);
    out.pa = paOf(d.atc.pfn[i]) + off;
    out.atc = 'hit';
    return true;
  }
  d.atc.misses++;
  out.atc = 'miss';
  const mm = mmById(m, d.mm);
  let pfn = iommuWalk(m, mm, vpn, write);
  if (pfn < 0) {
    if (!pageRequest(m, d, mm, addr, write)) {
      d.faults++;
      out.reason = 'page request failed';
      return false;
    }
    pfn = iommuWalk(m, mm, vpn, write);
    if (pfn < 0) {
      out.reason = 'walk failed after page request';
      return false;
    }
  }
  const p = mm.ptes.get(vpn)!;
  atcFill(d.atc, { pasid: d.pasid, vpn, pfn, write: p.write, seq: m.state.traceCount });
  out.pa = paOf(pfn) + off;
  return true;
}

export function provideSvaTranslator(m: Machine): void {
  m.provide(translatorKey('sva'), (mm, dev, addr, write, out) => svaTranslate(mm, dev as SvaDeviceState, addr, write, out));
}
