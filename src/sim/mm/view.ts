/**
 * Read-only views of the mm model for the debugger (`info notifiers`) and the TUI panels:
 * plain data derived from machine state, never references into it.
 */
import type { Machine } from '../machine.ts';
import { DEVICES } from '../devices/device.ts';
import type { SvaDeviceState } from '../devices/sva-device.ts';
import { type AtcEntryView, atcEntries } from '../iommu/ats/atc.ts';
import type { NotifierOp, VmaKind } from './types.ts';
import { MM_MODEL, mmModel, paOf, pteWord, vaOf } from './state.ts';
import { SVA_MODEL, pasidState } from './pasid.ts';

export interface SubscriberView {
  readonly name: string;
  readonly kind: string;
  readonly ops: readonly NotifierOp[];
  readonly pasid: number;
  readonly calls: number;
}

export interface VmaView {
  readonly start: number;
  readonly end: number;
  readonly prot: 'r' | 'rw';
  readonly kind: VmaKind;
  readonly shared: boolean;
  readonly file: string;
  readonly pgoff: number;
}

export interface PteView {
  readonly va: number;
  readonly pa: number; // -1 when not present
  readonly present: boolean;
  readonly write: boolean;
  readonly young: boolean;
  readonly dirty: boolean;
  readonly swap: number;
  readonly word: string;
}

export interface MmView {
  readonly name: string;
  readonly exited: boolean;
  /** In call order: the newest registration first. */
  readonly subscribers: readonly SubscriberView[];
  readonly vmas: readonly VmaView[];
  readonly ptes: readonly PteView[];
}

export function mmViews(m: Machine): MmView[] {
  if (!m.hasModel(MM_MODEL)) return [];
  return mmModel(m).mms.map((mm) => ({
    name: mm.name,
    exited: mm.exited,
    subscribers: mm.subscribers.map((s) => ({ name: s.name, kind: s.kind, ops: [...s.ops], pasid: s.pasid, calls: s.calls ?? 0 })),
    vmas: mm.vmas.map((v) => ({
      start: v.start, end: v.end, prot: v.write ? 'rw' : 'r', kind: v.kind, shared: v.shared, file: v.file, pgoff: v.pgoff,
    })),
    ptes: [...mm.ptes.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([vpn, p]) => ({
        va: vaOf(vpn), pa: p.present ? paOf(p.pfn) : -1, present: p.present, write: p.write,
        young: p.young, dirty: p.dirty, swap: p.swap, word: pteWord(p),
      })),
  }));
}

/** `info notifiers`: per mm, the subscribers in the order the kernel would call them. */
export function notifierChains(m: Machine): { mm: string; subscribers: SubscriberView[] }[] {
  return mmViews(m).map((v) => ({ mm: v.name, subscribers: [...v.subscribers] }));
}

export interface SvaDeviceView {
  readonly dev: string;
  readonly iommu: string;
  readonly mm: string;
  readonly pasid: number;
  readonly atcSize: number;
  readonly atc: readonly AtcEntryView[];
  readonly hits: number;
  readonly misses: number;
  readonly pageRequests: number;
  readonly faults: number;
}

export function svaDeviceViews(m: Machine): SvaDeviceView[] {
  const devs = (m.findModel(DEVICES)?.list ?? []).filter((d): d is SvaDeviceState => d.kind === 'sva-device');
  return devs.map((d) => ({
    dev: d.name, iommu: d.iommu, mm: d.mm >= 0 ? mmModel(m).mms[d.mm].name : '', pasid: d.pasid,
    atcSize: d.atc.size, atc: atcEntries(d.atc), hits: d.atc.hits, misses: d.atc.misses,
    pageRequests: d.pageRequests, faults: d.faults,
  }));
}

export function pasidView(m: Machine): { allocator: string; range: string; used: number[] } | undefined {
  if (!m.hasModel(SVA_MODEL)) return undefined;
  const st = pasidState(m);
  const r = st.allocator === 'host' ? st.host : st.native;
  return { allocator: st.allocator, range: `[${r.min}, ${r.max}]`, used: [...st.used] };
}
