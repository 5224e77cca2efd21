// Goal: each mm operation calls the notifier ops in the kernel's order (v5.0 mm/, see
// kernel-facts §5.2). Method: a passive "tracer" subscriber implementing every op watches
// one operation at a time; the sequence of its calls, interleaved with the CPU PTE writes
// and page frees, must equal the kernel's, token for token.
import { describe, expect, it } from 'vitest';
import { BASE, opSequence, runObj, va } from './helpers.ts';

const T = 10_000;

function run(ops: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return runObj({
    processes: [{
      name: 'p',
      vmas: [{ start: va(0), size: '16K', fill: 1 }],
      notifiers: [{ name: 'tracer' }],
      ops,
      ...extra,
    }],
  });
}

describe('notifier call order per mm operation', () => {
  it('munmap: start, zap, invalidate_range+end from unmap_vmas, tlb_finish_mmu flush, then free', () => {
    const { recs } = run([{ op: 'munmap', at: T, start: va(1), size: '8K' }]);
    expect(opSequence(recs, T)).toEqual([
      'invalidate_range_start', 'pte:zap_pte_range', 'pte:zap_pte_range',
      'invalidate_range(invalidate_range_end)', 'invalidate_range_end',
      'invalidate_range(tlb_flush_mmu_tlbonly)', 'free', 'free',
    ]);
    const start = recs.find((r) => r.kind === 'notifier' && r.op === 'invalidate_range_start')!;
    expect([start.start, start.end, start.blockable]).toEqual([va(1), va(3), true]);
  });

  it('mprotect: one pair from the first populated PMD, PTEs write-protected inside it', () => {
    const { recs } = run([{ op: 'mprotect', at: T, start: va(0), size: '16K', prot: 'r' }]);
    expect(opSequence(recs, T)).toEqual([
      'invalidate_range_start', ...Array(4).fill('pte:change_pte_range'),
      'invalidate_range(invalidate_range_end)', 'invalidate_range_end',
    ]);
  });

  it('mprotect over an unpopulated PUD range calls nobody (change_pmd_range never starts)', () => {
    const { recs } = run([
      { op: 'mmap', at: 1000, start: '0x7f0040000000', size: '8K' },
      { op: 'mprotect', at: T, start: '0x7f0040000000', size: '8K', prot: 'r' },
    ]);
    expect(opSequence(recs, T)).toEqual([]);
  });

  it('fork: a pair on the parent around write-protecting its COW PTEs; the child gets old PTEs', () => {
    const { recs } = run([{ op: 'fork', at: T, child: 'c' }]);
    const pairs = Array(4).fill(['pte:ptep_set_wrprotect', 'pte:copy_one_pte']).flat();
    expect(opSequence(recs, T)).toEqual([
      'invalidate_range_start', ...pairs, 'invalidate_range(invalidate_range_end)', 'invalidate_range_end',
    ]);
  });

  it('COW write (wp_page_copy): start, ptep_clear_flush_notify, change_pte, set, only_end, old page kept by the child', () => {
    const { recs } = run([{ op: 'fork', at: 5000, child: 'c' }, { op: 'write', at: T, va: va(2) }]);
    expect(opSequence(recs, T)).toEqual([
      'invalidate_range_start', 'pte:ptep_clear_flush_notify', 'invalidate_range(ptep_clear_flush_notify)',
      'change_pte', 'pte:set_pte_at_notify', 'invalidate_range_end',
    ]);
  });

  it('write to an exclusive read-only anonymous page reuses it without notifiers', () => {
    const { recs } = run([{ op: 'fork', at: 5000, child: 'c' }, { op: 'exit', at: 6000, process: 'c' }, { op: 'write', at: T, va: va(2) }]);
    expect(opSequence(recs, T)).toEqual(['pte:wp_page_reuse']);
  });

  it('KSM: write_protect_page x2 then replace_page, each start / clear_flush / change_pte / set / end', () => {
    const { recs } = run([{ op: 'ksm', at: T, va: va(0), with: { va: va(1) } }]);
    const wp = ['invalidate_range_start', 'pte:ptep_clear_flush', 'change_pte', 'pte:set_pte_at_notify', 'invalidate_range(invalidate_range_end)', 'invalidate_range_end'];
    expect(opSequence(recs, T)).toEqual([...wp, ...wp, ...wp, 'free']);
  });

  it('aging: ptep_clear_flush_young then clear_flush_young per page', () => {
    const { recs } = run([{ op: 'age', at: T, start: va(0), size: '8K' }]);
    expect(opSequence(recs, T)).toEqual(Array(2).fill(['pte:ptep_clear_flush_young', 'clear_flush_young']).flat());
  });

  it('reclaim of an old anonymous page: aging, then try_to_unmap_one with the explicit invalidate_range', () => {
    const { recs } = run([{ op: 'age', at: 5000, start: va(0), size: '4K' }, { op: 'reclaim', at: T, start: va(0), size: '4K' }]);
    expect(opSequence(recs, T)).toEqual([
      'clear_flush_young', 'invalidate_range_start', 'clear_flush_young', 'pte:ptep_get_and_clear', 'pte:set_pte_at(swp_pte)',
      'invalidate_range(try_to_unmap_one)', 'invalidate_range(invalidate_range_end)', 'invalidate_range_end', 'free',
    ]);
  });

  it('reclaim of a clean file page: no explicit invalidate_range (the locked page stays until end)', () => {
    const { recs } = runObj({ processes: [{
      name: 'p', notifiers: [{ name: 'tracer' }],
      vmas: [{ start: va(0), size: '4K', kind: 'file', file: 'lib.so', prot: 'r', populate: true }],
      ops: [{ op: 'age', at: 5000, start: va(0), size: '4K' }, { op: 'reclaim', at: T, start: va(0), size: '4K' }],
    }] });
    expect(opSequence(recs, T)).toEqual([
      'clear_flush_young', 'invalidate_range_start', 'clear_flush_young', 'pte:ptep_get_and_clear',
      'invalidate_range(invalidate_range_end)', 'invalidate_range_end', 'free',
    ]);
  });

  it('a young page is activated, not unmapped', () => {
    const { recs } = run([{ op: 'reclaim', at: T, start: va(0), size: '4K' }]);
    expect(opSequence(recs, T)).toEqual(['pte:ptep_clear_flush_young', 'clear_flush_young']);
    expect(recs.find((r) => r.kind === 'reclaim')!.result).toBe('activated');
  });

  it('exit: release first, then the teardown reaches nobody', () => {
    const { recs } = run([{ op: 'exit', at: T }]);
    expect(opSequence(recs, T)).toEqual(['release', ...Array(4).fill('pte:zap_pte_range'), 'free', 'free', 'free', 'free']);
  });

  // mm/mremap.c mremap_to: do_munmap(new_addr, new_len) first. mm/mmap.c __do_munmap
  // returns 0 when find_vma(start) is NULL or starts at or past end, before unmap_region, so
  // an empty target calls no notifier. move_vma then runs move_page_tables (one pair over
  // the old range) and do_munmap of the old range, whose VMA is still there.
  it('mremap move to an empty target: move_page_tables pair over the old range, then munmap of the old range', () => {
    const { recs } = run([{ op: 'mremap', at: T, start: va(0), oldSize: '8K', newSize: '8K', newStart: '0x7f0000100000' }]);
    expect(opSequence(recs, T)).toEqual([
      'invalidate_range_start', 'pte:move_ptes', 'pte:move_ptes', 'pte:move_ptes', 'pte:move_ptes',
      'invalidate_range(invalidate_range_end)', 'invalidate_range_end',
      'invalidate_range_start', 'invalidate_range(invalidate_range_end)', 'invalidate_range_end',
    ]);
  });

  it('mremap move onto a mapped target: its munmap runs the notifiers first', () => {
    const target = '0x7f0000100000';
    const { recs } = run([
      { op: 'mmap', at: 1000, start: target, size: '8K' },
      { op: 'mremap', at: T, start: va(0), oldSize: '8K', newSize: '8K', newStart: target },
    ]);
    expect(opSequence(recs, T).slice(0, 4)).toEqual([
      'invalidate_range_start', 'invalidate_range(invalidate_range_end)', 'invalidate_range_end',
      'invalidate_range_start',
    ]);
  });

  // mm/mmap.c (v5.0) __do_munmap: `vma = find_vma(mm, start); if (!vma) return 0;` and
  // `if (vma->vm_start >= end) return 0;`, both before unmap_region and its notifier calls.
  it('munmap of a range with no VMA (a hole, or past the last VMA) calls no notifier', () => {
    const { recs } = run([
      { op: 'munmap', at: T, start: va(100), size: '8K' }, // past the only VMA (pages 0..3)
      { op: 'mmap', at: T + 1, start: va(200), size: '4K' },
      { op: 'munmap', at: T + 2, start: va(150), size: '8K' }, // between two VMAs
    ]);
    expect(opSequence(recs, T)).toEqual([]);
    expect(opSequence(recs, T + 2)).toEqual([]);
    expect(recs.filter((r) => r.kind === 'mm' && r.op === 'munmap')).toHaveLength(2);
  });

  it('page_idle uses clear_young; khugepaged uses test_young only when the PTE is old', () => {
    const { recs } = run([{ op: 'page-idle', at: T, start: va(0), size: '4K' }, { op: 'test-young', at: 2 * T, start: va(0), size: '8K' }]);
    expect(opSequence(recs, T)).toEqual(['pte:ptep_test_and_clear_young', 'clear_young']);
    expect(opSequence(recs, 2 * T)).toEqual(['test_young']);
  });

  it('OOM reaper: non-blockable start; a failing subscriber makes it skip the VMA without end', () => {
    const ok = run([{ op: 'oom-reap', at: T }]);
    expect(opSequence(ok.recs, T)).toEqual([
      'invalidate_range_start', ...Array(4).fill('pte:zap_pte_range'), 'invalidate_range(invalidate_range_end)', 'invalidate_range_end',
      'invalidate_range(tlb_flush_mmu_tlbonly)', 'free', 'free', 'free', 'free',
    ]);
    expect(ok.recs.find((r) => r.kind === 'notifier' && r.op === 'invalidate_range_start')!.blockable).toBe(false);
    const fail = runObj({ processes: [{ name: 'p', vmas: [{ start: va(0), size: '16K', fill: 1 }], notifiers: [{ name: 'tracer', failNonblock: true }], ops: [{ op: 'oom-reap', at: T }] }] });
    expect(opSequence(fail.recs, T)).toEqual(['invalidate_range_start']);
    expect(fail.recs.some((r) => r.op === 'notifier-failed' && r.error === -11)).toBe(true);
  });

  it('subscribers are called newest first (hlist head insertion)', () => {
    const { recs } = runObj({ processes: [{ name: 'p', vmas: [{ start: va(0), size: '4K', fill: 1 }], notifiers: [{ name: 'first' }, { name: 'second' }], ops: [{ op: 'munmap', at: T, start: va(0), size: '4K' }] }] });
    const calls = recs.filter((r) => r.kind === 'notifier').map((r) => `${r.subscriber as string}:${r.op as string}`);
    expect(calls.slice(0, 2)).toEqual(['second:invalidate_range_start', 'first:invalidate_range_start']);
    // __mmu_notifier_invalidate_range_end: per subscriber, invalidate_range then end.
    expect(calls.slice(2, 6)).toEqual(['second:invalidate_range', 'second:invalidate_range_end', 'first:invalidate_range', 'first:invalidate_range_end']);
    void BASE;
  });
});

describe('v5.4 ranges carry their event', () => {
  const ops = [
    { op: 'mprotect', at: 1000, start: va(0), size: '16K', prot: 'rw' },
    { op: 'fork', at: 2000, child: 'c' },
    { op: 'write', at: 3000, va: va(0) },
    { op: 'munmap', at: 4000, start: va(0), size: '4K' },
  ];
  const starts = (kernel: 'v5.0' | 'v5.4') =>
    runObj({ processes: [{ name: 'p', vmas: [{ start: va(0), size: '16K', fill: 1 }], notifiers: [{ name: 'tracer' }], ops }] }, { kernel })
      .recs.filter((r) => r.kind === 'notifier' && r.op === 'invalidate_range_start').map((r) => r.event);

  it('mprotect PROTECTION_VMA, fork PROTECTION_PAGE, COW CLEAR, munmap UNMAP; v5.0 has no event', () => {
    expect(starts('v5.4')).toEqual(['MMU_NOTIFY_PROTECTION_VMA', 'MMU_NOTIFY_PROTECTION_PAGE', 'MMU_NOTIFY_CLEAR', 'MMU_NOTIFY_UNMAP']);
    expect(starts('v5.0')).toEqual([undefined, undefined, undefined, undefined]);
  });
});
