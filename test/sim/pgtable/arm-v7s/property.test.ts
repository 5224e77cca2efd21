// Random map/unmap sequences against a reference that restates __arm_v7s_map,
// arm_v7s_init_pte and __arm_v7s_unmap (with arm_v7s_split_cont and arm_v7s_split_blk_unmap)
// at the level of "which L1 slot holds what, and where each 4K page goes". After every
// operation the return value and iova_to_phys (arm_v7s_iova_to_phys) of the touched region
// must agree. 'corrected' must behave as a plain IOVA->PA map; 'kernel' must show the known
// wrong PA (offset in section = i*size) for the neighbours of a partially unmapped section,
// and 0 bytes unmapped for a partial unmap of a supersection at a non-zero 1M offset.
import { describe, expect, it } from 'vitest';
import { intBelow, prngFromSeed, type Prng } from '../../../../src/sim/core/prng.ts';
import { armV7sIovaToPhys, armV7sMap, armV7sUnmap, recordingTlbOps, EEXIST, type TlbCall } from '../../../../src/sim/pgtable/arm-v7s/index.ts';
import { IOMMU_READ, IOMMU_WRITE } from '../../../../src/sim/pgtable/prot.ts';
import { alloc, machine, SELFTEST_LIKE } from './helpers.ts';
import type { Machine } from '../../../../src/sim/machine.ts';
import type { ArmV7sPgtable } from '../../../../src/sim/pgtable/arm-v7s/index.ts';

const SZ_4K = 0x1000, SZ_64K = 0x10000, SZ_1M = 0x100000, SZ_16M = 0x1000000;
const SIZES = [SZ_4K, SZ_64K, SZ_1M, SZ_16M];
const SPAN = 4 * SZ_16M; // four supersection groups, so operations collide often

type Slot = 'empty' | 'table' | 'section' | 'super';

class Ref {
  slots: Slot[] = Array(SPAN / SZ_1M).fill('empty');
  pages = new Map<number, number>(); // iova page -> pa page
  constructor(readonly splitBlk: 'kernel' | 'corrected') {}

  private drop(iova: number, size: number): void {
    for (let p = iova; p < iova + size; p += SZ_4K) this.pages.delete(p);
  }

  map(iova: number, pa: number, size: number): number {
    const s = Math.floor(iova / SZ_1M);
    if (size >= SZ_1M) {
      // arm_v7s_init_pte: tables are unmapped in slot order until a leaf says -EEXIST.
      for (let i = 0; i < size / SZ_1M; i++) {
        if (this.slots[s + i] === 'table') {
          this.drop((s + i) * SZ_1M, SZ_1M);
          this.slots[s + i] = 'empty';
        } else if (this.slots[s + i] !== 'empty') return -EEXIST;
      }
      for (let i = 0; i < size / SZ_1M; i++) this.slots[s + i] = size === SZ_16M ? 'super' : 'section';
    } else {
      if (this.slots[s] === 'section' || this.slots[s] === 'super') return -EEXIST;
      this.slots[s] = 'table'; // allocated even if the leaf then fails
      for (let p = iova; p < iova + size; p += SZ_4K) if (this.pages.has(p)) return -EEXIST;
    }
    for (let off = 0; off < size; off += SZ_4K) this.pages.set(iova + off, pa + off);
    return 0;
  }

  unmap(iova: number, size: number): number {
    const s = Math.floor(iova / SZ_1M);
    if (size >= SZ_1M) {
      for (let i = 0; i < size / SZ_1M; i++) if (this.slots[s + i] === 'empty') return 0;
      if (size === SZ_1M && this.slots[s] === 'super') this.splitCont(s);
      for (let i = 0; i < size / SZ_1M; i++) this.slots[s + i] = 'empty';
      this.drop(iova, size);
      return size;
    }
    const slot = this.slots[s];
    if (slot === 'empty') return 0;
    if (slot === 'table') {
      for (let p = iova; p < iova + size; p += SZ_4K) if (!this.pages.has(p)) return 0;
      this.drop(iova, size);
      return size;
    }
    let first = s;
    if (slot === 'super') first = this.splitCont(s);
    // arm_v7s_split_blk_unmap compares against the group's first section (kernel).
    if (this.splitBlk === 'kernel' && first !== s) return 0;
    if (this.splitBlk === 'kernel') {
      const base = s * SZ_1M;
      for (let p = base; p < base + SZ_1M; p += SZ_4K) this.pages.set(p, p - base); // i*size
    }
    this.slots[s] = 'table';
    this.drop(iova, size);
    return size;
  }

  /** arm_v7s_split_cont on a supersection: 16 sections, same translations. */
  private splitCont(s: number): number {
    const first = s - (s % 16);
    for (let i = 0; i < 16; i++) this.slots[first + i] = 'section';
    return first;
  }
}

function pick(prng: Prng, xs: readonly number[]): number {
  return xs[intBelow(prng, xs.length)];
}

function checkRange(m: Machine, pt: ArmV7sPgtable, ref: Ref, start: number, size: number, what: string, step = SZ_4K): void {
  for (let p = start; p < start + size; p += step) {
    const want = ref.pages.has(p) ? ref.pages.get(p)! + 42 : 0;
    const got = armV7sIovaToPhys(m, pt, p + 42);
    if (got !== want) expect(got, `${what} iova 0x${p.toString(16)}`).toBe(want);
  }
}

