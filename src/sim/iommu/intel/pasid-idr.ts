/**
 * VT-d's PASID allocation in the kernels modelled (drivers/iommu/intel-pasid.c, v5.0.1 and
 * v5.4.1): one global IDR, `pasid_idr`, under a spinlock. intel_pasid_alloc_id(ptr, start,
 * end) asks idr_alloc for the lowest free ID in [max(start, PASID_MIN), min(end,
 * intel_pasid_max_id)) — the end exclusive — so intel_svm_bind_mm, which passes pasid_max - 1,
 * never hands out PASID pasid_max - 1 (kernel-facts-2.md §12.1). Under the `ioasid` what-if
 * intel_svm_bind_mm asks the host's IOASID framework instead, with an inclusive max.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { modelKey } from '../../core/keys.ts';
import { IOASID } from '../../kernel.ts';
import { VTD_MODEL } from './state.ts';
import { INVALID_IOASID, ioasidAlloc, ioasidFree, ioasidSpace } from '../ioasid.ts';

const PASID_C = 'drivers/iommu/intel-pasid.c';
const SVM_C = 'drivers/iommu/intel-svm.c';
const F_ALLOC_ID = kfunc('intel_pasid_alloc_id', PASID_C, ['start', 'end']);
const F_FREE_ID = kfunc('intel_pasid_free_id', PASID_C, ['pasid']);
const F_BIND_MM = kfunc('intel_svm_bind_mm', SVM_C);

/** PASID_MIN, PASID_MAX (intel-pasid.h). */
export const PASID_MIN = 1;
export const PASID_MAX = 0x100000;
/** INT_MAX: idr_alloc's limit when end <= 0. */
const INT_MAX = 0x7fff_ffff;
const EINVAL = 22;
const ENOSPC = 28;

export interface IntelPasidIdrState {
  /** intel_pasid_max_id: PASID_MAX, lowered at boot to the narrowest unit's 2 << ECAP.PSS. */
  maxId: number;
  /** The IDR: allocated IDs ascending, with what the pointer stored names (the svm's mm). */
  ids: { id: number; owner: string }[];
}

export const INTEL_PASID_IDR = modelKey<IntelPasidIdrState>('intel-pasid-idr');

/**
 * The IDR, added at build when intel-svm bindings need it (after VT-d's init_dmars, whose
 * intel_pasid_max_id it takes: PASID_MAX without a VT-d section).
 */
export function intelPasidIdrEnsure(m: Machine): IntelPasidIdrState {
  return m.findModel(INTEL_PASID_IDR) ?? m.addModel(INTEL_PASID_IDR, { maxId: m.findModel(VTD_MODEL)?.pasidMaxId ?? PASID_MAX, ids: [] });
}

/** idr_alloc(idr, ptr, start, end): lowest free in [start, end - 1] (end <= 0: no limit); -EINVAL, -ENOSPC. */
export function idrAlloc(ids: readonly { id: number }[], start: number, end: number): number {
  if (start < 0) return -EINVAL;
  const max = end > 0 ? end - 1 : INT_MAX;
  let want = start;
  for (const e of ids) {
    if (e.id < want) continue;
    if (e.id > want) break;
    want++;
  }
  return want <= max ? want : -ENOSPC;
}

/**
 * intel_pasid_alloc_id(ptr, start, end, gfp): min = max(start, PASID_MIN), max =
 * min(end, intel_pasid_max_id), then idr_alloc(min, max): the ID, -ENOSPC or -EINVAL.
 */
export function intelPasidAllocId(m: Machine, owner: string, start: number, end: number, who: { dev?: string; mm?: string; by: string }): number {
  const idr = intelPasidIdrEnsure(m);
  const k = m.kstack.enter(F_ALLOC_ID, start, end);
  const min = Math.max(start, PASID_MIN);
  const max = Math.min(end, idr.maxId);
  const ret = idrAlloc(idr.ids, min, max);
  if (ret >= 0) {
    let i = 0;
    while (i < idr.ids.length && idr.ids[i].id < ret) i++;
    idr.ids.splice(i, 0, { id: ret, owner });
  }
  m.emit('pasid-alloc', {
    kernel: 'host', fn: 'intel_pasid_alloc_id', allocator: 'intel-pasid-idr', min, max: (max > 0 ? max : INT_MAX + 1) - 1, end: max,
    pasid: ret >= 0 ? ret : undefined, result: ret >= 0 ? 'ok' : ret === -ENOSPC ? '-ENOSPC' : '-EINVAL', dev: who.dev, mm: who.mm, by: who.by,
  });
  m.kstack.leave(k);
  return ret;
}

/** intel_pasid_free_id: idr_remove. */
export function intelPasidFreeId(m: Machine, pasid: number, who: { dev?: string; by: string }): void {
  const idr = intelPasidIdrEnsure(m);
  const k = m.kstack.enter(F_FREE_ID, pasid);
  const i = idr.ids.findIndex((e) => e.id === pasid);
  if (i >= 0) idr.ids.splice(i, 1);
  m.emit('pasid-free', { kernel: 'host', fn: 'intel_pasid_free_id', allocator: 'intel-pasid-idr', pasid, result: i >= 0 ? 'ok' : 'unknown', dev: who.dev, by: who.by });
  m.kstack.leave(k);
}

/**
 * intel_svm_bind_mm's PASID: pasid_max = pci_max_pasids (1 << 20 for a non-PCI device),
 * clamped to intel_pasid_max_id; then intel_pasid_alloc_id(svm, !!cap_caching_mode,
 * pasid_max - 1), or under the `ioasid` what-if ioasid_alloc(NULL, PASID_MIN, pasid_max - 1,
 * svm) with INVALID_IOASID turned into -ENOSPC. Returns the PASID or a negative errno.
 */
export function intelSvmAllocPasid(m: Machine, a: { dev: string; mm: string; maxPasids: number; cachingMode: boolean }): number {
  const idr = intelPasidIdrEnsure(m);
  const k = m.kstack.enter(F_BIND_MM);
  try {
    const pasidMax = Math.min(a.maxPasids, idr.maxId);
    const who = { dev: a.dev, mm: a.mm, by: 'intel_svm_bind_mm' };
    if (m.behaviour(IOASID) !== 'absent') {
      const id = ioasidAlloc(m, ioasidSpace(m, 'host'), null, PASID_MIN, pasidMax - 1, `svm ${a.mm}`, who);
      return id === INVALID_IOASID ? -ENOSPC : id;
    }
    return intelPasidAllocId(m, `svm ${a.mm}`, a.cachingMode ? 1 : 0, pasidMax - 1, who);
  } finally {
    m.kstack.leave(k);
  }
}

/** The PASID goes back when the svm's last device unbinds: intel_pasid_free_id, or ioasid_free. */
export function intelSvmFreePasid(m: Machine, pasid: number, dev: string, by: string): void {
  if (m.behaviour(IOASID) !== 'absent') ioasidFree(m, ioasidSpace(m, 'host'), pasid, { dev, by });
  else intelPasidFreeId(m, pasid, { dev, by });
}
