/**
 * The M4U fault path. For every mt8183 larb a read of an unmapped IOVA must latch in the
 * fault group of the cell SMI_BUS_SEL routes that larb to (FAULT_ST1 bit 0 for mmu0, bit 7
 * for mmu1), and the ISR must read that cell's registers, take the raw larb from INT_ID and
 * map it through larbid_remap back to the larb the engine sits on. v5.0 (mt8173) reads the
 * one register set and does not remap.
 */
import { describe, expect, it } from 'vitest';
import { MTK_IOMMU_PLATS } from '../../../src/sim/iommu/mtk/plat.ts';
import { busSelCell } from '../../../src/sim/smi/plat.ts';
import { build, kinds, mtkScenario, runAll } from './mtk-helpers.ts';
import { mtkIommuIsr } from '../../../src/sim/iommu/mtk/isr.ts';
import { mtkState } from '../../../src/sim/iommu/mtk/state.ts';
import { F_INT_TRANSLATION_FAULT, REG_MMU0_FAULT_VA, REG_MMU0_INT_ID, REG_MMU_FAULT_ST1 } from '../../../src/sim/iommu/mtk/regs.ts';
import { inspector } from '../../../src/debugger/inspect/index.ts';

const faultOps = [{ op: 'access', iova: '0x10000000', len: 16, dir: 'write' }, { op: 'delay', ns: 1000 }];

describe('mtk fault path', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7])('mt8183 larb %i: right cell group, raw larb remapped back', (larb) => {
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', [{ larb, port: 1, ops: faultOps }])));
    const [f] = kinds(recs, 'fault');
    const cell = busSelCell(0x4414, larb);
    const rawLarb = MTK_IOMMU_PLATS.mt8183.larbidRemap.indexOf(larb);
    expect(f).toMatchObject({ mmu: cell ? 'mmu1' : 'mmu0', st1: cell ? '0x00000080' : '0x00000001', larbRaw: rawLarb, larb, port: 1, write: true, iova: '0x10000002', dev: 'e0', reported: 'unhandled' });
    if (larb !== 0) expect(f.larbRaw).not.toBe(larb);
  });

  it('larbid_remap: the mt8183 table matches the kernel and is a permutation of its 8 larbs', () => {
    expect(MTK_IOMMU_PLATS.mt8183.larbidRemap.slice(0, 8)).toEqual([0, 4, 5, 6, 7, 2, 3, 1]);
    expect(MTK_IOMMU_PLATS.mt8183.larbidRemap.slice(0, 8).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(MTK_IOMMU_PLATS.mt2712.larbidRemap.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(MTK_IOMMU_PLATS.mt8173.larbidRemap.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('the ISR clears with INT_CONTROL0 | bit12 and then flushes everything', () => {
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', [{ larb: 1, port: 0, ops: faultOps }])));
    const i = recs.findIndex((r) => r.kind === 'fault');
    // mtk_iommu_isr prints its dev_err_ratelimited report before the interrupt clear.
    expect(recs[i + 1].kind).toBe('klog');
    expect(recs.slice(i + 2, i + 6).map((r) => `${r.kind}:${r.reg ?? r.scope}:${r.val ?? ''}`)).toEqual([
      'reg:INT_CONTROL0:0x0000106f',
      'reg:INV_SEL:0x00000003',
      'reg:INVALIDATE:0x00000002',
      'tlb-inval:all:',
    ]);
  });

  it('v5.0 on mt8173 reads one register set and reports the raw larb', () => {
    const recs = runAll(build(mtkScenario('mt8173', 'v5.0', [{ larb: 3, port: 2, ops: faultOps }])));
    expect(kinds(recs, 'fault')[0]).toMatchObject({ mmu: 'mmu0', larbRaw: 3, larb: 3, port: 2 });
  });

  it('a faulting write lands in the protect buffer and a faulting read returns it', () => {
    const recs = runAll(
      build(
        mtkScenario('mt8183', 'v5.4', [
          { larb: 0, port: 0, ops: [{ op: 'access', iova: '0x10000000', len: 16, dir: 'write', pattern: 0x42 }, { op: 'delay', ns: 1000 }, { op: 'access', iova: '0x10000000', len: 16, dir: 'read' }] },
        ], { protect: { addr: '0x7f000000', fill: 0 } }),
      ),
    );
    const d = kinds(recs, 'dma');
    expect(d.map((r) => r.protect)).toEqual(['0x7f000000', '0x7f000000']);
    // FNV-1a of 16 bytes of 0x42: the read saw what the faulting write left behind.
    let h = 0x811c9dc5;
    for (let i = 0; i < 16; i++) h = Math.imul(h ^ 0x42, 0x01000193) >>> 0;
    expect(kinds(recs, 'dev-op')[0]).toMatchObject({ op: 'read-faulted', sum: h.toString(16).padStart(8, '0') });
  });
});

describe('larbid_remap beyond the SoC table (v5.4)', () => {
  // drivers/iommu/mtk_iommu.c (v5.4.1): struct mtk_iommu_plat_data.larbid_remap is
  // `unsigned char larbid_remap[MTK_LARB_NR_MAX]` (16 slots) and mt8173_data lists only
  // {0, 1, 2, 3, 4, 5}; C zero-fills the rest, so mtk_iommu_isr's
  // `larbid_remap[F_MMU0_INT_ID_LARB_ID(regval)]` decodes HW larb 6 and 7 to larb 0.
  it.each([6, 7])('mt8173: a fault naming HW larb %i decodes to larb 0', (hwLarb) => {
    const m = build(mtkScenario('mt8173', 'v5.4', [{ larb: 0, port: 0, ops: [] }]));
    runAll(m);
    const inst = mtkState(m).m4u[0];
    inst.regs[REG_MMU_FAULT_ST1 >>> 2] = F_INT_TRANSLATION_FAULT;
    inst.regs[REG_MMU0_FAULT_VA >>> 2] = 0x1000_0000;
    inst.regs[REG_MMU0_INT_ID >>> 2] = (hwLarb << 7) | (3 << 2);
    const before = m.trace.count;
    mtkIommuIsr(m, 0);
    const f = JSON.parse(m.trace.line(before)) as Record<string, unknown>;
    expect(f).toMatchObject({ kind: 'fault', larbRaw: hwLarb, larb: 0, port: 3 });
  });

  it('every SoC table has MTK_LARB_NR_MAX (16) slots, zero past the listed larbs', () => {
    expect(MTK_IOMMU_PLATS.mt8173.larbidRemap).toEqual([0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(MTK_IOMMU_PLATS.mt8183.larbidRemap.slice(8)).toEqual(new Array(8).fill(0));
    expect(MTK_IOMMU_PLATS.mt2712.larbidRemap.slice(10)).toEqual(new Array(6).fill(0));
  });
});

describe('info iommu prints the remap table as the kernel declares it', () => {
  it('mt8173 v5.4: the six listed larbs, then the ten zero-filled slots', () => {
    const m = build(mtkScenario('mt8173', 'v5.4', [{ larb: 0, port: 0, ops: [] }]));
    const out = inspector('iommu')!.run({ machine: m, built: undefined as never }, []);
    expect(out[0]).toContain('larbid_remap {0,1,2,3,4,5} +10 zero');
  });
});
