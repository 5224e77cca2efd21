// IOASID sequences against drivers/iommu/ioasid.c (the void ioasid_free() generation,
// kernel-facts-2.md §12.3): default_alloc = xa_alloc(XA_LIMIT(min, max)), lowest free in
// [min, max] inclusive, INVALID_IOASID (never an errno) on failure; ioasid_free of an unknown
// ID only logs; ioasid_find -ENOENT / -EACCES; ioasid_register_allocator /
// ioasid_unregister_allocator rules. Expected values worked out by hand from that file.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../../src/sim/machine.ts';
import {
  INVALID_IOASID, allocatorName, ioasidAddSpace, ioasidAlloc, ioasidFind, ioasidFree, ioasidGet, ioasidPut, ioasidRefs, ioasidRegisterAllocator, ioasidSetData,
  ioasidUnregisterAllocator,
} from '../../../../src/sim/iommu/ioasid.ts';
import { provideVcmdAllocator, vcmdOps } from '../../../../src/sim/iommu/intel/vcmd.ts';

function machine() {
  const m = new Machine({ scenario: 'ioasid', seed: 1, kernel: 'v5.4', overrides: {}, dram: [{ base: 0x4000_0000, size: 0x100_0000 }] });
  provideVcmdAllocator(m);
  const host = ioasidAddSpace(m, 'host');
  const vm = ioasidAddSpace(m, 'vm0');
  const klog = () => Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as Record<string, unknown>).filter((r) => r.kind === 'klog').map((r) => r.text);
  return { m, host, vm, klog };
}
const by = { by: 'test' };

describe('the default allocator', () => {
  it('lowest free in [min, max], both ends inclusive; INVALID_IOASID when full, with the two pr_err lines', () => {
    const { m, host, klog } = machine();
    expect([1, 2, 3, 4].map(() => ioasidAlloc(m, host, null, 1, 3, null, by))).toEqual([1, 2, 3, INVALID_IOASID]);
    expect(klog()).toEqual(['Failed to alloc ioasid from 1 to 3', 'Failed ASID allocation 0']);
    ioasidFree(m, host, 2, by);
    expect(ioasidAlloc(m, host, null, 1, 3, null, by)).toBe(2);
    // XA_FLAGS_ALLOC: index 0 is allowed
    expect(ioasidAlloc(m, host, null, 0, 0, null, by)).toBe(0);
  });

  it('freeing an unknown ID only logs', () => {
    const { m, host, klog } = machine();
    ioasidAlloc(m, host, null, 1, 10, null, by);
    ioasidFree(m, host, 7, by);
    expect(klog()).toEqual(['Trying to free unknown IOASID 7']);
    expect(host.default.xa.map((d) => d.id)).toEqual([1]);
  });

  it('ioasid_find: -ENOENT for an unknown ID, -EACCES for another set, the private data otherwise; ioasid_set_data replaces it', () => {
    const { m, host } = machine();
    const id = ioasidAlloc(m, host, 'setA', 1, 10, 'svm app', by);
    expect(ioasidFind(m, host, 'setA', id)).toEqual({ private: 'svm app' });
    expect(ioasidFind(m, host, null, id)).toEqual({ private: 'svm app' }); // a NULL set matches any
    expect(ioasidFind(m, host, 'setB', id)).toEqual({ errno: -13 });
    expect(ioasidFind(m, host, null, 9)).toEqual({ errno: -2 });
    expect(ioasidSetData(m, host, id, 'svm other', by)).toBe(0);
    expect(ioasidFind(m, host, null, id)).toEqual({ private: 'svm other' });
    expect(ioasidSetData(m, host, 9, 'x', by)).toBe(-2);
  });
});

