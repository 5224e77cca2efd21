// The kernel's own selftest (arm_v7s_do_selftests in io-pgtable-arm-v7s.c) is the first
// proof that map, unmap, both splits and iova_to_phys follow the kernel. Each check's
// expectation is the kernel's; the PTE words are derived from arm_v7s_prot_to_pte and
// arm_v7s_pte_to_cont (see bits.test.ts) and kernel-facts §1.11.
import { describe, expect, it } from 'vitest';
import { KERNEL_VERSIONS, type KernelVersion, kernelRelease } from '../../../../src/sim/kernel.ts';
import {
  SELFTEST_SCRIPT, armV7sSelftestCfg, armV7sSelftestStep, type SelftestState,
} from '../../../../src/sim/pgtable/arm-v7s/selftest.ts';
import { armV7sReadPte } from '../../../../src/sim/pgtable/arm-v7s/tables.ts';
import { hex32 } from '../../../../src/sim/core/hex.ts';
import { machine, records } from './helpers.ts';

function runTo(kernel: KernelVersion, pcEnd = SELFTEST_SCRIPT.length, splitBlk: 'kernel' | 'corrected' = 'kernel') {
  const m = machine(kernel);
  const st: SelftestState = { domain: 'selftest', cfgIn: armV7sSelftestCfg('selftest', kernelRelease(kernel), splitBlk), pt: null, pc: 0, checks: 0, status: 'running' };
  while (st.pc < pcEnd && armV7sSelftestStep(m, st));
  return { m, st };
}

describe('arm_v7s_do_selftests', () => {
  for (const kernel of KERNEL_VERSIONS) {
    for (const splitBlk of ['kernel', 'corrected'] as const) {
      it(`passes every check (${kernel}, splitBlk ${splitBlk})`, () => {
        const { m, st } = runTo(kernel, undefined, splitBlk);
        const fails = records(m, 'selftest').filter((r) => r.result !== 'pass');
        expect(fails).toEqual([]);
        expect(st.status).toBe('ok');
        expect(records(m, 'selftest').at(-1)?.check).toBe('self test ok');
        // Every table allocated was freed (arm_v7s_free_pgtable).
        expect(m.state.alloc.allocated).toBe(0);
        // The dummy TLB ops never saw a size outside pgsize_bitmap (dummy_tlb_flush WARN_ON).
        expect(records(m, 'pgtable-tlb').filter((r) => r.warn)).toEqual([]);
      });
    }
  }

  it('writes the PTE words kernel-facts §1.11 gives after the granule loop', () => {
    // Step 2 ends at script index 1 (alloc) + 3 (empty checks) + 4*3 (granules) = 16.
    const { m, st } = runTo('v5.4', 16);
    const pt = st.pt!;
    const l1 = (i: number) => armV7sReadPte(m, pt.pgd, i);
    const l2 = (l1i: number, i: number) => armV7sReadPte(m, l1(l1i) & 0xfffffc00, i);
    expect(hex32(l1(0) & 0x3ff)).toBe(hex32(0x9)); // table | NS_TABLE
    expect(hex32(l2(0, 0))).toBe('0x00000c7f'); // 4K@0
    for (let i = 0; i < 16; i++) expect(hex32(l2(16, i))).toBe('0x01009c3d'); // 64K@16M
    expect(hex32(l1(32))).toBe('0x020b1c1e'); // 1M@32M
    for (let i = 48; i < 64; i++) expect(hex32(l1(i))).toBe('0x030f1c1e'); // 16M@48M
  });

  it('after the first partial unmap (split_cont of the 64K page) and remap, L2 of L1[16] is as the kernel leaves it', () => {
    // arm_v7s_split_cont rewrites the group as 16 small pages, base + i*4K; the hole is
    // remapped R-only to PA 4K: 0x1000 | 0xe7 << 4 | 2 = 0x00001e72.
    const { m, st } = runTo('v5.4', 19);
    const pt = st.pt!;
    const table = armV7sReadPte(m, pt.pgd, 16) & 0xfffffc00;
    const got = Array.from({ length: 16 }, (_, i) => hex32(armV7sReadPte(m, table, i)));
    const want = Array.from({ length: 16 }, (_, i) => hex32(i === 1 ? 0x1e72 : 0x01000c7f + i * 0x1000));
    expect(got).toEqual(want);
  });
});
