// VT-d's PASID allocation in v5.0.1/v5.4.1: drivers/iommu/intel-pasid.c intel_pasid_alloc_id
// (min = max(start, PASID_MIN), max = min(end, intel_pasid_max_id), idr_alloc(min, max)) and
// lib/idr.c idr_alloc (lowest free in [start, end), end <= 0 means INT_MAX; -ENOSPC, -EINVAL).
import { describe, expect, it } from 'vitest';
import { idrAlloc } from '../../../../src/sim/iommu/intel/pasid-idr.ts';
import { expectGolden, loadScenario, runLines, runRecords } from '../../../helpers/scenario.ts';
import { buildMachine } from '../../../../src/scenario/build/index.ts';

const ids = (...xs: number[]) => xs.map((id) => ({ id }));

describe('idr_alloc', () => {
  it('the lowest free ID in [start, end): the end is exclusive', () => {
    expect(idrAlloc([], 1, 3)).toBe(1);
    expect(idrAlloc(ids(1), 1, 3)).toBe(2);
    expect(idrAlloc(ids(1, 2), 1, 3)).toBe(-28); // -ENOSPC: 3 is the end, never handed out
    expect(idrAlloc(ids(2), 1, 3)).toBe(1); // a hole is filled first
  });
  it('end <= 0 is no limit (INT_MAX); start < 0 is -EINVAL', () => {
    expect(idrAlloc(ids(1, 2, 3), 1, 0)).toBe(4);
    expect(idrAlloc([], -1, 10)).toBe(-22);
  });
});

describe('intel-pasid-exhaustion: intel_svm_bind_mm with pci_max_pasids 4', () => {
  it('IDs 1 and 2, then -ENOSPC: intel_pasid_alloc_id(svm, !!cap_caching_mode, pasid_max - 1) never reaches 3', () => {
    const recs = runRecords('intel-pasid-exhaustion');
    const allocs = recs.filter((r) => r.kind === 'pasid-alloc');
    expect(allocs.map((r) => [r.dev, r.min, r.end, r.pasid, r.result])).toEqual([
      ['acc0', 1, 3, 1, 'ok'],
      ['acc1', 1, 3, 2, 'ok'],
      ['acc2', 1, 3, undefined, '-ENOSPC'],
    ]);
    // The unbound device's access has no PASID to carry.
    expect(recs.filter((r) => r.kind === 'dma').map((r) => [r.dev, r.result])).toEqual([['acc0', 'ok'], ['acc1', 'ok'], ['acc2', 'fault']]);
  });

  it('under the ioasid what-if, ioasid_alloc(NULL, PASID_MIN, pasid_max - 1) is inclusive: PASID 3 is used', () => {
    const recs = runRecords('intel-pasid-exhaustion', { overrides: { ioasid: 'present' } });
    expect(recs.filter((r) => r.kind === 'pasid-alloc').map((r) => [r.fn, r.max, r.pasid])).toEqual([
      ['ioasid_alloc', 3, 1], ['ioasid_alloc', 3, 2], ['ioasid_alloc', 3, 3],
    ]);
  });

  it('an mm already bound shares its PASID; a device too narrow for it gets "Limited PASID width"', () => {
    // intel_svm_bind_mm: the existing svm's PASID is reused unless it is >= this device's pasid_max.
    const s = loadScenario('intel-pasid-exhaustion');
    const [b0, b1, b2] = s.sva!.bindings;
    s.sva!.bindings = [{ ...b0, process: 'p2' }, { ...b1, process: 'p1' }, { ...b2, process: 'p1', maxPasids: 2 }];
    const { machine: m } = buildMachine(s);
    while (m.step());
    const recs = Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as Record<string, unknown>);
    expect(recs.filter((r) => r.kind === 'pasid-alloc').map((r) => r.pasid)).toEqual([1, 2]);
    expect(recs.filter((r) => r.kind === 'klog').map((r) => r.text)).toEqual(['acc2: Limited PASID width. Cannot use existing PASID 2']);
    s.sva!.bindings[2] = { ...b2, process: 'p1', maxPasids: 4 };
    const { machine: m2 } = buildMachine(s);
    while (m2.step());
    const dmas = Array.from({ length: m2.trace.count }, (_, i) => JSON.parse(m2.trace.line(i)) as Record<string, unknown>).filter((r) => r.kind === 'dma');
    expect(dmas.map((r) => [r.dev, r.pasid])).toEqual([['acc0', 1], ['acc1', 2], ['acc2', 2]]);
  });

  it('matches its golden trace', () => {
    expectGolden('intel-pasid-exhaustion.v5.4.seed-1.jsonl', runLines('intel-pasid-exhaustion'));
  });
});
