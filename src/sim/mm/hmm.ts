/**
 * HMM mirrors (mm/hmm.c): the per-mm struct hmm with its one mmu notifier (release,
 * invalidate_range_start, invalidate_range_end — no invalidate_range: a mirror has its own
 * device page table and is told before the CPU page table changes), mirror registration per
 * version and per the `hmm-mirror-unregister` row, and the invalidation callbacks that
 * mark ranges and call every mirror's sync_cpu_device_pagetables.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { serviceKey } from '../core/keys.ts';
import { HMM_MIRROR_UNREGISTER, HMM_RANGE_VALID, kernelRelease } from '../kernel.ts';
import type { MmStruct, Subscriber } from './types.ts';
import { mmById } from './state.ts';
import { EAGAIN, type MmuNotifierRange, type SubscriberOps, mmuNotifierRegister, subscriberOpsKey } from './notifier.ts';
import { HMM_MODEL, HMM_SUBSCRIBER, type HmmMirror, type HmmMm, type HmmModel, type HmmRange } from './hmm-state.ts';

const HMM_C = 'mm/hmm.c';
const F_MIRROR_REGISTER = kfunc('hmm_mirror_register', HMM_C);
const F_MIRROR_UNREGISTER = kfunc('hmm_mirror_unregister', HMM_C);
const F_INV_START = kfunc('hmm_invalidate_range_start', HMM_C, ['start', 'end']);
const F_INV_END = kfunc('hmm_invalidate_range_end', HMM_C, ['start', 'end']);
const F_RELEASE = kfunc('hmm_release', HMM_C);

/** struct hmm_mirror_ops of the driver that embeds a mirror. */
export interface HmmMirrorOps {
  /** Clear the device page table over [start, end) and flush; -EAGAIN when it would sleep and may not. */
  syncCpuDevicePagetables(m: Machine, mirror: HmmMirror, start: number, end: number, blockable: boolean): number;
  release(m: Machine, mirror: HmmMirror): void;
}

/** The mirror driver's ops (the device kind that embeds mirrors provides them). */
export const HMM_MIRROR_OPS = serviceKey<HmmMirrorOps>('hmm-mirror-ops');

export function hmmModel(m: Machine): HmmModel {
  return m.model(HMM_MODEL);
}

export function hmmModelCreate(m: Machine): HmmModel {
  m.provide(subscriberOpsKey('hmm'), hmmNotifierOps);
  return m.addModel(HMM_MODEL, { hmms: [], mirrors: [], ranges: [], mmapSemHeld: {} });
}

/** mm->hmm (v5.0) / the notifier mmu_notifier_get_locked would find (v5.4): the live struct hmm of an mm. */
export function hmmOfMm(m: Machine, mm: number): HmmMm | undefined {
  return m.findModel(HMM_MODEL)?.hmms.find((h) => h.mm === mm && h.live);
}

const v54 = (m: Machine): boolean => kernelRelease(m.config.kernel) === 'v5.4';
/**
 * Who holds the mm's mmap_sem for write forever (a v5.0 hmm_mirror_register spinning in
 * `goto again`): every later mmap, munmap, fault or get_user_pages on it blocks.
 */
export function mmapSemHolder(m: Machine, mm: number): string | undefined {
  return m.findModel(HMM_MODEL)?.mmapSemHeld[mm];
}

const refcounted = (m: Machine): boolean => m.behaviour(HMM_MIRROR_UNREGISTER) === 'refcounted';

/** hmm_register (v5.0) / mmu_notifier_get_locked + hmm_alloc_notifier (v5.4). */
function hmmGet(m: Machine, mm: MmStruct): HmmMm {
  const mdl = hmmModel(m);
  const live = hmmOfMm(m, mm.id);
  if (live) {
    if (refcounted(m)) live.users++;
    return live;
  }
  const h: HmmMm = { mm: mm.id, mirrors: [], ranges: [], notifiers: 0, mmCleared: false, subscribed: true, users: 1, live: true };
  mdl.hmms.push(h);
  const sub: Subscriber = {
    name: HMM_SUBSCRIBER, kind: 'hmm', ops: ['release', 'invalidate_range_start', 'invalidate_range_end'], dev: -1, pasid: -1,
    omitInvalidateRange: false, failNonblock: false,
  };
  mmuNotifierRegister(m, mm, sub);
  return h;
}