function runSeed(seed: number, splitBlk: 'kernel' | 'corrected', kernel: 'v5.0' | 'v5.4', mtkExt = false): { splits: number } {
  const prng = prngFromSeed(seed);
  const m = machine(kernel);
  m.keepTrace = false;
  const calls: TlbCall[] = [];
  const tlb = recordingTlbOps(calls);
  // MTK_EXT (v5.4): PAs up to 2^34 through PTE bits 9 and 4, as the mt8183-series driver uses it.
  const mtk = { quirks: { armNs: true, noPerms: true, tlbiOnMap: true, mtkExt: true }, oas: 34 };
  const pt = alloc(m, SELFTEST_LIKE(kernel, { splitBlk, ...(mtkExt ? mtk : {}) }));
  const ref = new Ref(splitBlk);
  let splits = 0;
  for (let op = 0; op < 150; op++) {
    // Bias towards small sizes and towards unmaps inside what is mapped.
    const size = pick(prng, [SZ_4K, SZ_4K, SZ_64K, SZ_1M, SZ_1M, SZ_16M]);
    const iova = intBelow(prng, SPAN / size) * size;
    let got: number, want: number;
    if (intBelow(prng, 2) === 0) {
      const pa = (mtkExt ? intBelow(prng, 4) * 2 ** 32 : 0) + 0x4000_0000 + intBelow(prng, 0x4000_0000 / size) * size;
      want = ref.map(iova, pa, size);
      got = armV7sMap(m, pt, tlb, { iova, pa, size, prot: IOMMU_READ | IOMMU_WRITE });
    } else {
      const slot = ref.slots[Math.floor(iova / SZ_1M)];
      if (size < SZ_1M && (slot === 'section' || slot === 'super')) splits++;
      want = ref.unmap(iova, size);
      got = armV7sUnmap(m, pt, tlb, { iova, size });
    }
    if (got !== want) expect(got, `seed ${seed} op ${op}`).toBe(want);
    // Check the 1M around the operation page by page (a 16M one every 64K); expect() only on
    // a mismatch, as millions of expect calls would dominate the run.
    const base = iova - (iova % SZ_1M);
    checkRange(m, pt, ref, base, Math.max(size, SZ_1M), `seed ${seed} op ${op}`, size === SZ_16M ? SZ_64K : SZ_4K);
  }
  checkRange(m, pt, ref, 0, SPAN, `seed ${seed} end`);
  expect(pt.l2Count).toBe(ref.slots.filter((s) => s === 'table').length);
  expect(m.state.alloc.allocated).toBe(0x4000 + 0x400 * pt.l2Count);
  return { splits };
}

describe('random map/unmap sequences against a reference (rerun: seed in the message)', () => {
  for (const kernel of ['v5.0', 'v5.4'] as const) {
    for (const splitBlk of ['corrected', 'kernel'] as const) {
      it(`${kernel}, splitBlk ${splitBlk}: 40 seeds of 150 operations`, () => {
        let splits = 0;
        for (let seed = 1; seed <= 40; seed++) splits += runSeed(seed, splitBlk, kernel).splits;
        // The seeds must reach the partial-unmap-of-a-block path, or this proves little.
        expect(splits).toBeGreaterThan(40);
      });
    }
  }

  for (const splitBlk of ['corrected', 'kernel'] as const) {
    it(`v5.4 MTK_EXT (PA bits 32/33), splitBlk ${splitBlk}: 20 seeds`, () => {
      for (let seed = 1; seed <= 20; seed++) runSeed(seed, splitBlk, 'v5.4', true);
    });
  }

  it("'kernel': the neighbours of a hole in a section at PA P translate to i*size, not P + i*size", () => {
    // arm_v7s_split_blk_unmap: pte = prot_to_pte(pte_to_prot(blk)); pte += size per slot.
    const m = machine();
    const pt = alloc(m, SELFTEST_LIKE('v5.4'));
    const tlb = recordingTlbOps([]);
    expect(armV7sMap(m, pt, tlb, { iova: 0x0030_0000, pa: 0x5550_0000, size: SZ_1M, prot: IOMMU_READ })).toBe(0);
    expect(armV7sUnmap(m, pt, tlb, { iova: 0x0030_2000, size: SZ_4K })).toBe(SZ_4K);
    expect(armV7sIovaToPhys(m, pt, 0x0030_1004)).toBe(0x0000_1004); // kernel: 1 * 4K + 4
    expect(armV7sIovaToPhys(m, pt, 0x0030_2004)).toBe(0);
    expect(armV7sIovaToPhys(m, pt, 0x0030_0000)).toBe(0);
    const pt2 = alloc(m, SELFTEST_LIKE('v5.4', { splitBlk: 'corrected', domain: 'd1' }));
    armV7sMap(m, pt2, tlb, { iova: 0x0030_0000, pa: 0x5550_0000, size: SZ_1M, prot: IOMMU_READ });
    armV7sUnmap(m, pt2, tlb, { iova: 0x0030_2000, size: SZ_4K });
    expect(armV7sIovaToPhys(m, pt2, 0x0030_1004)).toBe(0x5550_1004);
  });

  it("'kernel': 4K unmap in the second section of a supersection splits it and returns 0", () => {
    // __arm_v7s_unmap keeps split_cont's return (the group's first section) as blk_pte, so
    // install_table's cmpxchg at L1[idx] (a different section) fails: 0 bytes unmapped.
    const m = machine();
    const pt = alloc(m, SELFTEST_LIKE('v5.4'));
    const tlb = recordingTlbOps([]);
    expect(armV7sMap(m, pt, tlb, { iova: SZ_16M, pa: 0x5000_0000, size: SZ_16M, prot: IOMMU_READ })).toBe(0);
    expect(armV7sUnmap(m, pt, tlb, { iova: SZ_16M + SZ_1M + SZ_4K, size: SZ_4K })).toBe(0);
    expect(armV7sIovaToPhys(m, pt, SZ_16M + SZ_1M + SZ_4K)).toBe(0x5010_1000);
    expect(pt.l2Count).toBe(0);
    expect(m.state.alloc.allocated).toBe(0x4000);
  });
});
