/**
 * The kernel call chain behind each record (`bt`): chains are interned per (caller chain,
 * function), every record carries its chain's id, the trace store keeps it per seq, and
 * frame arguments are kept only when asked. The expected chains are the kernel's own call
 * paths, read from the v5.4.1 sources:
 * - iommu_map (drivers/iommu/iommu.c) calls domain->ops->map = mtk_iommu_map
 *   (drivers/iommu/mtk_iommu.c) once per page size iommu_pgsize picks, which calls
 *   dom->iop->map = arm_v7s_map, which calls __arm_v7s_map(lvl = 1), which recurses with
 *   lvl + 1 for a 4 KiB page, whose arm_v7s_init_pte writes the level-2 PTE
 *   (drivers/iommu/io-pgtable-arm-v7s.c);
 * - the fault report is printed by mtk_iommu_isr itself, after report_iommu_fault returns;
 * - dma_direct_map_page bounces through swiotlb_map, which calls swiotlb_tbl_map_single
 *   (kernel/dma/swiotlb.c).
 */
import { describe, expect, it } from 'vitest';
import { KStack, kfunc } from '../../../src/sim/core/kstack.ts';
import type { TraceRecord } from '../../../src/sim/trace-kinds.ts';
import { build } from '../../helpers/scenario.ts';
import type { Machine } from '../../../src/sim/machine.ts';

/** The chain a record was emitted under, as the trace store keeps it per seq. */
const names = (m: Machine, r: TraceRecord): string[] => m.kstack.frames(m.trace.stackOf(r.seq)).map((f) => f.func.name);

describe('KStack', () => {
  const A = kfunc('outer_fn', 'a.c', ['x']);
  const B = kfunc('inner_fn', 'b.c', ['y', 'z']);

  it('interns a chain once and gives it back on leave', () => {
    const ks = new KStack();
    const k1 = ks.enter(A, 1);
    const outer = ks.cur;
    const k2 = ks.enter(B, 2, 3);
    const inner = ks.cur;
    expect(ks.frames(inner).map((f) => f.func.name)).toEqual(['inner_fn', 'outer_fn']);
    ks.leave(k2);
    expect(ks.cur).toBe(outer);
    ks.enter(B, 4, 5);
    expect(ks.cur).toBe(inner); // same chain, same id
    ks.leave(k2);
    ks.leave(k1);
    expect(ks.cur).toBe(0);
    ks.enter(B);
    expect(ks.cur).not.toBe(inner); // inner_fn called from nowhere is another chain
    expect(ks.frames(ks.cur).map((f) => f.func.name)).toEqual(['inner_fn']);
  });

  it('keeps arguments only while asked to, by depth', () => {
    const ks = new KStack();
    ks.keepArgs = true;
    const k = ks.enter(A, 7);
    ks.enter(B, 8, 9);
    expect(ks.argsNow()).toEqual([[8, 9], [7]]);
    ks.leave(k);
    ks.enter(B, 10, 11); // depth 1 now: its arguments replace A's
    expect(ks.argsNow()).toEqual([[10, 11]]);
  });
});

describe('records carry the chain they were emitted under', () => {
  function run(name: string, keepArgs: boolean) {
    const { machine: m } = build(name);
    m.kstack.keepArgs = keepArgs;
    const recs: TraceRecord[] = [];
    while (m.step()) recs.push(...m.stepRecords);
    return { m, recs };
  }

  it('a level-2 PTE written by an mtk map: __arm_v7s_map <- __arm_v7s_map <- arm_v7s_map <- mtk_iommu_map <- iommu_map', () => {
    const { m, recs } = run('mt8183-bus-sel', true);
    const pte = recs.find((r) => r.kind === 'pte' && r.level === 2 && r.iova === 0xffffe000)!;
    expect(names(m, pte)).toEqual(['__arm_v7s_map', '__arm_v7s_map', 'arm_v7s_map', 'mtk_iommu_map', 'iommu_map', '__iommu_dma_map', 'iommu_dma_map_page']);
    const frames = m.kstack.frames(pte.stack!, pte.frameArgs);
    // iommu_map(iova 0xffffe000, paddr 0x40000000, 8 KiB) maps it as two 4 KiB pages.
    expect(frames.map((f) => f.args)).toEqual([
      [0xffffe000, 0x40000000, 0x1000, 2],
      [0xffffe000, 0x40000000, 0x1000, 1],
      [0xffffe000, 0x40000000, 0x1000, 3], // prot IOMMU_READ | IOMMU_WRITE
      [0xffffe000, 0x40000000, 0x1000, 3],
      [0xffffe000, 0x40000000, 0x2000, 3],
      [0x40000000, 0x2000, 3], // __iommu_dma_map(phys, size, prot)
      [0x40000000, 0x2000, 0], // iommu_dma_map_page(phys, size, DMA_BIDIRECTIONAL)
    ]);
    expect(frames[0].func.file).toBe('drivers/iommu/io-pgtable-arm-v7s.c');
    // The map record itself is iommu_map's, called from dma-iommu.c's __iommu_dma_map.
    const map = recs.find((r) => r.kind === 'map' && r.api === 'iommu_map')!;
    expect(names(m, map)).toEqual(['iommu_map', '__iommu_dma_map', 'iommu_dma_map_page']);
    // The store keeps the chain per seq, for records read back from the recording.
    expect(m.trace.stackOf(pte.seq)).toBe(pte.stack);
  });

  it('the unmap path and the fault report', () => {
    const { m, recs } = run('mt8183-bus-sel', false);
    const cleared = recs.find((r) => r.kind === 'pte' && r.level === 2 && r.new === 0)!;
    expect(names(m, cleared)).toEqual(['__arm_v7s_unmap', '__arm_v7s_unmap', 'arm_v7s_unmap', 'mtk_iommu_unmap', 'iommu_unmap', '__iommu_dma_unmap', 'iommu_dma_unmap_page']);
    const fault = recs.find((r) => r.kind === 'fault')!;
    // The IRQ core calls the handler (kernel/irq/handle.c __handle_irq_event_percpu).
    expect(names(m, fault)).toEqual(['mtk_iommu_isr', '__handle_irq_event_percpu']);
    expect(fault.frameArgs).toBeUndefined(); // arguments were not asked for
    const done = recs.find((r) => r.kind === 'dev-done')!;
    expect(done.stack ?? 0).toBe(0);
    expect(m.trace.stackOf(done.seq)).toBe(0);
  });

  it('a bounce: swiotlb_tbl_map_single <- swiotlb_map', () => {
    const { m, recs } = run('dma-mask-bounce', false);
    const bounce = recs.find((r) => r.kind === 'swiotlb-map')!;
    expect(names(m, bounce)).toEqual(['swiotlb_tbl_map_single', 'swiotlb_map', 'dma_direct_map_page']);
    const back = recs.find((r) => r.kind === 'swiotlb-unmap')!;
    expect(names(m, back)).toEqual(['swiotlb_tbl_unmap_single', 'dma_direct_unmap_page']);
  });
});
