// The VMM's answers to a guest's virtual commands and what the guest driver does with each,
// from drivers/iommu/intel/pasid.c (v5.8) vcmd_alloc_pasid / vcmd_free_pasid and
// intel/iommu.c intel_vcmd_ioasid_alloc: VCMD_VRSP_SC(res) = (res >> 1) & 3; alloc: 0 ->
// VCMD_VRSP_RESULT_PASID, 1 -> pr_info "No PASID available" (-ENOSPC), other -> pr_warn
// "Unexpected error code %d" (-ENODEV), and the allocator returns INVALID_IOASID on any error;
// free: 0 ok, 1 (VCMD_VRSP_SC_INVALID_PASID) pr_info "Invalid PASID", other the pr_warn;
// vcmd_free_pasid returns void, so ioasid_free goes on and erases the guest's ID.
import { describe, expect, it } from 'vitest';
import { type Rec, runObj } from '../../mm/helpers.ts';

function run(ops: Record<string, unknown>[]) {
  const timed = [{ op: 'register-allocator', guest: 'vm0' }, ...ops].map((o, i) => ({ ...o, at: 10_000 * (i + 1) }));
  return runObj({
    overrides: { ioasid: 'present' },
    vsva: { guests: [{ name: 'vm0', ram: { hpa: '0x81000000', size: '16M' }, vcmdLatency: 1000 }], ops: timed },
  }).recs;
}
const of = (recs: Rec[], kind: string) => recs.filter((r) => r.kind === kind);
const klog = (recs: Rec[]) => of(recs, 'klog').map((r) => [r.level, r.text]);
const responses = (recs: Rec[]) => of(recs, 'vcmd').filter((r) => r.phase === 'response').map((r) => [r.cmd, r.status, r.vcrsp]);

describe('virtual-command errors', () => {
  it('a free of a PASID the host no longer holds for the VM: status 1, "Invalid PASID"; the guest forgets it anyway', () => {
    const recs = run([
      { op: 'ioasid-alloc', kernel: 'vm0' },
      { op: 'ioasid-free', kernel: 'host', pasid: 1 },
      { op: 'ioasid-free', kernel: 'vm0', pasid: 1 },
    ]);
    // vcrsp = result << 8 | status << 1: alloc 1 << 8 = 0x100; free status 1 -> 0x2.
    expect(responses(recs)).toEqual([['alloc', 0, '0x100'], ['free', 1, '0x2']]);
    expect(klog(recs)).toEqual([['info', 'IOMMU: dmar0: Invalid PASID']]);
    expect(of(recs, 'pasid-free').map((r) => [r.kernel, r.pasid, r.result, r.by])).toEqual([['host', 1, 'ok', 'scenario'], ['vm0', 1, 'ok', 'scenario']]);
  });

  it('an alloc the VMM answers with status 1: "No PASID available", INVALID_IOASID, no host PASID taken', () => {
    const recs = run([{ op: 'ioasid-alloc', kernel: 'vm0', vmmStatus: 1 }]);
    expect(responses(recs)).toEqual([['alloc', 1, '0x2']]);
    expect(klog(recs)).toEqual([['info', 'IOMMU: dmar0: No PASID available'], ['err', 'Failed ASID allocation 1']]);
    expect(of(recs, 'pasid-alloc').map((r) => [r.kernel, r.result])).toEqual([['vm0', 'INVALID_IOASID']]);
  });

  it('status codes 2 and 3 are "Unexpected error code": the alloc fails, the free goes on in the guest and the host keeps its PASID', () => {
    const recs = run([
      { op: 'ioasid-alloc', kernel: 'vm0', vmmStatus: 2 },
      { op: 'ioasid-alloc', kernel: 'vm0' },
      { op: 'ioasid-free', kernel: 'vm0', pasid: 1, vmmStatus: 3 },
      { op: 'ioasid-alloc', kernel: 'host' },
    ]);
    expect(responses(recs)).toEqual([['alloc', 2, '0x4'], ['alloc', 0, '0x100'], ['free', 3, '0x6']]);
    expect(klog(recs)).toEqual([['warning', 'IOMMU: dmar0: Unexpected error code 2'], ['err', 'Failed ASID allocation 1'], ['warning', 'IOMMU: dmar0: Unexpected error code 3']]);
    // The host never freed PASID 1: its next default allocation is 2.
    expect(of(recs, 'pasid-alloc').filter((r) => r.kernel === 'host').map((r) => [r.pasid, r.by])).toEqual([[1, 'vfio_pasid_alloc'], [2, 'scenario']]);
    expect(of(recs, 'pasid-free').map((r) => [r.kernel, r.pasid])).toEqual([['vm0', 1]]);
  });

  it('vmmStatus on a host op is refused with its path', () => {
    expect(() => run([{ op: 'ioasid-alloc', kernel: 'host', vmmStatus: 2 }])).toThrow(/vsva\.ops\[1\]\.vmmStatus/);
  });
});
