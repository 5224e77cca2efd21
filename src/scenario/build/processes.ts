/**
 * Processes: the mm model, its handlers and subscriber code, and every scheduled mm
 * operation as a plan entry. Each process is created (with its passive subscribers) and
 * its VMAs mapped by events at t = 0, before any device runs.
 */
import type { Machine } from '../../sim/machine.ts';
import { mmModelCreate } from '../../sim/mm/state.ts';
import { type MmPlanOp, mmPlanRegister, mmPlanSchedule } from '../../sim/mm/plan.ts';
import { subscriberOpsKey, passiveSubscriberOps } from '../../sim/mm/notifier.ts';
import { provideSvaTranslator } from '../../sim/mm/sva.ts';
import { provideAmdIommuV2 } from '../../sim/iommu/amd/iommu-v2.ts';
import { provideIntelSvm } from '../../sim/iommu/intel/svm.ts';
import { assertNever } from '../../sim/core/assert.ts';
import type { MmOpOut } from '../schema/mm.ts';
import type { BuildStep } from './context.ts';

type VmaOut = Extract<MmOpOut, { op: 'mmap' }>;

function mmapOp(mm: string, v: Omit<VmaOut, 'op' | 'at' | 'process'>): MmPlanOp {
  return {
    op: 'mmap', mm, start: v.start, size: v.size, write: v.prot === 'rw', kind: v.kind, shared: v.shared,
    file: v.file ?? '', pgoff: v.pgoff, populate: v.populate, fill: v.fill ?? -1,
  };
}

/** Scenario op -> plan entry; `dev` resolves a device name to its index. */
function planOp(owner: string, o: MmOpOut, dev: (name: string) => number): MmPlanOp {
  const mm = o.process ?? owner;
  switch (o.op) {
    case 'mmap': return mmapOp(mm, o);
    case 'munmap': case 'age': case 'reclaim': case 'page-idle': case 'test-young':
      return { op: o.op, mm, start: o.start, size: o.size };
    case 'mprotect': return { op: 'mprotect', mm, start: o.start, size: o.size, write: o.prot === 'rw' };
    case 'mremap': return { op: 'mremap', mm, start: o.start, oldSize: o.oldSize, newSize: o.newSize, newStart: o.newStart };
    case 'fork': return { op: 'fork', mm, child: o.child };
    case 'write': return { op: 'write', mm, va: o.va, len: o.len, pattern: o.pattern };
    case 'read': return { op: 'read', mm, va: o.va, len: o.len };
    case 'ksm': return { op: 'ksm', mm, va: o.va, withMm: o.with.process ?? mm, withVa: o.with.va };
    case 'exit': case 'oom-reap': return { op: o.op, mm };
    case 'unbind': return { op: 'unbind', mm, dev: dev(o.device) };
    case 'dev-mmap':
      return {
        op: 'dev-mmap', mm, dev: o.device, buffer: o.buffer, start: o.start, size: o.size, pgoff: o.pgoff,
        write: o.prot === 'rw', shared: o.shared, via: o.via,
      };
    default: return assertNever(o, 'mm op');
  }
}

export function provideMmServices(m: Machine): void {
  mmPlanRegister(m);
  m.provide(subscriberOpsKey('passive'), passiveSubscriberOps);
  provideAmdIommuV2(m);
  provideIntelSvm(m);
  provideSvaTranslator(m);
}

export const buildProcesses: BuildStep = ({ m, s }) => {
  if (s.processes.length === 0 && !s.devices.some((d) => d.kind === 'sva-device')) return;
  provideMmServices(m);
  const mdl = mmModelCreate(m);
  const dev = (name: string): number => s.devices.findIndex((d) => d.name === name);
  for (const p of s.processes) {
    mmPlanSchedule(m, mdl.plan, { op: 'mm_init', mm: p.name, notifiers: p.notifiers }, 0);
    for (const v of p.vmas) mmPlanSchedule(m, mdl.plan, mmapOp(p.name, v), 0);
  }
  // Bindings come at their own times (default 0, after the VMAs); then the ops in time order.
  for (const b of s.sva?.bindings ?? []) {
    const op: MmPlanOp = { op: 'bind', mm: b.process, dev: dev(b.device), omitInvalidateRange: b.subscriber.omitInvalidateRange };
    mmPlanSchedule(m, mdl.plan, op, b.at);
  }
  for (const p of s.processes) for (const o of p.ops) mmPlanSchedule(m, mdl.plan, planOp(p.name, o, dev), o.at);
};
