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
 *
 * The VMM's answers: an alloc the host cannot serve is status 1 (vcmd_alloc_pasid: "No PASID
 * available", -ENOSPC); a free of a PASID the host does not hold for the VM is status 1
 * (vcmd_free_pasid: "Invalid PASID"); any other status (a scenario can make the VMM answer 2
 * or 3) is pr_warn "Unexpected error code %d" (alloc: -ENODEV). The guest's ioasid_alloc gets
 * INVALID_IOASID on any error; its free goes on regardless (vcmd_free_pasid returns void).
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { modelKey } from '../../core/keys.ts';
import { INVALID_IOASID, type IoasidOps, type IoasidSpace, ioasidAlloc, ioasidAllocFnKey, ioasidFind, ioasidFree, ioasidFreeFnKey, ioasidSpace } from '../ioasid.ts';
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
/** The same code answers a free: VCMD_VRSP_SC_INVALID_PASID. */
export const VCMD_VRSP_SC_INVALID_PASID = 1;

/** Per guest, the status the VMM gives its next answer instead of its own (a scenario's vmmStatus). */
interface VcmdState {
  forced: Record<string, number>;
}
const VCMD_MODEL = modelKey<VcmdState>('vcmd');

/** The VMM answers the guest's next virtual command with status `sc` (2, 3: codes the driver does not know). */
export function vcmdForceStatus(m: Machine, guest: string, sc: number): void {
  m.model(VCMD_MODEL).forced[guest] = sc;
}

function takeForced(m: Machine, guest: string): number | undefined {
  const f = m.findModel(VCMD_MODEL)?.forced;
  const sc = f?.[guest];
  if (f && sc !== undefined) delete f[guest];
  return sc;
}

/** The driver's line for a status it did not expect (pr_warn in vcmd_alloc_pasid / vcmd_free_pasid). */
function unexpected(m: Machine, unit: string, sc: number): void {
  m.emit('klog', { level: 'warning', text: `IOMMU: ${unit}: Unexpected error code ${sc}` });
}

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
    const forced = takeForced(m, s.kernel);
    const id = forced === undefined || forced === VCMD_VRSP_SC_SUCCESS ? hostAlloc(m, s.kernel) : INVALID_IOASID;
    const sc = forced ?? (id !== INVALID_IOASID ? VCMD_VRSP_SC_SUCCESS : VCMD_VRSP_SC_NO_PASID_AVAIL);
    const ok = sc === VCMD_VRSP_SC_SUCCESS && id !== INVALID_IOASID;
    m.emit('vcmd', { kernel: s.kernel, unit, cmd: 'alloc', phase: 'response', vcmd: VCMD_CMD_ALLOC, vcrsp: vcrspWord(sc, ok ? id : 0), status: sc, pasid: ok ? id : undefined });
    if (sc === VCMD_VRSP_SC_NO_PASID_AVAIL) m.emit('klog', { level: 'info', text: `IOMMU: ${unit}: No PASID available` });
    else if (sc !== VCMD_VRSP_SC_SUCCESS) unexpected(m, unit, sc);
    m.kstack.leave(k2);
    return ok ? id : INVALID_IOASID;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * intel_vcmd_ioasid_free -> vcmd_free_pasid: VCMD_CMD_FREE with the PASID as operand. The VMM
 * frees only a host PASID of the VM's set (ioasid_find with it); otherwise Invalid PASID.
 */
function vcmdIoasidFree(m: Machine, s: IoasidSpace, id: number, unit: string): void {
  const k = m.kstack.enter(F_VCMD_FREE, id);
  const k2 = m.kstack.enter(F_FREE_PASID, id);
  const host = ioasidSpace(m, 'host');
  let sc = takeForced(m, s.kernel);
  // The VMM's own check (VFIO's PASID set), not a guest kernel call: no record.
  if (sc === undefined) sc = 'errno' in ioasidFind(m, host, `vm ${s.kernel}`, id) ? VCMD_VRSP_SC_INVALID_PASID : VCMD_VRSP_SC_SUCCESS;
  if (sc === VCMD_VRSP_SC_SUCCESS) ioasidFree(m, host, id, { by: 'vfio_pasid_free' });
  m.emit('vcmd', { kernel: s.kernel, unit, cmd: 'free', phase: 'response', vcmd: id * 256 + VCMD_CMD_FREE, vcrsp: vcrspWord(sc), status: sc, pasid: id });
  if (sc === VCMD_VRSP_SC_INVALID_PASID) m.emit('klog', { level: 'info', text: `IOMMU: ${unit}: Invalid PASID` });
  else if (sc !== VCMD_VRSP_SC_SUCCESS) unexpected(m, unit, sc);
  m.kstack.leave(k2);
  m.kstack.leave(k);
}

export function provideVcmdAllocator(m: Machine): void {
  m.addModel(VCMD_MODEL, { forced: {} });
  m.provide(ioasidAllocFnKey('intel_vcmd_ioasid_alloc'), vcmdIoasidAlloc);
  m.provide(ioasidFreeFnKey('intel_vcmd_ioasid_free'), vcmdIoasidFree);
}
