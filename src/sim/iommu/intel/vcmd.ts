/**
 * The paravirtual PASID allocator of a VT-d guest (v5.8 intel/iommu.c
 * register_pasid_allocator, intel_vcmd_ioasid_alloc/free; intel/pasid.c vcmd_alloc_pasid,
 * vcmd_free_pasid): a vIOMMU with ECAP.VCS and caching mode registers a custom IOASID
 * allocator whose alloc writes VCMD_CMD_ALLOC to the virtual command register and polls the
 * response register; the VMM answers with a host PASID (here the host's IOASID framework,
 * as VFIO's PASID request does), so guest PASIDs are host PASIDs. What-if: none of this is
 * in v5.4 (behaviour row `ioasid`).
 *
 * Encodings as merged for v5.8 (include/linux/intel-iommu.h, intel/pasid.h): VCMD_CMD_ALLOC
 * 1, VCMD_CMD_FREE 2 with the PASID at bit 8 (VCMD_CMD_OPERAND), response IP bit 0, status
 * code bits 2:1 (VCMD_VRSP_SC: 0 success, 1 no PASID available / invalid PASID), result PASID
 * bits 27:8. The latency of the host's answer is the guest's, in virtual time (vsva.ts
 * schedules the completion).
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { INVALID_IOASID, type IoasidOps, type IoasidSpace, ioasidAlloc, ioasidAllocFnKey, ioasidFree, ioasidFreeFnKey, ioasidSpace } from '../ioasid.ts';
import { PASID_MAX, PASID_MIN } from './pasid-idr.ts';

const IOMMU_C = 'drivers/iommu/intel/iommu.c';
const PASID_C = 'drivers/iommu/intel/pasid.c';
const F_VCMD_ALLOC = kfunc('intel_vcmd_ioasid_alloc', IOMMU_C, ['min', 'max']);
const F_VCMD_FREE = kfunc('intel_vcmd_ioasid_free', IOMMU_C, ['ioasid']);
const F_ALLOC_PASID = kfunc('vcmd_alloc_pasid', PASID_C);
const F_FREE_PASID = kfunc('vcmd_free_pasid', PASID_C, ['pasid']);

export const VCMD_CMD_ALLOC = 1;
export const VCMD_CMD_FREE = 2;
export const VCMD_VRSP_SC_SUCCESS = 0;
export const VCMD_VRSP_SC_NO_PASID_AVAIL = 1;

/** The response register word: result << 8 | status << 1 (IP clear: the command completed). */
export const vcrspWord = (sc: number, pasid = 0): number => pasid * 256 + (sc << 1);

/** The ops a guest's unit registers (struct intel_iommu.pasid_allocator), named per unit. */
export function vcmdOps(guest: string, unit: string): IoasidOps {
  return { name: `${guest}:${unit}.pasid_allocator`, alloc: 'intel_vcmd_ioasid_alloc', free: 'intel_vcmd_ioasid_free', pdata: unit };
}

/** The VMM's side: a host PASID for the guest (VFIO's PASID request, set = the VM). */
function hostAlloc(m: Machine, guest: string): number {
  const host = ioasidSpace(m, 'host');
  const id = ioasidAlloc(m, host, `vm ${guest}`, PASID_MIN, PASID_MAX - 1, null, { by: 'vfio_pasid_alloc' });
  return id;
}

/** intel_vcmd_ioasid_alloc: the full 20-bit range only, then vcmd_alloc_pasid. */
function vcmdIoasidAlloc(m: Machine, s: IoasidSpace, min: number, max: number, unit: string): number {
  const k = m.kstack.enter(F_VCMD_ALLOC, min, max);
  try {
    if (min < PASID_MIN || max > PASID_MAX) return INVALID_IOASID;
    const k2 = m.kstack.enter(F_ALLOC_PASID);
    const id = hostAlloc(m, s.kernel);
    const ok = id !== INVALID_IOASID;
    const sc = ok ? VCMD_VRSP_SC_SUCCESS : VCMD_VRSP_SC_NO_PASID_AVAIL;
    m.emit('vcmd', { kernel: s.kernel, unit, cmd: 'alloc', phase: 'response', vcmd: VCMD_CMD_ALLOC, vcrsp: vcrspWord(sc, ok ? id : 0), status: sc, pasid: ok ? id : undefined });
    if (!ok) m.emit('klog', { level: 'info', text: `IOMMU: ${unit}: No PASID available` });
    m.kstack.leave(k2);
    return ok ? id : INVALID_IOASID;
  } finally {
    m.kstack.leave(k);
  }
}

/** intel_vcmd_ioasid_free -> vcmd_free_pasid: VCMD_CMD_FREE with the PASID as operand. */
function vcmdIoasidFree(m: Machine, s: IoasidSpace, id: number, unit: string): void {
  const k = m.kstack.enter(F_VCMD_FREE, id);
  const k2 = m.kstack.enter(F_FREE_PASID, id);
  ioasidFree(m, ioasidSpace(m, 'host'), id, { by: 'vfio_pasid_free' });
  m.emit('vcmd', { kernel: s.kernel, unit, cmd: 'free', phase: 'response', vcmd: id * 256 + VCMD_CMD_FREE, vcrsp: vcrspWord(VCMD_VRSP_SC_SUCCESS), status: VCMD_VRSP_SC_SUCCESS, pasid: id });
  m.kstack.leave(k2);
  m.kstack.leave(k);
}

export function provideVcmdAllocator(m: Machine): void {
  m.provide(ioasidAllocFnKey('intel_vcmd_ioasid_alloc'), vcmdIoasidAlloc);
  m.provide(ioasidFreeFnKey('intel_vcmd_ioasid_free'), vcmdIoasidFree);
}