/** Take HMM's notifier off the mm's list (mmu_notifier_unregister_no_release / mmu_notifier_put). */
function unsubscribe(m: Machine, h: HmmMm): void {
  const mm = mmById(m, h.mm);
  const i = mm.subscribers.findIndex((s) => s.kind === 'hmm');
  if (i >= 0) mm.subscribers.splice(i, 1);
  h.subscribed = false;
}

/**
 * hmm_mirror_register(mirror, mm) with mmap_sem held for write. Under "clears-mm" (v5.0) a
 * struct hmm whose hmm->mm a previous unregister cleared sends it round `goto again`
 * forever: the mirror is left stuck and the call never returns (returns false).
 */
export function hmmMirrorRegister(m: Machine, mirror: HmmMirror, mm: MmStruct): boolean {
  const k = m.kstack.enter(F_MIRROR_REGISTER);
  try {
    const h = hmmGet(m, mm);
    mirror.mm = mm.id;
    mirror.hmm = hmmModel(m).hmms.indexOf(h);
    if (!refcounted(m) && h.mmCleared) {
      mirror.stuck = true;
      hmmModel(m).mmapSemHeld[mm.id] = mirror.name;
      m.emit('hmm', { op: 'hmm_mirror_register', mirror: mirror.name, mm: mm.name, result: 'livelock: mm->hmm has hmm->mm == NULL, so it takes the "racing unregister" path and goes to again: forever, with mmap_sem held for write' });
      return false;
    }
    h.mirrors.unshift(mirror.id); // list_add: the newest mirror first
    mirror.registered = true;
    m.emit('hmm', { op: 'hmm_mirror_register', mirror: mirror.name, mm: mm.name, ret: 0, result: `${h.mirrors.length} mirror(s)` });
    return true;
  } finally {
    m.kstack.leave(k);
  }
}

/** hmm_mirror_unregister: v5.0 (clears-mm) or refcounted (v5.4 mmu_notifier_put). */
export function hmmMirrorUnregister(m: Machine, mirror: HmmMirror): void {
  if (mirror.hmm < 0 || mirror.stuck) return; // if (mirror->hmm == NULL) return;
  const h = hmmModel(m).hmms[mirror.hmm];
  const mm = mmById(m, mirror.mm);
  const k = m.kstack.enter(F_MIRROR_UNREGISTER);
  h.mirrors = h.mirrors.filter((x) => x !== mirror.id);
  mirror.registered = false;
  mirror.hmm = -1;
  let result: string;
  if (refcounted(m)) {
    h.users--;
    if (h.users === 0) {
      if (h.subscribed) unsubscribe(m, h);
      h.live = false;
      result = 'last user: notifier removed, struct hmm freed';
    } else result = `${h.users} user(s) left`;
  } else {
    const shouldUnregister = h.mirrors.length === 0;
    const hadMm = !h.mmCleared;
    h.mmCleared = true; // hmm->mm = NULL, whatever is left
    if (!shouldUnregister) result = `hmm->mm = NULL with ${h.mirrors.length} mirror(s) left`;
    else if (!hadMm) result = 'hmm->mm was NULL: returns without mmu_notifier_unregister_no_release (notifier and struct hmm leaked)';
    else {
      if (h.subscribed) unsubscribe(m, h);
      h.live = false; // mm->hmm = NULL; kfree(hmm)
      result = 'last mirror: notifier removed, struct hmm freed';
    }
  }
  m.emit('hmm', { op: 'hmm_mirror_unregister', mirror: mirror.name, mm: mm.name, result });
  m.kstack.leave(k);
}

const overlaps = (r: HmmRange, start: number, end: number): boolean => !(end < r.start || start >= r.end);

/**
 * Mark the ranges an update overlaps (an update ending exactly at a range's start counts,
 * as `update->end < range->start` skips only below). v5.0 also zeroes the pfns of the
 * intersection (a literal 0, not values[NONE]).
 */
function markRanges(m: Machine, h: HmmMm, start: number, end: number): number {
  const mdl = hmmModel(m);
  const v50 = kernelRelease(m.config.kernel) === 'v5.0';
  let n = 0;
  for (const id of h.ranges) {
    const r = mdl.ranges[id];
    if (!overlaps(r, start, end)) continue;
    r.valid = false;
    r.seq++;
    n++;
    if (v50) {
      const from = Math.max(start, r.start);
      const to = Math.min(r.end, end);
      for (let a = from; a < to; a += 4096) r.pfns[(a - r.start) / 4096] = 0n;
    }
  }
  return n;
}