describe('custom allocators', () => {
  it('register: -EAGAIN while the default holds IDs, then active; the same ops is -EEXIST', () => {
    const { m, vm, klog } = machine();
    const a = vcmdOps('vm0', 'dmar0');
    const id = ioasidAlloc(m, vm, null, 1, 0xfffff, null, by);
    expect(ioasidRegisterAllocator(m, vm, a, by)).toBe(-11);
    expect(klog()).toEqual(['Default allocator active with outstanding IOASID']);
    ioasidFree(m, vm, id, by);
    expect(ioasidRegisterAllocator(m, vm, a, by)).toBe(0);
    expect(allocatorName(vm)).toBe('vm0:dmar0.pasid_allocator');
    expect(ioasidRegisterAllocator(m, vm, a, by)).toBe(-17);
  });

  it("the guest's IDs come from the host (the virtual command), and are tracked in the custom allocator's xarray", () => {
    const { m, host, vm } = machine();
    ioasidAlloc(m, host, null, 1, 0xfffff, null, by); // the host already uses PASID 1
    ioasidRegisterAllocator(m, vm, vcmdOps('vm0', 'dmar0'), by);
    const g = ioasidAlloc(m, vm, null, 1, 0xfffff, null, by);
    expect(g).toBe(2);
    expect(host.default.xa.map((d) => [d.id, d.set])).toEqual([[1, null], [2, 'vm vm0']]);
    expect(vm.list[0].xa.map((d) => d.id)).toEqual([2]);
    // intel_vcmd_ioasid_alloc refuses a range that is not the full 20 bits' subset
    expect(ioasidAlloc(m, vm, null, 0, 10, null, by)).toBe(INVALID_IOASID);
    ioasidFree(m, vm, g, by);
    expect(host.default.xa.map((d) => d.id)).toEqual([1]);
  });

  it('ops with the same helpers share one ID space; unregistering walks back to the next allocator, then to the default', () => {
    const { m, vm, klog } = machine();
    const a = vcmdOps('vm0', 'dmar0');
    const b = vcmdOps('vm0', 'dmar1'); // same alloc/free, other pdata
    const other = { name: 'vm0:other', alloc: 'other_alloc', free: 'other_free', pdata: 'x' };
    expect(ioasidRegisterAllocator(m, vm, a, by)).toBe(0);
    expect(ioasidRegisterAllocator(m, vm, b, by)).toBe(0);
    expect(ioasidRegisterAllocator(m, vm, other, by)).toBe(0);
    expect(vm.list.map((l) => [l.ops.name, l.slist.map((o) => o.name)])).toEqual([
      ['vm0:dmar0.pasid_allocator', ['vm0:dmar0.pasid_allocator', 'vm0:dmar1.pasid_allocator']],
      ['vm0:other', ['vm0:other']],
    ]);
    const id = ioasidAlloc(m, vm, null, 1, 0xfffff, null, by);
    // a leaves a shared allocator: the IDs stay, and alloc/free keep a's pdata
    ioasidUnregisterAllocator(m, vm, a, by);
    expect(vm.list[0].xa.map((d) => d.id)).toEqual([id]);
    expect(vm.list[0].ops.pdata).toBe('dmar0');
    expect(allocatorName(vm)).toBe('vm0:dmar0.pasid_allocator');
    // b was its last user: removed with an ID still in it (WARN), the next registered takes over
    ioasidUnregisterAllocator(m, vm, b, by);
    expect(allocatorName(vm)).toBe('vm0:other');
    ioasidUnregisterAllocator(m, vm, other, by);
    expect(allocatorName(vm)).toBe('default');
    ioasidUnregisterAllocator(m, vm, other, by);
    expect(klog().filter((t) => !String(t).startsWith('WARNING'))).toEqual(['IOASID allocator changed', 'No custom IOASID allocators, switch to default.', 'No custom IOASID allocators active!']);
    expect(klog().some((t) => String(t).startsWith('WARNING') && String(t).includes('ioasid_unregister_allocator'))).toBe(true);
  });
});

// The refcounted generation (ioasid.c of v5.11, the `ioasid` row's "refcounted"): ioasid_alloc
// does refcount_set(&data->refs, 1); ioasid_get does refcount_inc, or WARN_ON(1) when
// xa_load(&active_allocator->xa) finds nothing; ioasid_put returns refcount_dec_and_test's
// answer and only then calls ops->free (and xa_erase for a custom allocator).
describe('ioasid_get / ioasid_put (refcounted)', () => {
  function refcounted() {
    const m = new Machine({ scenario: 'ioasid', seed: 1, kernel: 'v5.4', overrides: { ioasid: 'refcounted' }, dram: [{ base: 0x4000_0000, size: 0x100_0000 }] });
    const host = ioasidAddSpace(m, 'host');
    const recs = () => Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as Record<string, unknown>);
    return { m, host, recs };
  }
  it('two gets, three puts: freed at the third, and only then does the ID come back from ioasid_alloc', () => {
    const { m, host } = refcounted();
    expect(ioasidAlloc(m, host, null, 1, 1, null, by)).toBe(1);
    ioasidGet(m, host, 1, by);
    ioasidGet(m, host, 1, by);
    expect(ioasidRefs(host, 1)).toBe(3);
    expect([ioasidPut(m, host, 1, by), ioasidPut(m, host, 1, by)]).toEqual([false, false]);
    // Still allocated: the range [1, 1] is full.
    expect(ioasidAlloc(m, host, null, 1, 1, null, by)).toBe(INVALID_IOASID);
    expect(ioasidPut(m, host, 1, by)).toBe(true);
    expect(ioasidRefs(host, 1)).toBe(0);
    expect(ioasidAlloc(m, host, null, 1, 1, null, by)).toBe(1);
  });
  it('ioasid_free is ioasid_put in that generation; put or get of an unknown ID: the pr_err, the WARN', () => {
    const { m, host, recs } = refcounted();
    ioasidAlloc(m, host, null, 1, 10, null, by);
    ioasidGet(m, host, 1, by);
    ioasidFree(m, host, 1, by);
    expect(ioasidRefs(host, 1)).toBe(1);
    expect(ioasidPut(m, host, 5, by)).toBe(false);
    ioasidGet(m, host, 5, by);
    expect(recs().filter((r) => r.kind === 'klog').map((r) => r.text)).toEqual(['Trying to free unknown IOASID 5', 'WARNING: CPU: 0 PID: 1 at drivers/iommu/ioasid.c ioasid_get']);
    expect(recs().filter((r) => r.kind === 'pasid-free').map((r) => [r.fn, r.pasid, r.result])).toEqual([['ioasid_put', 5, 'unknown']]);
  });
});
