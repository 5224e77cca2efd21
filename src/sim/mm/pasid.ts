/**
 * PASID allocation (drivers/iommu/ioasid.c in v5.4; an IDR per driver in v5.0): the
 * lowest free ID in [min, max]. A custom allocator can take over, as a paravirtual
 * guest's VT-d driver registers one that asks its host over the virtual command
 * interface (ioasid_register_allocator); the host hands out IDs from its own range.
 */
import type { Machine } from '../machine.ts';
import { modelKey } from '../core/keys.ts';

export interface PasidRange {
  min: number;
  max: number; // inclusive
}

export interface PasidState {
  allocator: 'native' | 'host';
  native: PasidRange;
  host: PasidRange;
  used: number[]; // allocated IDs, sorted
}

export const SVA_MODEL = modelKey<PasidState>('sva');

export function pasidState(m: Machine): PasidState {
  return m.model(SVA_MODEL);
}

function lowestFree(used: readonly number[], r: PasidRange): number {
  let want = r.min;
  for (const id of used) {
    if (id < want) continue;
    if (id > want) break;
    want++;
  }
  return want <= r.max ? want : -1;
}

/** ioasid_alloc: -1 (ENOSPC) when the range is full. */
export function pasidAlloc(m: Machine, who: { dev: string; mm: string }): number {
  const st = pasidState(m);
  const r = st.allocator === 'host' ? st.host : st.native;
  const pasid = lowestFree(st.used, r);
  const range = { min: r.min, max: r.max };
  if (pasid < 0) {
    m.emit('pasid', { op: 'alloc', dev: who.dev, mm: who.mm, allocator: st.allocator, range, result: 'ENOSPC' });
    return -1;
  }
  st.used.push(pasid);
  st.used.sort((a, b) => a - b);
  m.emit('pasid', { op: 'alloc', pasid, dev: who.dev, mm: who.mm, allocator: st.allocator, range, result: 'ok' });
  return pasid;
}

export function pasidFree(m: Machine, pasid: number, who: { dev: string; mm: string }): void {
  const st = pasidState(m);
  st.used = st.used.filter((x) => x !== pasid);
  m.emit('pasid', { op: 'free', pasid, dev: who.dev, mm: who.mm, allocator: st.allocator });
}
