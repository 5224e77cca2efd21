/**
 * The mmu notifier call chain (mm/mmu_notifier.c, include/linux/mmu_notifier.h, v5.0).
 * Subscribers are data on the mm; their code is looked up by kind. Every call of a
 * non-NULL op is one `notifier` record, emitted before the subscriber runs, so the
 * subscriber's own records (atc-inval) follow the call that caused them.
 */
import type { Machine } from '../machine.ts';
import type { FieldsFor } from '../trace-kinds.ts';
import type { MmStruct, NotifierOp, Subscriber, SubscriberKind } from './types.ts';
import { PAGE_SIZE } from './types.ts';
import { type ServiceKey, serviceFamily } from '../core/keys.ts';

export const EAGAIN = -11;

/** enum mmu_notifier_event (v5.2+): why a range is invalidated. v5.0 has no such field. */
export type MmuNotifyEvent =
  | 'MMU_NOTIFY_UNMAP' | 'MMU_NOTIFY_CLEAR' | 'MMU_NOTIFY_PROTECTION_VMA' | 'MMU_NOTIFY_PROTECTION_PAGE' | 'MMU_NOTIFY_SOFT_DIRTY';

export interface MmuNotifierRange {
  readonly mm: MmStruct;
  readonly start: number;
  readonly end: number;
  /** v5.0 range->blockable; v5.4 range->flags & MMU_NOTIFIER_RANGE_BLOCKABLE. */
  readonly blockable: boolean;
  readonly event: MmuNotifyEvent;
}

/** The start/end record fields; v5.4 ranges also carry their event. */
function rangeFields(m: Machine, range: MmuNotifierRange): CallFields {
  return { start: range.start, end: range.end, blockable: range.blockable, event: m.config.kernel === 'v5.4' ? range.event : undefined };
}

/** struct mmu_notifier_ops as code; a missing member is a NULL op, never called. */
export interface SubscriberOps {
  release?(m: Machine, mm: MmStruct, sub: Subscriber): void;
  invalidateRangeStart?(m: Machine, sub: Subscriber, range: MmuNotifierRange): number;
  invalidateRangeEnd?(m: Machine, sub: Subscriber, range: MmuNotifierRange): void;
  invalidateRange?(m: Machine, mm: MmStruct, sub: Subscriber, start: number, end: number): void;
  clearFlushYoung?(m: Machine, mm: MmStruct, sub: Subscriber, start: number, end: number): number;
  clearYoung?(m: Machine, mm: MmStruct, sub: Subscriber, start: number, end: number): number;
  testYoung?(m: Machine, mm: MmStruct, sub: Subscriber, address: number): number;
  changePte?(m: Machine, mm: MmStruct, sub: Subscriber, address: number, pfn: number): void;
}

/** The ops of a subscriber kind (the IOMMU driver or the passive listener that registered it). */
export const subscriberOpsKey: (kind: SubscriberKind) => ServiceKey<SubscriberOps> = serviceFamily<SubscriberOps>('mmu-notifier-ops');

function opsOf(m: Machine, sub: Subscriber): SubscriberOps {
  return m.service(subscriberOpsKey(sub.kind));
}

type CallFields = Omit<FieldsFor<'notifier'>, 'mm' | 'op' | 'subscriber'>;

function note(m: Machine, mm: MmStruct, sub: Subscriber, op: NotifierOp, f: CallFields): void {
  sub.calls = (sub.calls ?? 0) + 1;
  m.emit('notifier', { mm: mm.name, op, ...f, subscriber: sub.name });
}

const has = (sub: Subscriber, op: NotifierOp): boolean => sub.ops.includes(op);
/** A copy of the list: a callback may not change who is called in this pass. */
const subsOf = (mm: MmStruct): Subscriber[] => mm.subscribers.slice();

/** mmu_notifier_register: hlist_add_head_rcu, so the newest subscriber is called first. */
export function mmuNotifierRegister(m: Machine, mm: MmStruct, sub: Subscriber): void {
  mm.subscribers.unshift(sub);
  m.emit('mm', { op: 'mmu_notifier_register', mm: mm.name, subscriber: sub.name, ops: sub.ops.join(',') });
}

/** __mmu_notifier_invalidate_range_start: every start is called; the last error wins. */
export function mmuNotifierInvalidateRangeStart(m: Machine, range: MmuNotifierRange): number {
  let ret = 0;
  for (const sub of subsOf(range.mm)) {
    if (!has(sub, 'invalidate_range_start')) continue;
    note(m, range.mm, sub, 'invalidate_range_start', rangeFields(m, range));
    const r = opsOf(m, sub).invalidateRangeStart?.(m, sub, range) ?? 0;
    if (r) {
      m.emit('mm', { op: 'notifier-failed', mm: range.mm.name, subscriber: sub.name, error: r, blockable: range.blockable });
      ret = r;
    }
  }
  return ret;
}

/**
 * __mmu_notifier_invalidate_range_end: per subscriber, invalidate_range for the whole
 * range first (unless the _only_end variant), then invalidate_range_end.
 */
