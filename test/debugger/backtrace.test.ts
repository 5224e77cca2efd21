/**
 * `bt`, `frame` and `break FUNCTION` on the mt8183 tutorial scenario (mt8183-bus-sel: vdec0
 * unmaps its buffer, then reads it and faults on mmu1).
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { build } from '../helpers/scenario.ts';

function session(): Session {
  return new Session(build('mt8183-bus-sel'));
}

function run(s: Session, line: string): readonly string[] {
  const r = s.exec(line);
  expect(r.error, line).toBeUndefined();
  return r.lines;
}

describe('bt at the mt8183 fault', () => {
  it('the driver\'s report: mtk_iommu_isr called from the IRQ core', () => {
    // drivers/iommu/mtk_iommu.c mtk_iommu_probe: devm_request_irq(dev, irq, mtk_iommu_isr, ...),
    // so the handler runs from kernel/irq/handle.c __handle_irq_event_percpu (action->handler).
    const s = session();
    run(s, 'break fault-irq');
    run(s, 'continue');
    expect(run(s, 'bt')).toEqual(['#0  mtk_iommu_isr () at drivers/iommu/mtk_iommu.c', '#1  __handle_irq_event_percpu () at kernel/irq/handle.c']);
    expect(run(s, 'frame 1')).toEqual(['#1  __handle_irq_event_percpu () at kernel/irq/handle.c']);
    expect(s.exec('frame 2').error?.message).toMatch(/no frame 2: the stack has 2/);
  });

  it('the faulting access itself is the hardware: no kernel frames', () => {
    const s = session();
    run(s, 'break fault');
    run(s, 'continue');
    expect(run(s, 'bt')[0]).toMatch(/^No kernel frames: record \d+ \(dma\) was emitted by the hardware/);
  });

  it('between events there is no stack', () => {
    expect(session().exec('bt').error?.message).toMatch(/No stack/);
  });
});

describe('break __arm_v7s_unmap', () => {
  it('stops at the unmap\'s PTE clear with the whole chain and its arguments', () => {
    // The scenario's vdec0 unmaps its 8 KiB bidirectional buffer at IOVA 0xffffe000
    // (dma_unmap_single -> iommu_dma_unmap_page -> __iommu_dma_unmap -> iommu_unmap(0xffffe000,
    // 0x2000); the kernel's __iommu_dma_unmap calls iommu_unmap_fast, modelled as iommu_unmap). iommu.c __iommu_unmap splits it into the largest page
    // the M4U takes (4 KiB: the IOVA is only 8 KiB aligned and 64 KiB pages need 64 KiB), so
    // mtk_iommu_unmap(0xffffe000, 0x1000) -> arm_v7s_unmap -> __arm_v7s_unmap at lvl 1, which
    // finds a table and recurses to lvl 2, where the 4 KiB entry is cleared.
    const s = session();
    run(s, 'break __arm_v7s_unmap');
    const first = run(s, 'continue');
    expect(first[1]).toMatch(/pte .*level=2 .*new=0x00000000 .*iova=0xffffe000/);
    expect(run(s, 'bt')).toEqual([
      '#0  __arm_v7s_unmap (iova=0xffffe000, size=0x1000, lvl=2) at drivers/iommu/io-pgtable-arm-v7s.c',
      '#1  __arm_v7s_unmap (iova=0xffffe000, size=0x1000, lvl=1) at drivers/iommu/io-pgtable-arm-v7s.c',
      '#2  arm_v7s_unmap (iova=0xffffe000, size=0x1000) at drivers/iommu/io-pgtable-arm-v7s.c',
      '#3  mtk_iommu_unmap (iova=0xffffe000, size=0x1000) at drivers/iommu/mtk_iommu.c',
      '#4  iommu_unmap (iova=0xffffe000, size=0x2000) at drivers/iommu/iommu.c',
      '#5  __iommu_dma_unmap (dma_addr=0xffffe000, size=0x2000) at drivers/iommu/dma-iommu.c',
      '#6  iommu_dma_unmap_page (dma_handle=0xffffe000, size=0x2000, dir=DMA_BIDIRECTIONAL) at drivers/iommu/dma-iommu.c',
    ]);
  });

  it('stops exactly at the records emitted under it, no others', () => {
    // The records under __arm_v7s_unmap, found without the debugger: a plain run with the
    // chain of every record read back from the trace store.
    const m = build('mt8183-bus-sel').machine;
    while (m.step());
    const want: number[] = [];
    for (let seq = 0; seq < m.trace.count; seq++) {
      if (m.kstack.frames(m.trace.stackOf(seq)).some((f) => f.func.name === '__arm_v7s_unmap')) want.push(seq);
    }
    expect(want.length).toBeGreaterThan(1);
    const s = session();
    run(s, 'break __arm_v7s_unmap');
    const got: number[] = [];
    for (;;) {
      const r = s.exec('continue');
      if (r.stop?.reason !== 'breakpoint') break;
      got.push(r.stop.at!);
    }
    expect(got).toEqual(want);
    // Reverse motion finds them too (the store keeps each record's chain).
    const back = s.exec('reverse-continue');
    expect(back.stop?.at).toBe(want[want.length - 1]);
  });

  it('a function name a model does not emulate is an error with a did-you-mean', () => {
    const r = session().exec('break __arm_v7s_unmaq');
    expect(r.error?.message).toMatch(/no record kind or modelled kernel function "__arm_v7s_unmaq"/);
    expect(r.error?.hint).toMatch(/__arm_v7s_unmap/);
  });

  it('narrowed by a filter: break __arm_v7s_unmap pte level=1 never stops here (only the L2 entry is cleared)', () => {
    const s = session();
    run(s, 'break __arm_v7s_unmap pte level=1');
    expect(s.exec('continue').stop?.reason).toBe('end');
  });
});
