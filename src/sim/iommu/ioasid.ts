/**
 * The I/O ASID allocator (drivers/iommu/ioasid.c as merged after v5.4, the `void
 * ioasid_free()` generation; kernel-facts-2.md §12.3), one framework per kernel: the host's,
 * and each guest's. Plain data: the default allocator's xarray, the registered custom
 * allocators (struct ioasid_allocator_data) with the ops that share their helpers, and which
 * one is active. A custom allocator's alloc/free are named kernel functions whose code is a
 * service (`ioasidAllocFnKey(name)`, `ioasidFreeFnKey(name)`), provided by the model that registers them (the guest's
 * vIOMMU: intel_vcmd_ioasid_alloc).
 *
 * The rules the file header states, and this model keeps: the default allocator is always
 * there; custom allocators take precedence; switching from the default to a custom one
 * needs an empty default space (-EAGAIN otherwise); ops with the same alloc and free share
 * one ID space; IDs of an allocator must be gone before its last ops unregister (WARN).
 * No errno ever comes back from ioasid_alloc: only INVALID_IOASID.
 *
 * The `ioasid` row's "refcounted" choice is the v5.11 generation: each ID holds a refcount
 * (1 at alloc), ioasid_get takes one, and ioasid_put replaces ioasid_free: it drops one and
 * frees the ID only when none is left.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { modelKey, serviceFamily } from '../core/keys.ts';
import { IOASID } from '../kernel.ts';

const IOASID_C = 'drivers/iommu/ioasid.c';
const F_ALLOC = kfunc('ioasid_alloc', IOASID_C, ['min', 'max']);
const F_FREE = kfunc('ioasid_free', IOASID_C, ['ioasid']);
const F_GET = kfunc('ioasid_get', IOASID_C, ['ioasid']);
const F_PUT = kfunc('ioasid_put', IOASID_C, ['ioasid']);
const F_FIND = kfunc('ioasid_find', IOASID_C, ['ioasid']);
const F_SET_DATA = kfunc('ioasid_set_data', IOASID_C, ['ioasid']);
const F_REGISTER = kfunc('ioasid_register_allocator', IOASID_C);
const F_UNREGISTER = kfunc('ioasid_unregister_allocator', IOASID_C);
const F_DEFAULT_ALLOC = kfunc('default_alloc', IOASID_C, ['min', 'max']);

/** (ioasid_t)-1 (include/linux/ioasid.h). */
export const INVALID_IOASID = 0xffff_ffff;
const EAGAIN = 11;
const EEXIST = 17;
const ENOENT = 2;
const EACCES = 13;

/** struct ioasid_allocator_ops: its identity (the pointer), its functions and pdata, by name. */
export interface IoasidOps {
  /** The ops structure's identity, e.g. "vm0:dmar0.pasid_allocator". */
  name: string;
  /** The alloc and free helpers, by kernel function name. */
  alloc: string;
  free: string;
  /** ops->pdata: what the helpers are called with (a vIOMMU unit's name). */
  pdata: string;
}

/** struct ioasid_data: one allocated ID. */
export interface IoasidData {
  id: number;
  /** The ioasid_set it belongs to (a set is only an address used as a tag); null: NULL. */
  set: string | null;
  /** The private pointer, named ("svm vm0/app"); null: NULL. */
  private: string | null;
  /** data->refs (the refcounted generation; 1 at alloc, unused before). */
  refs: number;
}

/** struct ioasid_allocator_data. */
export interface IoasidAllocator {
  /** The first-registered ops: alloc/free keep using its pdata after it unregisters. */
  ops: IoasidOps;
  /** slist: every registered ops sharing these helpers, in registration order. */
  slist: IoasidOps[];
  custom: boolean;
  /** The xarray, ascending by id. */
  xa: IoasidData[];
}

export interface IoasidSpace {
  /** "host" or the guest's name. */
  kernel: string;
  default: IoasidAllocator;
  /** allocators_list: the registered custom allocators, in registration order. */
  list: IoasidAllocator[];
  /** The active allocator: -1 the default, else an index into `list`. */
  active: number;
}

export interface IoasidState {
  spaces: Record<string, IoasidSpace>;
}

export const IOASID_MODEL = modelKey<IoasidState>('ioasid');

/** A custom allocator's alloc helper: an ID or INVALID_IOASID. */
export type IoasidAllocFn = (m: Machine, space: IoasidSpace, min: number, max: number, pdata: string) => number;
/** A custom allocator's free helper. */
export type IoasidFreeFn = (m: Machine, space: IoasidSpace, id: number, pdata: string) => void;

/** The helpers behind the function names a custom allocator's ops carry (ops->alloc, ops->free). */
export const ioasidAllocFnKey = serviceFamily<IoasidAllocFn>('ioasid-alloc-fn');
export const ioasidFreeFnKey = serviceFamily<IoasidFreeFn>('ioasid-free-fn');

