// `info pasid` and `info ioasid` at stops in the PASID scenarios: what a user reads.
import { describe, expect, it } from 'vitest';
import { build } from '../helpers/scenario.ts';
import { inspector } from '../../src/debugger/inspect/index.ts';

function at(scenario: string, seq: number) {
  const built = build(scenario);
  const m = built.machine;
  while (m.state.traceCount <= seq && m.step());
  return { machine: m, built };
}
const info = (ctx: ReturnType<typeof at>, topic: string, args: string[] = []): string[] => inspector(topic)!.run(ctx, args);

describe('info pasid', () => {
  it("intel-pasid-exhaustion after the third bind: VT-d's IDR holds 1 and 2", () => {
    const lines = info(at('intel-pasid-exhaustion', 13), 'pasid');
    expect(lines).toEqual(['VT-d IDR (intel_pasid_alloc_id): intel_pasid_max_id 1048576, 2 allocated', '  1  svm p1', '  2  svm p2']);
  });
  it('vsva-missing-invalidate at the end: host and guest IOASIDs, the bound device with its cached entries', () => {
    const lines = info(at('vsva-missing-invalidate', 1000), 'pasid');
    expect(lines).toEqual([
      'host IOASIDs (active allocator default): 1 allocated',
      '  1  set vm vm0  private NULL  in default',
      'vm0 IOASIDs (active allocator vm0:dmar0.pasid_allocator): 1 allocated',
      '  1  set NULL  private NULL  in vm0:dmar0.pasid_allocator',
      'bound guest PASIDs (intel_svm_bind_gpasid):',
      // DID 2: the lowest id domain_attach_iommu finds free on a scalable-mode unit (0, 1 reserved).
      '  vf0 (vm0): PASID 1, DID 2, first stage @0x81fff000, IOTLB 2, device TLB 2',
    ]);
    expect(info(at('vsva-missing-invalidate', 0), 'pasid', ['x'])).toEqual(['info pasid takes no arguments, not "x"']);
  });
});

describe('info ioasid', () => {
  it('ioasid-custom-allocator after the second unit registered: the active allocator and who shares it', () => {
    expect(info(at('ioasid-custom-allocator', 7), 'ioasid')).toEqual([
      'host: active default',
      '  default_ops (default_alloc/default_free)  <- active',
      'vm0: active vm0:dmar0.pasid_allocator',
      '  default_ops (default_alloc/default_free)',
      '  vm0:dmar0.pasid_allocator (intel_vcmd_ioasid_alloc/intel_vcmd_ioasid_free), 0 IDs  <- active',
      '    shared by vm0:dmar0.pasid_allocator, vm0:dmar1.pasid_allocator',
    ]);
  });
});

describe('names', () => {
  it('break ... dev= knows the devices assigned to guests', async () => {
    const { Session } = await import('../../src/debugger/session.ts');
    const s = new Session(build('vsva-guest-invalidate'));
    expect(s.exec('break cache-invalidate dev=vf0').error).toBeUndefined();
    expect(JSON.stringify(s.exec("break cache-invalidate dev=vf9").error)).toMatch(/no device .{0,2}vf9/);
  });
});
