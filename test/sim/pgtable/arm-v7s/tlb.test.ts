// TLB callbacks must be called exactly where io-pgtable-arm-v7s.c calls them, with the same
// arguments, for each kernel: v5.0 struct iommu_gather_ops (tlb_add_flush + tlb_sync) and
// v5.4 struct iommu_flush_ops (tlb_flush_walk / tlb_flush_leaf / tlb_add_page). A driver
// model turns these into register writes, so a missing or extra call is a wrong simulation.
import { describe, expect, it } from 'vitest';
import {
  armV7sFreePgtable, armV7sMap, armV7sUnmap, iommuIotlbGatherInit, recordingTlbOps, type ArmV7sQuirks, type TlbCall,
} from '../../../../src/sim/pgtable/arm-v7s/index.ts';
import { IOMMU_READ as R, IOMMU_WRITE as W } from '../../../../src/sim/pgtable/prot.ts';
import { alloc, machine, SELFTEST_LIKE } from './helpers.ts';

const SZ_4K = 0x1000, SZ_64K = 0x10000, SZ_1M = 0x100000, SZ_16M = 0x1000000;
type K = 'v5.0' | 'v5.4';

/** Set up with `setup`, clear the record, run `act`, return the calls `act` made. */
function callsOf(kernel: K, quirks: ArmV7sQuirks, setup: [number, number][], act: (f: Fx) => void): TlbCall[] {
  const m = machine(kernel);
  const calls: TlbCall[] = [];
  const tlb = recordingTlbOps(calls);
  const pt = alloc(m, SELFTEST_LIKE(kernel, { quirks }));
  for (const [iova, size] of setup) expect(armV7sMap(m, pt, tlb, { iova, pa: 0x4000_0000 + iova, size, prot: R | W })).toBe(0);
  calls.length = 0;
  act({
    map: (iova, size) => armV7sMap(m, pt, tlb, { iova, pa: 0x4000_0000 + iova, size, prot: R | W }),
    unmap: (iova, size) => armV7sUnmap(m, pt, tlb, { iova, size, gather: iommuIotlbGatherInit() }),
    free: () => armV7sFreePgtable(m, pt, tlb),
  });
  return calls;
}
interface Fx {
  map(iova: number, size: number): number;
  unmap(iova: number, size: number): number;
  free(): void;
}

const add = (iova: number, size: number, granule: number, leaf: boolean): TlbCall => ({ op: 'tlb_add_flush', iova, size, granule, leaf });
const sync: TlbCall = { op: 'tlb_sync' };
const walk = (iova: number, size: number, granule: number): TlbCall => ({ op: 'tlb_flush_walk', iova, size, granule });
const leaf = (iova: number, size: number, granule: number): TlbCall => ({ op: 'tlb_flush_leaf', iova, size, granule });
const page = (iova: number, granule: number): TlbCall => ({ op: 'tlb_add_page', iova, granule });

describe('arm_v7s_map: TLBI_ON_MAP', () => {
  // arm_v7s_map: v5.0 tlb_add_flush(iova, size, 4K, false) + tlb_sync; v5.4 tlb_flush_walk(iova, size, 4K).
  it('v5.0 add_flush(non-leaf) + sync; v5.4 flush_walk; granule always 4K', () => {
    const q = { armNs: true, tlbiOnMap: true };
    expect(callsOf('v5.0', q, [], (f) => f.map(SZ_1M, SZ_1M))).toEqual([add(SZ_1M, SZ_1M, SZ_4K, false), sync]);
    expect(callsOf('v5.4', q, [], (f) => f.map(SZ_64K, SZ_64K))).toEqual([walk(SZ_64K, SZ_64K, SZ_4K)]);
  });
  it('flushes even when the map fails (-EEXIST), and never without the quirk', () => {
    const q = { armNs: true, tlbiOnMap: true };
    expect(callsOf('v5.4', q, [[0, SZ_1M]], (f) => expect(f.map(0, SZ_4K)).toBeLessThan(0))).toEqual([walk(0, SZ_4K, SZ_4K)]);
    expect(callsOf('v5.4', { armNs: true }, [], (f) => f.map(0, SZ_4K))).toEqual([]);
    expect(callsOf('v5.0', { armNs: true }, [], (f) => f.map(0, SZ_4K))).toEqual([]);
  });
});

describe('__arm_v7s_unmap: leaf unmap', () => {
  // v5.0 tlb_add_flush(iova, blk, blk, true) per entry, no sync (iommu core syncs); v5.4 tlb_add_page.
  it('4K page', () => {
    expect(callsOf('v5.0', {}, [[0x3000, SZ_4K]], (f) => f.unmap(0x3000, SZ_4K))).toEqual([add(0x3000, SZ_4K, SZ_4K, true)]);
    expect(callsOf('v5.4', {}, [[0x3000, SZ_4K]], (f) => f.unmap(0x3000, SZ_4K))).toEqual([page(0x3000, SZ_4K)]);
  });
  it('64K large page: one call per L2 slot, 4K each', () => {
    const want50 = Array.from({ length: 16 }, (_, i) => add(SZ_64K + i * SZ_4K, SZ_4K, SZ_4K, true));
    const want54 = Array.from({ length: 16 }, (_, i) => page(SZ_64K + i * SZ_4K, SZ_4K));
    expect(callsOf('v5.0', {}, [[SZ_64K, SZ_64K]], (f) => f.unmap(SZ_64K, SZ_64K))).toEqual(want50);
    expect(callsOf('v5.4', {}, [[SZ_64K, SZ_64K]], (f) => f.unmap(SZ_64K, SZ_64K))).toEqual(want54);
  });
  it('16M supersection: one 1M call per L1 slot', () => {
    const want = Array.from({ length: 16 }, (_, i) => page(SZ_16M + i * SZ_1M, SZ_1M));
    expect(callsOf('v5.4', {}, [[SZ_16M, SZ_16M]], (f) => f.unmap(SZ_16M, SZ_16M))).toEqual(want);
  });
  it('NON_STRICT: no leaf invalidation at all (the flush queue flushes all later)', () => {
    expect(callsOf('v5.0', { nonStrict: true }, [[0, SZ_4K]], (f) => f.unmap(0, SZ_4K))).toEqual([]);
    expect(callsOf('v5.4', { nonStrict: true }, [[0, SZ_1M]], (f) => f.unmap(0, SZ_1M))).toEqual([]);
  });
});

