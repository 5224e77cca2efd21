/**
 * The mm model as plain typed data for the debugger (`info notifiers`, `info iotlb`, the
 * notifiers and IOTLB panels): numbers and names, never text, derived from machine state
 * and never references into it.
 */
import type { Machine } from '../machine.ts';
import { DEVICES } from '../devices/device.ts';
import type { SvaDeviceState } from '../devices/sva-device.ts';
import { type AtcEntryStatus, atcEntries } from '../iommu/ats/atc.ts';
import type { NotifierOp, SubscriberKind, VmaKind } from './types.ts';
import { MM_MODEL, mmModel, paOf, pteValue, vaOf } from './state.ts';
import { SVA_MODEL, pasidState } from './pasid.ts';

export interface SubscriberStatus {
  readonly name: string;
  readonly kind: SubscriberKind;
  readonly ops: readonly NotifierOp[];
  readonly pasid: number;
  readonly calls: number;
}

export interface VmaStatus {
  readonly start: number;
  readonly end: number;
  readonly write: boolean;
  readonly kind: VmaKind;
  readonly shared: boolean;
  readonly file: string;
  readonly pgoff: number;
}

export interface CpuPteStatus {
  readonly va: number;
  readonly pa: number; // -1 when not present
  readonly present: boolean;
  readonly write: boolean;
  readonly young: boolean;
  readonly dirty: boolean;
  readonly swap: number;
  /** The x86 PTE word. */
  readonly word: number;
}

export interface MmStatus {
  readonly name: string;
  readonly exited: boolean;
  /** In call order: the newest registration first. */
  readonly subscribers: readonly SubscriberStatus[];
  readonly vmas: readonly VmaStatus[];
  readonly ptes: readonly CpuPteStatus[];
}

/** Every process, in creation order. */
export function mmStatus(m: Machine): MmStatus[] {
  if (!m.hasModel(MM_MODEL)) return [];
  return mmModel(m).mms.map((mm) => ({
    name: mm.name,
    exited: mm.exited,
    subscribers: mm.subscribers.map((s) => ({ name: s.name, kind: s.kind, ops: [...s.ops], pasid: s.pasid, calls: s.calls ?? 0 })),
    vmas: mm.vmas.map((v) => ({
      start: v.start, end: v.end, write: v.write, kind: v.kind, shared: v.shared, file: v.file, pgoff: v.pgoff,
    })),
    ptes: [...mm.ptes.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([vpn, p]) => ({
        va: vaOf(vpn), pa: p.present ? paOf(p.pfn) : -1, present: p.present, write: p.write,
        young: p.young, dirty: p.dirty, swap: p.swap, word: pteValue(p),
      })),
  }));
}

/** Per mm, the subscribers in the order the kernel would call them. */
export function notifierChains(m: Machine): { mm: string; subscribers: SubscriberStatus[] }[] {
  return mmStatus(m).map((v) => ({ mm: v.name, subscribers: [...v.subscribers] }));
}

export interface SvaDeviceStatus {
  readonly dev: string;
  readonly iommu: string;
  /** The bound process, or '' while unbound. */
  readonly mm: string;
  readonly pasid: number;
  readonly atcSize: number;
  readonly atc: readonly AtcEntryStatus[];
  readonly hits: number;
  readonly misses: number;
  readonly pageRequests: number;
  readonly faults: number;
}

export function svaDevicesStatus(m: Machine): SvaDeviceStatus[] {
  const devs = (m.findModel(DEVICES)?.list ?? []).filter((d): d is SvaDeviceState => d.kind === 'sva-device');
  return devs.map((d) => ({
    dev: d.name, iommu: d.iommu, mm: d.mm >= 0 ? mmModel(m).mms[d.mm].name : '', pasid: d.pasid,
    atcSize: d.atc.size, atc: atcEntries(d.atc), hits: d.atc.hits, misses: d.atc.misses,
    pageRequests: d.pageRequests, faults: d.faults,
  }));
}

export interface PasidStatus {
  readonly allocator: string;
  /** The allocator's ID range, inclusive. */
  readonly min: number;
  readonly max: number;
  readonly used: readonly number[];
}

export function pasidStatus(m: Machine): PasidStatus | undefined {
  if (!m.hasModel(SVA_MODEL)) return undefined;
  const st = pasidState(m);
  const r = st.allocator === 'host' ? st.host : st.native;
  return { allocator: st.allocator, min: r.min, max: r.max, used: [...st.used] };
}
