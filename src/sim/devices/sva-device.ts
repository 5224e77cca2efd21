/**
 * A device that shares a process's address space (SVA): it streams reads and writes to
 * process virtual addresses under its PASID, translating through its ATC (device IOTLB)
 * and, on a miss, the IOMMU's walk of the CPU page table. Timing jitter comes from its
 * own PRNG stream, so seeds interleave it differently with the scheduled mm operations.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import type { Prng } from '../core/prng.ts';
import { intBetween } from '../core/prng.ts';
import type { AtcState } from '../iommu/ats/atc.ts';
import { type DeviceBase, DEVICES } from './device.ts';
import { deviceRead, deviceWrite } from './port.ts';
import { workloadNext } from './workload.ts';
import { eventKey } from '../core/keys.ts';

export type SvaIommuKind = 'amd-v2' | 'intel-svm';

export type SvaOp =
  | { op: 'read'; va: number; len: number }
  | { op: 'write'; va: number; len: number; pattern: number }
  | { op: 'delay'; ns: number };

export interface SvaDeviceState extends DeviceBase {
  kind: 'sva-device';
  iommu: SvaIommuKind;
  /** Bound mm id and PASID; -1 while unbound. */
  mm: number;
  pasid: number;
  /** PCI requester id (bus:dev.fn) and ATS invalidate queue depth, for the descriptors. */
  devid: number;
  qdep: number;
  /** intel-svm: pci_max_pasids() (intel_svm_bind_mm allocates below it). */
  maxPasids: number;
  domainId: number;
  atc: AtcState;
  ops: SvaOp[];
  pc: number;
  round: number;
  repeat: number;
  periodNs: number;
  jitterNs: number;
  prng: Prng;
  pageRequests: number;
  faults: number;
}

const STEP = eventKey('sva-device.step');

export function svaDeviceRegister(m: Machine): void {
  m.on(STEP, svaDeviceStep);
}

export function svaDeviceStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.typeOf(STEP), index, 0, PRIO.device);
}

function svaDeviceStep(m: Machine, index: number): void {
  const dev = m.model(DEVICES).list[index] as SvaDeviceState;
  const op = dev.ops[dev.pc];
  let delay = 0;
  if (op.op === 'read') deviceRead(m, dev, op.va, op.len);
  else if (op.op === 'write') deviceWrite(m, dev, op.va, new Uint8Array(op.len).fill(op.pattern));
  else delay = op.ns;
  const next = workloadNext(m, dev, dev.ops.length, delay, 1);
  if (next === undefined) return;
  m.schedule(next, m.typeOf(STEP), index, 0, PRIO.device);
}
