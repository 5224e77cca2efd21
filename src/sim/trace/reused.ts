/**
 * Reused record objects for the `map` and `unmap` kinds: every DMA API and iommu_map /
 * iommu_unmap call emits one, and in a headless run or the debugger's recording it only goes
 * into the trace store (Machine.reuses). A call site checks `m.reuses('map')` and fills the
 * one object here instead of allocating a literal per record; otherwise it emits its literal
 * as ever. Every field is present from the start (undefined when absent), so the object and
 * the kind's encoder keep one shape.
 */
import type { Machine } from '../machine.ts';
import type { FieldsFor } from '../trace-kinds.ts';

/** Every field of the kind present (optional ones as undefined), plus what emitReused sets. */
type Filled<K extends 'map' | 'unmap'> = { [F in keyof Required<FieldsFor<K>>]: FieldsFor<K>[F] | undefined } & { seq: number; t: number; kind: K };

const mapRec: Filled<'map'> = {
  seq: 0, t: 0, kind: 'map', api: '', dev: undefined, domain: undefined, iova: undefined, pa: undefined, size: 0, dir: undefined, prot: undefined, result: 'ok', reason: undefined,
};
const unmapRec: Filled<'unmap'> = { seq: 0, t: 0, kind: 'unmap', api: '', dev: undefined, domain: undefined, iova: 0, size: 0, dir: undefined, reason: undefined };

/** A `map` record from the reused object (the caller checked m.reuses('map')). */
export function emitMapReused(
  m: Machine,
  api: string,
  dev: string | undefined,
  domain: string | undefined,
  iova: number | undefined,
  pa: number | undefined,
  size: number,
  dir: FieldsFor<'map'>['dir'],
  prot: string | undefined,
  result: FieldsFor<'map'>['result'],
  reason: string | undefined,
): void {
  const r = mapRec;
  r.api = api;
  r.dev = dev;
  r.domain = domain;
  r.iova = iova;
  r.pa = pa;
  r.size = size;
  r.dir = dir;
  r.prot = prot;
  r.result = result;
  r.reason = reason;
  m.emitReused('map', r as FieldsFor<'map'>);
}

/** An `unmap` record from the reused object (the caller checked m.reuses('unmap')). */
export function emitUnmapReused(
  m: Machine,
  api: string,
  dev: string | undefined,
  domain: string | undefined,
  iova: number,
  size: number,
  dir: FieldsFor<'unmap'>['dir'],
  reason: string | undefined,
): void {
  const r = unmapRec;
  r.api = api;
  r.dev = dev;
  r.domain = domain;
  r.iova = iova;
  r.size = size;
  r.dir = dir;
  r.reason = reason;
  m.emitReused('unmap', r as FieldsFor<'unmap'>);
}
