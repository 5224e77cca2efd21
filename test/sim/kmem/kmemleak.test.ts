// kmemleak and the v7s L1 table (mm/kmemleak.c paint_ptr / lookup_object;
// drivers/iommu/io-pgtable-arm-v7s.c __arm_v7s_alloc_table: v5.0.1 kmemleak_ignore()s every
// table, v5.4.1 only lvl 2). The L1 table comes from __get_dma_pages, which kmemleak never
// saw, so ignoring it warns "Trying to color unknown object at 0x%08lx as Black"; the L2
// tables are kmem_cache objects kmemleak tracks, so ignoring them is silent.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../src/sim/machine.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';
import { armLayout } from '../../../src/sim/kmem/layout.ts';
import { kmemCreate, kmemState } from '../../../src/sim/kmem/state.ts';
import { kmemleakAlloc, kmemleakIgnore } from '../../../src/sim/kmem/kmemleak.ts';
import { armV7sAllocPgtable, armV7sMap, armV7sFreePgtable, recordingTlbOps } from '../../../src/sim/pgtable/arm-v7s/index.ts';
import { IOMMU_READ } from '../../../src/sim/pgtable/prot.ts';
import { build, expectGolden, runLines } from '../../helpers/scenario.ts';
import { SELFTEST_LIKE } from '../pgtable/arm-v7s/helpers.ts';

const DRAM = [{ base: 0x4000_0000, size: 0x1000_0000 }];

function machine(kernel: KernelVersion, overrides: Record<string, string> = {}): Machine {
  const m = new Machine({ scenario: 'kmemleak', seed: 1, kernel, overrides, dram: DRAM });
  kmemCreate(m, armLayout({ pageOffset: 0xc000_0000, dram: DRAM }), true);
  return m;
}

function recs(m: Machine): { seq: number; kind: string; [k: string]: unknown }[] {
  return Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as { seq: number; kind: string });
}

const warnings = (m: Machine) => recs(m).filter((r) => r.kind === 'klog' && String(r.text).startsWith('kmemleak:'));
const l1Allocs = (m: Machine) => recs(m).filter((r) => r.kind === 'pgtable-table' && r.op === 'alloc' && r.level === 1);

describe('kmemleak_ignore in __arm_v7s_alloc_table', () => {
  it('v5.0-rc3: one warning per L1 allocation, with the L1 table\'s linear address, none for L2 tables', () => {
    const m = machine('v5.0-rc3');
    const tlb = recordingTlbOps([]);
    for (const domain of ['a', 'b']) {
      const r = armV7sAllocPgtable(m, { ...SELFTEST_LIKE('v5.0'), domain });
      if (!r.ok) throw new Error(r.reason);
      armV7sMap(m, r.pt, tlb, { iova: 0, pa: 0x1000, size: 0x1000, prot: IOMMU_READ }); // allocates an L2 table
    }
    // First fit from 0x40000000: L1 "a" at 0x40000000 (VA 0xc0000000), its L2 at 0x40004000,
    // L1 "b" at 0x40008000 (the next 16 KiB-aligned hole) -> VA 0xc0008000, its L2 in the
    // first 1 KiB hole, 0x40004400.
    expect(l1Allocs(m).map((r) => r.addr)).toEqual(['0x40000000', '0x40008000']);
    expect(warnings(m).map((r) => r.text)).toEqual([
      'kmemleak: Trying to color unknown object at 0xc0000000 as Black',
      'kmemleak: Trying to color unknown object at 0xc0008000 as Black',
    ]);
    expect(warnings(m).every((r) => r.level === 'warning')).toBe(true);
    // The L2 objects are known to kmemleak and painted black.
    expect(kmemState(m).kmemleak).toEqual([
      { va: 0xc000_4000, size: 1024, black: true, from: 'kmem_cache_zalloc(io-pgtable_armv7s_l2)' },
      { va: 0xc000_4400, size: 1024, black: true, from: 'kmem_cache_zalloc(io-pgtable_armv7s_l2)' },
    ]);
  });

  for (const [what, kernel, overrides] of [['v5.4', 'v5.4', {}], ['v5.0-rc3 with the fix', 'v5.0-rc3', { 'v7s-kmemleak-ignore': 'l2-only' }]] as const) {
    it(`${what}: no warning, L2 tables still ignored`, () => {
      const m = machine(kernel, overrides);
      const r = armV7sAllocPgtable(m, SELFTEST_LIKE(kernel === 'v5.4' ? 'v5.4' : 'v5.0'));
      if (!r.ok) throw new Error(r.reason);
      armV7sMap(m, r.pt, recordingTlbOps([]), { iova: 0, pa: 0x1000, size: 0x1000, prot: IOMMU_READ });
      expect(l1Allocs(m).length).toBe(1);
      expect(warnings(m)).toEqual([]);
      expect(kmemState(m).kmemleak?.map((o) => o.black)).toEqual([true]);
      // Freeing the table deletes the L2 object (kmem_cache_free -> kmemleak_free).
      armV7sFreePgtable(m, r.pt, recordingTlbOps([]));
      expect(kmemState(m).kmemleak).toEqual([]);
    });
  }

  it('an interior pointer of a known object warns "Found object by alias" before "unknown object"', () => {
    const m = machine('v5.0');
    kmemleakAlloc(m, 0xc010_0000, 256, 'kmalloc');
    kmemleakIgnore(m, 0xc010_0040);
    expect(warnings(m).map((r) => r.text)).toEqual([
      'kmemleak: Found object by alias at 0xc0100040',
      'kmemleak: Trying to color unknown object at 0xc0100040 as Black',
    ]);
    kmemleakIgnore(m, 0xc010_0000);
    expect(kmemState(m).kmemleak?.[0].black).toBe(true);
  });

  it('without CONFIG_DEBUG_KMEMLEAK nothing is tracked and nothing warns', () => {
    const m = new Machine({ scenario: 'x', seed: 1, kernel: 'v5.0', overrides: {}, dram: DRAM });
    kmemCreate(m, armLayout({ pageOffset: 0xc000_0000, dram: DRAM }), false);
    armV7sAllocPgtable(m, SELFTEST_LIKE('v5.0'));
    expect(warnings(m)).toEqual([]);
  });
});

