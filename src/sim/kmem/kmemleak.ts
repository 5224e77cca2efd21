/**
 * kmemleak (mm/kmemleak.c, v5.0.1 = v5.4.1) as far as a driver's annotations reach it:
 * slab allocations register an object (kmemleak_alloc from the slab hooks), frees delete
 * it, pages from the page allocator are never registered. kmemleak_ignore() paints an
 * object black; on an address kmemleak does not know, paint_ptr warns with the kernel's
 * text and a stack dump (the klog record's call chain).
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { KMEM_MODEL, type KmemleakObject } from './state.ts';

const KMEMLEAK_C = 'mm/kmemleak.c';
const F_KMEMLEAK_IGNORE = kfunc('kmemleak_ignore', KMEMLEAK_C, ['ptr']);
const F_PAINT_PTR = kfunc('paint_ptr', KMEMLEAK_C, ['ptr', 'color']);
/** KMEMLEAK_BLACK (mm/kmemleak.c): -1, the colour kmemleak_ignore paints. */
const KMEMLEAK_BLACK = -1;

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** The objects, or null when CONFIG_DEBUG_KMEMLEAK is off (every hook is then an empty stub). */
function objects(m: Machine): KmemleakObject[] | null {
  return m.findModel(KMEM_MODEL)?.kmemleak ?? null;
}

/** kmemleak_alloc from kmem_cache_alloc / kmalloc: a new object at `va`. */
export function kmemleakAlloc(m: Machine, va: number, size: number, from: string): void {
  objects(m)?.push({ va, size, black: false, from });
}

/** kmemleak_free from kmem_cache_free / kfree: the object starting at `va` goes. */
export function kmemleakFree(m: Machine, va: number): void {
  const objs = objects(m);
  if (!objs) return;
  const i = objs.findIndex((o) => o.va === va);
  // delete_object_full warns about an unknown pointer only when built with DEBUG.
  if (i >= 0) objs.splice(i, 1);
}

function kmemleakWarn(m: Machine, text: string): void {
  // kmemleak_warn: pr_warn (pr_fmt "kmemleak: ") then dump_stack().
  m.emit('klog', { level: 'warning', text: `kmemleak: ${text}` });
}

/**
 * lookup_object(ptr, alias = 0) as paint_ptr calls it: the object containing ptr, which
 * must start there; an interior pointer warns "Found object by alias" and finds nothing.
 */
function lookupObject(m: Machine, objs: readonly KmemleakObject[], ptr: number): KmemleakObject | undefined {
  const o = objs.find((x) => x.va <= ptr && ptr < x.va + x.size);
  if (!o || o.va === ptr) return o;
  kmemleakWarn(m, `Found object by alias at 0x${hex8(ptr)}`);
  return undefined;
}

/** kmemleak_ignore(ptr) -> make_black_object -> paint_ptr(ptr, KMEMLEAK_BLACK). */
export function kmemleakIgnore(m: Machine, ptr: number): void {
  const objs = objects(m);
  if (!objs || ptr === 0) return;
  const k = m.kstack.enter(F_KMEMLEAK_IGNORE, ptr);
  // make_black_object is a static one-liner the compiler folds away: the chain shows paint_ptr.
  const kp = m.kstack.enter(F_PAINT_PTR, ptr, KMEMLEAK_BLACK);
  const o = lookupObject(m, objs, ptr);
  if (o) o.black = true;
  else kmemleakWarn(m, `Trying to color unknown object at 0x${hex8(ptr)} as Black`);
  m.kstack.leave(kp);
  m.kstack.leave(k);
}
