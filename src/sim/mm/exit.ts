/**
 * Process teardown and the OOM reaper (mm/mmap.c exit_mmap, mm/oom_kill.c
 * __oom_reap_task_mm, v5.0).
 */
import type { Machine } from '../machine.ts';
import type { MmStruct } from './types.ts';
import {
  mmuNotifierInvalidateRangeEnd, mmuNotifierInvalidateRangeStart, mmuNotifierRelease,
} from './notifier.ts';
import { tlbFinishMmu, tlbGatherMmu, zapPteRange } from './zap.ts';

/**
 * exit_mmap: mmu_notifier_release first (every subscriber's release, then the list is
 * emptied), then unmap_vmas(0, -1) whose start/end reach nobody, then the pages go.
 */
/** ULONG_MAX on 64-bit: unmap_vmas(tlb, vma, 0, -1). */
const ULONG_MAX = 0xffff_ffff_ffff_ffffn;

export function exitMmap(m: Machine, mm: MmStruct): void {
  m.emit('mm', { op: 'exit_mmap', mm: mm.name, start: 0, end: ULONG_MAX });
  mmuNotifierRelease(m, mm);
  const tlb = tlbGatherMmu(mm);
  const range = { mm, start: 0, end: 2 ** 64, blockable: true, event: 'MMU_NOTIFY_UNMAP' as const };
  mmuNotifierInvalidateRangeStart(m, range);
  for (const v of mm.vmas) zapPteRange(m, tlb, v.start, v.end);
  mmuNotifierInvalidateRangeEnd(m, range);
  tlbFinishMmu(m, tlb);
  mm.vmas = [];
  mm.exited = true;
}

/**
 * __oom_reap_task_mm: per private VMA, invalidate_range_start_nonblock (blockable=false);
 * a failing subscriber makes the reaper skip the VMA without calling end.
 */
export function oomReap(m: Machine, mm: MmStruct): void {
  m.emit('mm', { op: 'oom_reap', mm: mm.name });
  for (const v of mm.vmas) {
    // can_madv_dontneed_vma (no PFN maps), then vma_is_anonymous || !VM_SHARED.
    if (v.kind === 'device' || (v.shared && v.kind !== 'anon')) continue;
    const tlb = tlbGatherMmu(mm);
    const range = { mm, start: v.start, end: v.end, blockable: false, event: 'MMU_NOTIFY_UNMAP' as const };
    if (mmuNotifierInvalidateRangeStart(m, range)) {
      m.emit('mm', { op: 'oom_reap-skip', mm: mm.name, start: v.start, end: v.end });
      tlbFinishMmu(m, tlb);
      continue;
    }
    zapPteRange(m, tlb, v.start, v.end);
    mmuNotifierInvalidateRangeEnd(m, range);
    tlbFinishMmu(m, tlb);
  }
}