describe('scenario v7s-kmemleak', () => {
  it('v5.0-rc3: the warning once, at the L1 allocation, called from paint_ptr <- kmemleak_ignore <- __arm_v7s_alloc_table <- arm_v7s_alloc_pgtable', () => {
    const { machine: m } = build('v7s-kmemleak');
    while (m.step());
    const all = recs(m);
    const w = warnings(m);
    expect(w.length).toBe(l1Allocs(m).length);
    expect(w.length).toBe(1);
    // The kernel image takes the first 16 MiB: the L1 table is at 0x41000000, VA 0xc1000000.
    expect(w[0].text).toBe('kmemleak: Trying to color unknown object at 0xc1000000 as Black');
    expect(w[0].seq).toBe(l1Allocs(m)[0].seq + 1);
    const chain = m.kstack.frames(m.trace.stackOf(w[0].seq)).map((f) => f.func.name);
    expect(chain).toEqual(['paint_ptr', 'kmemleak_ignore', '__arm_v7s_alloc_table', 'arm_v7s_alloc_pgtable', 'arm_v7s_do_selftests']);
    expect(all.filter((r) => r.kind === 'klog').at(-1)).toMatchObject({ level: 'info', text: 'arm-v7s io-pgtable: self test ok' });
    expect(all.filter((r) => r.kind === 'selftest' && r.result !== 'pass')).toEqual([]);
  });

  it('v5.4 (and the override on v5.0-rc3): no kmemleak line, the selftest still passes', () => {
    for (const opts of [{ kernel: 'v5.4' as const }, { overrides: { 'v7s-kmemleak-ignore': 'l2-only' } }]) {
      const { machine: m } = build('v7s-kmemleak', opts);
      while (m.step());
      expect(warnings(m)).toEqual([]);
      expect(recs(m).filter((r) => r.kind === 'klog').map((r) => r.text)).toEqual(['arm-v7s io-pgtable: self test ok']);
    }
  });

  it('matches the golden traces (v5.0-rc3 and v5.4, seed 1)', () => {
    expectGolden('v7s-kmemleak.seed-1.jsonl', runLines('v7s-kmemleak'));
    expectGolden('v7s-kmemleak.v5.4.seed-1.jsonl', runLines('v7s-kmemleak', { kernel: 'v5.4' }));
  });
});