export const DEFAULT_OPS: IoasidOps = { name: 'default_ops', alloc: 'default_alloc', free: 'default_free', pdata: '' };

export function ioasidSpaceCreate(kernel: string): IoasidSpace {
  return { kernel, default: { ops: DEFAULT_OPS, slist: [], custom: false, xa: [] }, list: [], active: -1 };
}

/** The framework of one kernel (created at build by the model that needs it). */
export function ioasidSpace(m: Machine, kernel: string): IoasidSpace {
  return m.model(IOASID_MODEL).spaces[kernel];
}

/** Add a kernel's framework (the host's or a guest's), creating the model on first use. */
export function ioasidAddSpace(m: Machine, kernel: string): IoasidSpace {
  const st = m.findModel(IOASID_MODEL) ?? m.addModel(IOASID_MODEL, { spaces: {} });
  return (st.spaces[kernel] ??= ioasidSpaceCreate(kernel));
}

export function activeAllocator(s: IoasidSpace): IoasidAllocator {
  return s.active < 0 ? s.default : s.list[s.active];
}

/** How the active allocator reads in records: "default" or its ops' name. */
export function allocatorName(s: IoasidSpace): string {
  return s.active < 0 ? 'default' : s.list[s.active].ops.name;
}

const sameOps = (a: IoasidOps, b: IoasidOps): boolean => a.alloc === b.alloc && a.free === b.free;

function xaLoad(xa: readonly IoasidData[], id: number): IoasidData | undefined {
  for (const d of xa) {
    if (d.id === id) return d;
    if (d.id > id) return undefined;
  }
  return undefined;
}

/** xa_alloc with XA_LIMIT(min, max) on an XA_FLAGS_ALLOC xarray: the lowest free index, or -1 (-EBUSY). */
export function xaAllocLowest(xa: readonly IoasidData[], min: number, max: number): number {
  let want = min;
  for (const d of xa) {
    if (d.id < want) continue;
    if (d.id > want) break;
    want++;
  }
  return want <= max ? want : -1;
}

function xaInsert(xa: IoasidData[], d: IoasidData): void {
  let i = 0;
  while (i < xa.length && xa[i].id < d.id) i++;
  xa.splice(i, 0, d);
}

function xaErase(xa: IoasidData[], id: number): void {
  const i = xa.findIndex((d) => d.id === id);
  if (i >= 0) xa.splice(i, 1);
}

const log = (m: Machine, level: 'err' | 'warning' | 'info', text: string) => m.emit('klog', { level, text });

/** Who asked, for the records: the device and mm a bind allocates for, or the caller's name. */
export interface IoasidCaller {
  dev?: string;
  mm?: string;
  by: string;
}

/** default_alloc: xa_alloc(XA_LIMIT(min, max)); on failure pr_err and INVALID_IOASID. */
function defaultAlloc(m: Machine, s: IoasidSpace, min: number, max: number, data: IoasidData): number {
  const k = m.kstack.enter(F_DEFAULT_ALLOC, min, max);
  const id = min <= max ? xaAllocLowest(s.default.xa, min, max) : -1;
  if (id < 0) {
    // "%d": an ioasid_t past INT_MAX prints negative.
    log(m, 'err', `Failed to alloc ioasid from ${min | 0} to ${max | 0}`);
    m.kstack.leave(k);
    return INVALID_IOASID;
  }
  data.id = id;
  xaInsert(s.default.xa, data);
  m.kstack.leave(k);
  return id;
}

/**
 * ioasid_alloc(set, min, max, private): the active allocator's alloc; a custom allocator's
 * result is then recorded in its xarray (XA_LIMIT(id, id)), and if that slot is taken the
 * ID goes back through ops->free. Returns the ID or INVALID_IOASID.
 */