/** notifiers_decrement (v5.4): the last invalidation to end sets every range valid again. */
function notifiersDecrement(m: Machine, h: HmmMm): number {
  h.notifiers--;
  if (h.notifiers !== 0 || m.behaviour(HMM_RANGE_VALID) === 'range-flag') return 0;
  let n = 0;
  for (const id of h.ranges) {
    const r = hmmModel(m).ranges[id];
    if (r.valid) continue;
    r.valid = true;
    n++;
  }
  return n;
}

function hmmOfRange(m: Machine, range: MmuNotifierRange): HmmMm | undefined {
  return hmmModel(m).hmms.find((h) => h.mm === range.mm.id && h.subscribed);
}

/**
 * hmm_invalidate_range_start: v5.0 hmm_invalidate_range(hmm, true, update); v5.4 counts the
 * notifier, marks ranges (pfns kept), then every mirror's sync_cpu_device_pagetables; a
 * -EAGAIN in a non-blockable context aborts (and v5.4 drops its count again).
 */
function invalidateRangeStart(m: Machine, _sub: Subscriber, range: MmuNotifierRange): number {
  const h = hmmOfRange(m, range);
  if (!h) return 0;
  const k = m.kstack.enter(F_INV_START, range.start, range.end);
  h.notifiers++;
  const marked = markRanges(m, h, range.start, range.end);
  m.emit('hmm-invalidate', { mm: range.mm.name, phase: 'start', start: range.start, end: range.end, blockable: range.blockable, ranges: marked, notifiers: v54(m) ? h.notifiers : undefined });
  const ops = m.service(HMM_MIRROR_OPS);
  let ret = 0;
  for (const id of h.mirrors.slice()) {
    const rc = ops.syncCpuDevicePagetables(m, hmmModel(m).mirrors[id], range.start, range.end, range.blockable);
    if (rc === EAGAIN && !range.blockable) {
      ret = EAGAIN;
      break;
    }
  }
  if (ret) notifiersDecrement(m, h);
  m.kstack.leave(k);
  return ret;
}

/** hmm_invalidate_range_end: v5.0 marks (and zeroes) again without calling mirrors; v5.4 notifiers_decrement. */
function invalidateRangeEnd(m: Machine, _sub: Subscriber, range: MmuNotifierRange): void {
  const h = hmmOfRange(m, range);
  if (!h) return;
  const k = m.kstack.enter(F_INV_END, range.start, range.end);
  const marked = kernelRelease(m.config.kernel) === 'v5.0' ? markRanges(m, h, range.start, range.end) : 0;
  const revalidated = notifiersDecrement(m, h);
  m.emit('hmm-invalidate', { mm: range.mm.name, phase: 'end', start: range.start, end: range.end, blockable: range.blockable, ranges: marked + revalidated, notifiers: v54(m) ? h.notifiers : undefined });
  m.kstack.leave(k);
}

/** hmm_release (exit_mmap): v5.0 pops each mirror and calls its release; v5.4 calls release on each in place. */
function release(m: Machine, mm: MmStruct): void {
  const h = hmmModel(m).hmms.find((x) => x.mm === mm.id && x.subscribed);
  if (!h) return;
  const k = m.kstack.enter(F_RELEASE);
  const ops = m.service(HMM_MIRROR_OPS);
  const mirrors = hmmModel(m).mirrors;
  if (kernelRelease(m.config.kernel) === 'v5.0') {
    while (h.mirrors.length) {
      const id = h.mirrors.shift()!; // list_del_init, then the callback with mirrors_sem dropped
      mirrors[id].registered = false;
      m.emit('hmm', { op: 'hmm_release', mirror: mirrors[id].name, mm: mm.name, result: 'removed from hmm->mirrors, ->release called' });
      ops.release(m, mirrors[id]);
    }
  } else {
    for (const id of h.mirrors.slice()) {
      m.emit('hmm', { op: 'hmm_release', mirror: mirrors[id].name, mm: mm.name, result: '->release called' });
      ops.release(m, mirrors[id]);
    }
  }
  h.subscribed = false; // __mmu_notifier_release unhashes every notifier after the calls
  m.kstack.leave(k);
}

const hmmNotifierOps: SubscriberOps = {
  release: (m, mm) => release(m, mm),
  invalidateRangeStart: invalidateRangeStart,
  invalidateRangeEnd: invalidateRangeEnd,
};