export function mmuNotifierInvalidateRangeEnd(m: Machine, range: MmuNotifierRange, onlyEnd = false): void {
  for (const sub of subsOf(range.mm)) {
    if (!onlyEnd && has(sub, 'invalidate_range')) {
      const f = { start: range.start, end: range.end, blockable: range.blockable, caller: 'invalidate_range_end' };
      note(m, range.mm, sub, 'invalidate_range', f);
      opsOf(m, sub).invalidateRange?.(m, range.mm, sub, range.start, range.end);
    }
    if (has(sub, 'invalidate_range_end')) {
      note(m, range.mm, sub, 'invalidate_range_end', rangeFields(m, range));
      opsOf(m, sub).invalidateRangeEnd?.(m, sub, range);
    }
  }
}

/** mmu_notifier_invalidate_range: called under the PTL (not blockable) by `caller`. */
export function mmuNotifierInvalidateRange(m: Machine, mm: MmStruct, start: number, end: number, caller: string): void {
  for (const sub of subsOf(mm)) {
    if (!has(sub, 'invalidate_range')) continue;
    const blockable = caller === 'tlb_flush_mmu_tlbonly';
    note(m, mm, sub, 'invalidate_range', { start, end, blockable, caller });
    opsOf(m, sub).invalidateRange?.(m, mm, sub, start, end);
  }
}

/** __mmu_notifier_clear_flush_young: results ORed over every subscriber. */
export function mmuNotifierClearFlushYoung(m: Machine, mm: MmStruct, start: number, end: number): number {
  let young = 0;
  for (const sub of subsOf(mm)) {
    if (!has(sub, 'clear_flush_young')) continue;
    note(m, mm, sub, 'clear_flush_young', { start, end, blockable: false });
    young |= opsOf(m, sub).clearFlushYoung?.(m, mm, sub, start, end) ?? 0;
  }
  return young;
}

/** __mmu_notifier_clear_young: the idle-page tracker's test-and-clear without flush. */
export function mmuNotifierClearYoung(m: Machine, mm: MmStruct, start: number, end: number): number {
  let young = 0;
  for (const sub of subsOf(mm)) {
    if (!has(sub, 'clear_young')) continue;
    note(m, mm, sub, 'clear_young', { start, end, blockable: false });
    young |= opsOf(m, sub).clearYoung?.(m, mm, sub, start, end) ?? 0;
  }
  return young;
}

/** __mmu_notifier_test_young: the first subscriber answering young ends the loop. */
export function mmuNotifierTestYoung(m: Machine, mm: MmStruct, address: number): number {
  for (const sub of subsOf(mm)) {
    if (!has(sub, 'test_young')) continue;
    note(m, mm, sub, 'test_young', { start: address, end: address + PAGE_SIZE, blockable: false });
    if (opsOf(m, sub).testYoung?.(m, mm, sub, address)) return 1;
  }
  return 0;
}

/** __mmu_notifier_change_pte: set_pte_at_notify calls it before the PTE is written. */
export function mmuNotifierChangePte(m: Machine, mm: MmStruct, address: number, pfn: number): void {
  for (const sub of subsOf(mm)) {
    if (!has(sub, 'change_pte')) continue;
    const f = { start: address, end: address + PAGE_SIZE, blockable: false, pa: pfn * PAGE_SIZE };
    note(m, mm, sub, 'change_pte', f);
    opsOf(m, sub).changePte?.(m, mm, sub, address, pfn);
  }
}

/**
 * __mmu_notifier_release (exit_mmap): every ->release under SRCU, then the whole list is
 * unhashed, so the final teardown's invalidations reach nobody.
 */
export function mmuNotifierRelease(m: Machine, mm: MmStruct): void {
  for (const sub of subsOf(mm)) {
    if (!has(sub, 'release')) continue;
    note(m, mm, sub, 'release', { blockable: true });
    opsOf(m, sub).release?.(m, mm, sub);
  }
  mm.subscribers.length = 0;
}

/** A subscriber that only watches (a tracer, like a test module): every op, nothing flushed. */
export const passiveSubscriberOps: SubscriberOps = {
  invalidateRangeStart: (_m, sub, range) => (sub.failNonblock && !range.blockable ? EAGAIN : 0),
  clearFlushYoung: () => 0,
  clearYoung: () => 0,
  testYoung: () => 0,
};

/**
 * mmu_notifier_unregister: if exit_mmap has not released it yet, ->release is called
 * now, then the subscriber leaves the list.
 */
export function mmuNotifierUnregister(m: Machine, mm: MmStruct, sub: Subscriber): void {
  const i = mm.subscribers.indexOf(sub);
  if (i < 0) return;
  if (has(sub, 'release')) {
    note(m, mm, sub, 'release', { blockable: true, caller: 'mmu_notifier_unregister' });
    opsOf(m, sub).release?.(m, mm, sub);
  }
  const j = mm.subscribers.indexOf(sub);
  if (j >= 0) mm.subscribers.splice(j, 1);
}