export function ioasidAlloc(m: Machine, s: IoasidSpace, set: string | null, min: number, max: number, priv: string | null, who: IoasidCaller): number {
  const k = m.kstack.enter(F_ALLOC, min, max);
  try {
    const data: IoasidData = { id: INVALID_IOASID, set, private: priv, refs: 1 };
    const a = activeAllocator(s);
    const name = allocatorName(s);
    let id: number;
    if (!a.custom) id = defaultAlloc(m, s, min, max, data);
    else id = m.service(ioasidAllocFnKey(a.ops.alloc))(m, s, min, max, a.ops.pdata);
    const record = (result: 'ok' | 'INVALID_IOASID') =>
      m.emit('pasid-alloc', { kernel: s.kernel, fn: 'ioasid_alloc', allocator: name, set: set ?? undefined, min, max, pasid: result === 'ok' ? id : undefined, result, dev: who.dev, mm: who.mm, by: who.by });
    if (id === INVALID_IOASID) {
      // pr_err("Failed ASID allocation %lu\n", active_allocator->flags): the flags, not the ID.
      log(m, 'err', `Failed ASID allocation ${a.custom ? 1 : 0}`);
      record('INVALID_IOASID');
      return INVALID_IOASID;
    }
    if (a.custom) {
      if (xaLoad(a.xa, id)) {
        log(m, 'err', `Failed to alloc ioasid from ${id | 0}`);
        m.service(ioasidFreeFnKey(a.ops.free))(m, s, id, a.ops.pdata);
        record('INVALID_IOASID');
        return INVALID_IOASID;
      }
      data.id = id;
      xaInsert(a.xa, data);
    }
    record('ok');
    return id;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * ioasid_free(ioasid): unknown to the active allocator -> pr_err only; else ops->free (and
 * xa_erase for a custom one). In the refcounted generation the callers' free is ioasid_put.
 */
export function ioasidFree(m: Machine, s: IoasidSpace, id: number, who: IoasidCaller): void {
  if (m.behaviour(IOASID) === 'refcounted') return void ioasidPut(m, s, id, who);
  const k = m.kstack.enter(F_FREE, id);
  release(m, s, id, 'ioasid_free', who);
  m.kstack.leave(k);
}

/** The common tail of ioasid_free / a last ioasid_put: false when the ID is unknown. */
function release(m: Machine, s: IoasidSpace, id: number, fn: 'ioasid_free' | 'ioasid_put', who: IoasidCaller): boolean {
  const a = activeAllocator(s);
  const name = allocatorName(s);
  if (!xaLoad(a.xa, id)) {
    log(m, 'err', `Trying to free unknown IOASID ${id >>> 0}`);
    m.emit('pasid-free', { kernel: s.kernel, fn, allocator: name, pasid: id, result: 'unknown', dev: who.dev, by: who.by });
    return false;
  }
  if (a.custom) {
    m.service(ioasidFreeFnKey(a.ops.free))(m, s, id, a.ops.pdata);
    xaErase(a.xa, id);
  } else xaErase(s.default.xa, id); // default_free: xa_erase + kfree_rcu
  m.emit('pasid-free', { kernel: s.kernel, fn, allocator: name, pasid: id, result: 'ok', dev: who.dev, by: who.by });
  return true;
}

/** The references an ID holds (0: not allocated), for the guest's free path and the views. */
export function ioasidRefs(s: IoasidSpace, id: number): number {
  return xaLoad(activeAllocator(s).xa, id)?.refs ?? 0;
}

/** ioasid_get(ioasid) (refcounted generation): refcount_inc, or WARN_ON(1) for an ID the active allocator lacks. */
export function ioasidGet(m: Machine, s: IoasidSpace, id: number, who: IoasidCaller): void {
  const k = m.kstack.enter(F_GET, id);
  const d = xaLoad(activeAllocator(s).xa, id);
  if (d) d.refs++;
  else log(m, 'warning', `WARNING: CPU: 0 PID: 1 at ${IOASID_C} ioasid_get`);
  m.emit('ioasid', { kernel: s.kernel, op: 'get', pasid: id, result: d ? 0 : -ENOENT, refs: d?.refs, active: allocatorName(s), by: who.by });
  m.kstack.leave(k);
}

/**
 * ioasid_put(ioasid) (refcounted generation): unknown -> "Trying to free unknown IOASID";
 * refcount_dec_and_test: while references remain only the count drops (the free is
 * deferred), at zero the ID is freed as ioasid_free did. Returns whether it was freed.
 */
export function ioasidPut(m: Machine, s: IoasidSpace, id: number, who: IoasidCaller): boolean {
  const k = m.kstack.enter(F_PUT, id);
  try {
    const d = xaLoad(activeAllocator(s).xa, id);
    if (d && d.refs > 1) {
      d.refs--;
      m.emit('ioasid', { kernel: s.kernel, op: 'put', pasid: id, result: 0, refs: d.refs, active: allocatorName(s), by: who.by });
      return false;
    }
    return release(m, s, id, 'ioasid_put', who);
  } finally {
    m.kstack.leave(k);
  }
}

/** What ioasid_find gives: the private pointer (null: NULL), or ERR_PTR(-ENOENT / -EACCES). */
export type IoasidFound = { private: string | null } | { errno: number };

/** ioasid_find(set, ioasid, NULL): in the active allocator's xarray; a set that differs is -EACCES. */
export function ioasidFind(m: Machine, s: IoasidSpace, set: string | null, id: number, who?: IoasidCaller): IoasidFound {
  const k = m.kstack.enter(F_FIND, id);
  const d = xaLoad(activeAllocator(s).xa, id);
  const r: IoasidFound = !d ? { errno: -ENOENT } : set !== null && d.set !== set ? { errno: -EACCES } : { private: d.private };
  if (who) {
    m.emit('ioasid', {
      kernel: s.kernel, op: 'find', pasid: id, set: set ?? undefined, result: 'errno' in r ? r.errno : 0,
      private: 'errno' in r ? undefined : (r.private ?? 'NULL'), active: allocatorName(s), by: who.by,
    });
  }
  m.kstack.leave(k);
  return r;
}

/** ioasid_set_data(ioasid, data): -ENOENT unless the active allocator has it. */
export function ioasidSetData(m: Machine, s: IoasidSpace, id: number, priv: string | null, who: IoasidCaller): number {
  const k = m.kstack.enter(F_SET_DATA, id);
  const d = xaLoad(activeAllocator(s).xa, id);
  if (d) d.private = priv;
  const ret = d ? 0 : -ENOENT;
  m.emit('ioasid', { kernel: s.kernel, op: 'set-data', pasid: id, result: ret, private: d ? (priv ?? 'NULL') : undefined, active: allocatorName(s), by: who.by });
  m.kstack.leave(k);
  return ret;
}

/**
 * ioasid_register_allocator(ops): the first custom allocator takes over only from an empty
 * default (-EAGAIN otherwise); the same ops pointer again is -EEXIST; ops with the same
 * helpers join that allocator's slist and share its xarray; anything else queues, inactive.
 */
export function ioasidRegisterAllocator(m: Machine, s: IoasidSpace, ops: IoasidOps, who: IoasidCaller): number {
  const k = m.kstack.enter(F_REGISTER);
  let ret = 0;
  let how: 'active' | 'queued' | 'shared' | 'refused' = 'refused';
  if (!s.list.length) {
    if (!s.default.xa.length) {
      s.list.push({ ops, slist: [ops], custom: true, xa: [] });
      s.active = 0;
      how = 'active';
    } else {
      log(m, 'warning', 'Default allocator active with outstanding IOASID');
      ret = -EAGAIN;
    }
  } else {
    for (const a of s.list) {
      if (a.ops.name === ops.name) {
        log(m, 'err', 'IOASID allocator already registered');
        ret = -EEXIST;
        break;
      }
      if (sameOps(a.ops, ops)) {
        a.slist.push(ops);
        how = 'shared';
        break;
      }
    }
    if (!ret && how === 'refused') {
      s.list.push({ ops, slist: [ops], custom: true, xa: [] });
      how = 'queued';
    }
  }
  m.emit('ioasid', { kernel: s.kernel, op: 'register', ops: ops.name, fns: `${ops.alloc}/${ops.free}`, result: ret, how, active: allocatorName(s), by: who.by });
  m.kstack.leave(k);
  return ret;
}

/**
 * ioasid_unregister_allocator(ops): the first allocator with the same helpers; if ops is its
 * only user it goes (WARN when IDs remain, orphaned), and the next registered one or the
 * default takes over; otherwise only ops leaves its slist and the IDs stay.
 */
export function ioasidUnregisterAllocator(m: Machine, s: IoasidSpace, ops: IoasidOps, who: IoasidCaller): void {
  const k = m.kstack.enter(F_UNREGISTER);
  let how: 'removed' | 'left-shared' | 'none' = 'none';
  let orphaned = 0;
  if (!s.list.length) log(m, 'warning', 'No custom IOASID allocators active!');
  else {
    const i = s.list.findIndex((a) => sameOps(a.ops, ops));
    if (i >= 0) {
      const a = s.list[i];
      if (a.slist.length === 1) {
        const wasActive = s.active === i;
        s.list.splice(i, 1);
        if (a.xa.length) {
          orphaned = a.xa.length;
          log(m, 'warning', `WARNING: CPU: 0 PID: 1 at ${IOASID_C} ioasid_unregister_allocator`); // WARN_ON(!xa_empty(&pallocator->xa))
        }
        if (!s.list.length) {
          log(m, 'info', 'No custom IOASID allocators, switch to default.');
          s.active = -1;
        } else if (wasActive) {
          s.active = 0;
          log(m, 'info', 'IOASID allocator changed');
        } else if (s.active > i) s.active--;
        how = 'removed';
      } else {
        const j = a.slist.findIndex((o) => o.name === ops.name);
        if (j >= 0) {
          a.slist.splice(j, 1);
          how = 'left-shared';
        }
      }
    }
  }
  m.emit('ioasid', { kernel: s.kernel, op: 'unregister', ops: ops.name, fns: `${ops.alloc}/${ops.free}`, result: 0, how, orphaned: orphaned || undefined, active: allocatorName(s), by: who.by });
  m.kstack.leave(k);
}