describe('__arm_v7s_unmap: table removal', () => {
  // Unmapping 1M over an L1 table: walk flush (iova, 1M, 4K) synchronously, then free the table.
  it('v5.0 add_flush(non-leaf) + sync; v5.4 flush_walk; even under NON_STRICT', () => {
    expect(callsOf('v5.0', {}, [[0x5000, SZ_4K]], (f) => f.unmap(0, SZ_1M))).toEqual([add(0, SZ_1M, SZ_4K, false), sync]);
    expect(callsOf('v5.4', { nonStrict: true }, [[0x5000, SZ_4K]], (f) => f.unmap(0, SZ_1M))).toEqual([walk(0, SZ_1M, SZ_4K)]);
  });
  it('arm_v7s_init_pte: a section mapped over a table unmaps it the same way', () => {
    expect(callsOf('v5.4', {}, [[SZ_1M + 0x5000, SZ_4K]], (f) => f.map(SZ_1M, SZ_1M))).toEqual([walk(SZ_1M, SZ_1M, SZ_4K)]);
  });
});

describe('arm_v7s_split_cont', () => {
  // Flush the whole 16-entry group at the *unaligned* iova being unmapped, size = granule =
  // 16 blocks; then the leaf unmap of the one entry.
  it('4K out of a 64K large page', () => {
    expect(callsOf('v5.0', {}, [[SZ_64K, SZ_64K]], (f) => f.unmap(SZ_64K + 0x3000, SZ_4K))).toEqual([
      add(SZ_64K + 0x3000, SZ_64K, SZ_64K, true), sync, add(SZ_64K + 0x3000, SZ_4K, SZ_4K, true),
    ]);
    expect(callsOf('v5.4', {}, [[SZ_64K, SZ_64K]], (f) => f.unmap(SZ_64K + 0x3000, SZ_4K))).toEqual([
      leaf(SZ_64K + 0x3000, SZ_64K, SZ_64K), page(SZ_64K + 0x3000, SZ_4K),
    ]);
  });
  it('1M out of a supersection', () => {
    expect(callsOf('v5.4', {}, [[SZ_16M, SZ_16M]], (f) => f.unmap(SZ_16M + 3 * SZ_1M, SZ_1M))).toEqual([
      leaf(SZ_16M + 3 * SZ_1M, SZ_16M, SZ_16M), page(SZ_16M + 3 * SZ_1M, SZ_1M),
    ]);
  });
});

describe('arm_v7s_split_blk_unmap', () => {
  // v5.0.1: tlb_add_flush(iova, size, size, true) + tlb_sync; v5.4: tlb_add_page(iova, size).
  it('4K and 64K out of a section', () => {
    expect(callsOf('v5.0', {}, [[SZ_1M, SZ_1M]], (f) => f.unmap(SZ_1M + 0x5000, SZ_4K))).toEqual([add(SZ_1M + 0x5000, SZ_4K, SZ_4K, true), sync]);
    expect(callsOf('v5.4', {}, [[SZ_1M, SZ_1M]], (f) => f.unmap(SZ_1M + 0x5000, SZ_4K))).toEqual([page(SZ_1M + 0x5000, SZ_4K)]);
    expect(callsOf('v5.4', {}, [[SZ_1M, SZ_1M]], (f) => f.unmap(SZ_1M + SZ_64K, SZ_64K))).toEqual([page(SZ_1M + SZ_64K, SZ_64K)]);
  });
  it('4K out of a supersection: split_cont flush, then the split_blk call', () => {
    expect(callsOf('v5.0', {}, [[SZ_16M, SZ_16M]], (f) => f.unmap(SZ_16M + SZ_4K, SZ_4K))).toEqual([
      add(SZ_16M + SZ_4K, SZ_16M, SZ_16M, true), sync, add(SZ_16M + SZ_4K, SZ_4K, SZ_4K, true), sync,
    ]);
    expect(callsOf('v5.4', {}, [[SZ_16M, SZ_16M]], (f) => f.unmap(SZ_16M + SZ_4K, SZ_4K))).toEqual([
      leaf(SZ_16M + SZ_4K, SZ_16M, SZ_16M), page(SZ_16M + SZ_4K, SZ_4K),
    ]);
  });
});

describe('free_io_pgtable_ops', () => {
  it('tlb_flush_all once, before the tables go', () => {
    expect(callsOf('v5.0', {}, [[0, SZ_4K], [SZ_1M, SZ_1M]], (f) => f.free())).toEqual([{ op: 'tlb_flush_all' }]);
    expect(callsOf('v5.4', {}, [[0, SZ_4K]], (f) => f.free())).toEqual([{ op: 'tlb_flush_all' }]);
  });
});
