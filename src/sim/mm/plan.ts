/**
 * The scheduled mm operations of a scenario, as plain data: one `mm.op` event per entry,
 * carrying the entry's index. Processes are named, so a child created by fork can be the
 * target of a later entry.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { assertNever } from '../core/assert.ts';
import type { VmaKind } from './types.ts';
import { mmByName, mmModel } from './state.ts';
import { mmap, mprotect, mremap, munmap } from './ops.ts';
import { fork, mmCreate } from './fork.ts';
import { cpuRead, cpuWrite } from './fault.ts';
import { ksmMerge } from './ksm.ts';
import { agePages, pageIdle, reclaimPages, testYoung } from './reclaim.ts';
import { exitMmap, oomReap } from './exit.ts';
import { svaBind, svaUnbind } from './sva.ts';
import { mmuNotifierRegister } from './notifier.ts';
import { mmapSemHolder } from './hmm.ts';
import { NOTIFIER_OPS, type NotifierOp } from './types.ts';
import { eventKey } from '../core/keys.ts';
import { type DevMmapArgs, devMmap } from './dev-mmap.ts';

export type MmPlanOp =
  | { op: 'mm_init'; mm: string; notifiers: { name: string; ops: NotifierOp[]; failNonblock: boolean }[] }
  | {
      op: 'mmap'; mm: string; start: number; size: number; write: boolean; kind: VmaKind;
      shared: boolean; file: string; pgoff: number; populate: boolean; fill: number;
    }
  | { op: 'munmap' | 'age' | 'reclaim' | 'page-idle' | 'test-young'; mm: string; start: number; size: number }
  | { op: 'mprotect'; mm: string; start: number; size: number; write: boolean }
  | { op: 'mremap'; mm: string; start: number; oldSize: number; newSize: number; newStart?: number }
  | { op: 'fork'; mm: string; child: string }
  | { op: 'write'; mm: string; va: number; len: number; pattern: number }
  | { op: 'read'; mm: string; va: number; len: number }
  | { op: 'ksm'; mm: string; va: number; withMm: string; withVa: number }
  | { op: 'exit' | 'oom-reap'; mm: string }
  | { op: 'bind'; mm: string; dev: number; omitInvalidateRange: boolean }
  | { op: 'unbind'; mm: string; dev: number }
  | ({ op: 'dev-mmap'; mm: string } & DevMmapArgs);

const MM_OP = eventKey('mm.op');

/** do_fault on a VMA without ->fault (mm/memory.c). */
const SIGBUS_WHY = 'VM_FAULT_SIGBUS: do_fault, no vm_ops->fault and the PTE is none (the VMA was not fully populated on mmap)';

export function mmPlanRegister(m: Machine): void {
  m.on(MM_OP, runPlanOp);
}

/** Add an entry and schedule it at an absolute virtual time (build time is t = 0). */
export function mmPlanSchedule(m: Machine, plan: MmPlanOp[], op: MmPlanOp, atNs: number): void {
  plan.push(op);
  m.schedule(atNs, m.typeOf(MM_OP), plan.length - 1, 0, PRIO.kernel);
}

function fillPages(m: Machine, op: Extract<MmPlanOp, { op: 'mmap' }>, mm: NonNullable<ReturnType<typeof mmByName>>): void {
  for (let va = op.start; va < op.start + op.size; va += 4096) cpuWrite(m, mm, va, new Uint8Array(4096).fill(op.fill));
}

function runPlanOp(m: Machine, index: number): void {
  const op = mmModel(m).plan[index];
  if (op.op === 'mm_init') return initMm(m, op);
  const mm = mmByName(m, op.mm);
  if (!mm || mm.exited) return void m.emit('mm', { op: op.op, mm: op.mm, result: 'ESRCH' });
  const holder = mmapSemHolder(m, mm.id);
  if (holder) return void m.emit('mm', { op: op.op, mm: mm.name, result: `blocked: mmap_sem held for write by ${holder} in hmm_mirror_register` });
  switch (op.op) {
    case 'mmap':
      mmap(m, mm, op);
      if (op.fill >= 0) fillPages(m, op, mm);
      return;
    case 'munmap': return munmap(m, mm, op.start, op.size);
    case 'mprotect': return mprotect(m, mm, op.start, op.size, op.write);
    case 'mremap': return mremap(m, mm, op);
    case 'fork': return void fork(m, mm, op.child);
    case 'write': {
      m.emit('mm', { op: 'cpu-write', mm: mm.name, start: op.va, end: op.va + op.len });
      const r = cpuWrite(m, mm, op.va, new Uint8Array(op.len).fill(op.pattern));
      if (r.how === 'VM_FAULT_SIGBUS') m.emit('mm', { op: 'sigbus', mm: mm.name, start: op.va, reason: SIGBUS_WHY });
      else if (!r.ok) m.emit('mm', { op: 'sigsegv', mm: mm.name, start: op.va, reason: r.how });
      return;
    }
    case 'read': {
      const r = cpuRead(m, mm, op.va, op.len);
      if (r.how === 'VM_FAULT_SIGBUS') m.emit('mm', { op: 'sigbus', mm: mm.name, start: op.va, reason: SIGBUS_WHY });
      else if (!r.ok) m.emit('mm', { op: 'sigsegv', mm: mm.name, start: op.va });
      return;
    }
    case 'dev-mmap': return devMmap(m, mm, op);
    case 'ksm': {
      const other = mmByName(m, op.withMm);
      if (!other) return void m.emit('mm', { op: 'ksm', mm: mm.name, result: 'ESRCH' });
      return ksmMerge(m, mm, op.va, other, op.withVa);
    }
    case 'age': return agePages(m, mm, op.start, op.start + op.size);
    case 'reclaim': return reclaimPages(m, mm, op.start, op.start + op.size);
    case 'page-idle': return pageIdle(m, mm, op.start, op.start + op.size);
    case 'test-young': return testYoung(m, mm, op.start, op.start + op.size);
    case 'exit': return exitMmap(m, mm);
    case 'oom-reap': return oomReap(m, mm);
    case 'bind': return svaBind(m, op.dev, mm, op);
    case 'unbind': return svaUnbind(m, op.dev);
    default: assertNever(op, 'mm op');
  }
}

function initMm(m: Machine, op: Extract<MmPlanOp, { op: 'mm_init' }>): void {
  const mm = mmCreate(m, op.mm);
  m.emit('mm', { op: 'mm_init', mm: mm.name });
  for (const n of op.notifiers) {
    const ops = n.ops.length ? n.ops : [...NOTIFIER_OPS];
    mmuNotifierRegister(m, mm, {
      name: n.name, kind: 'passive', ops, dev: -1, pasid: -1, omitInvalidateRange: false, failNonblock: n.failNonblock,
    });
  }
}
