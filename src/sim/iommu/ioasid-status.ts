/**
 * PASID spaces as plain data for the debugger (`info pasid`, `info ioasid`): VT-d's IDR,
 * each kernel's IOASID framework (allocators, which is active, the IDs with set and private
 * data), and the vsva devices bound to guest PASIDs.
 */
import type { Machine } from '../machine.ts';
import { INTEL_PASID_IDR } from './intel/pasid-idr.ts';
import { IOASID_MODEL, allocatorName } from './ioasid.ts';
import { vsvaPasidStatus, type VsvaPasidStatus } from './intel/vsva.ts';

export interface PasidIdStatus {
  id: number;
  set: string | null;
  owner: string | null;
  /** The allocator whose xarray holds it ("default" or a custom ops' name). */
  allocator: string;
  /** References (the refcounted generation; always 1 before it). */
  refs: number;
}

export interface IoasidSpaceStatus {
  kernel: string;
  active: string;
  allocators: { ops: string; fns: string; shared: string[]; ids: number; active: boolean }[];
  ids: PasidIdStatus[];
}

export interface PasidStatusAll {
  idr?: { maxId: number; ids: { id: number; owner: string }[] };
  spaces: IoasidSpaceStatus[];
  bound: VsvaPasidStatus[];
}

export function pasidSpacesStatus(m: Machine): PasidStatusAll {
  const idr = m.findModel(INTEL_PASID_IDR);
  const io = m.findModel(IOASID_MODEL);
  const spaces: IoasidSpaceStatus[] = Object.values(io?.spaces ?? {}).map((s) => {
    const all = [{ a: s.default, name: 'default' }, ...s.list.map((a) => ({ a, name: a.ops.name }))];
    return {
      kernel: s.kernel,
      active: allocatorName(s),
      allocators: s.list.map((a, i) => ({ ops: a.ops.name, fns: `${a.ops.alloc}/${a.ops.free}`, shared: a.slist.map((o) => o.name), ids: a.xa.length, active: s.active === i })),
      ids: all.flatMap(({ a, name }) => a.xa.map((d) => ({ id: d.id, set: d.set, owner: d.private, allocator: name, refs: d.refs }))).sort((x, y) => x.id - y.id),
    };
  });
  return { idr: idr ? { maxId: idr.maxId, ids: idr.ids.map((e) => ({ ...e })) } : undefined, spaces, bound: vsvaPasidStatus(m) };
}
