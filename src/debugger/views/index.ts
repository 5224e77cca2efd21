/**
 * The model slices of the session's view: what the page-table, larb-bus, SWIOTLB, IOTLB
 * and notifier panels render. Each is absent when the scenario has no such model, so its
 * panel stays hidden. Derived from machine state at the current stop, never written back.
 */
import type { TraceRecord } from '../../sim/core/trace.ts';
import { MM_MODEL } from '../../sim/mm/state.ts';
import { DEVICES } from '../../sim/devices/device.ts';
import type { RecordOf } from '../../sim/trace-kinds.ts';
import { fieldValue } from '../../sim/trace/codec.ts';
import type { Session } from '../session.ts';
import { type PteWords, pgtableView } from './pgtable.ts';
import { larbView } from './larb.ts';
import { swiotlbView } from './swiotlb.ts';
import { iotlbView } from './iotlb.ts';
import { notifiersView } from './notifiers.ts';
import { type DeviceView, devicesView } from './devices.ts';
import type { PgtableView } from './pgtable-model.ts';
import type { LarbView } from './larb-model.ts';
import type { SwiotlbView } from './swiotlb-model.ts';
import type { IotlbView } from './iotlb-model.ts';
import type { NotifiersView } from './notifiers-model.ts';
import { pciView } from './pci.ts';
import { hmmView } from './hmm.ts';
import type { PciView } from './pci-model.ts';
import type { HmmView } from './hmm-model.ts';
import { vtdView } from './vtd.ts';
import type { VtdView } from './vtd-model.ts';
import { amdView } from './amd.ts';
import type { AmdView } from './amd-model.ts';
import { pasidView } from './pasid.ts';
import type { PasidView } from './pasid-model.ts';
import { type LogLineView, type RegBlockView, logView, mappingsView, registersView } from './kernel-eng.ts';
import type { MappingRow } from '../inspect/mappings.ts';
import { MTK_MODEL } from '../../sim/iommu/mtk/state.ts';
import type { MtkSoc } from '../../sim/smi/plat.ts';

export interface ModelViews {
  readonly pgtable?: PgtableView;
  readonly larb?: LarbView;
  readonly swiotlb?: SwiotlbView;
  readonly iotlb?: IotlbView;
  readonly notifiers?: NotifiersView;
  readonly pci?: PciView;
  readonly hmm?: HmmView;
  readonly pasid?: PasidView;
  readonly vtd?: VtdView;
  readonly amd?: AmdView;
  /** The kernel log up to the position (absent while the kernel printed nothing). */
  readonly klog?: readonly LogLineView[];
  readonly registers?: readonly RegBlockView[];
  readonly mappings?: readonly MappingRow[];
  /** The M4U's SoC: the Timeline names ports by their dt-binding names. */
  readonly m4uSoc?: MtkSoc;
}

interface Memo {
  /** The position the words were read at: events and records (a record stop moves only the latter). */
  events: number;
  records: number;
  words: PteWords | undefined;
  prevWords: PteWords | undefined;
}
const memos = new WeakMap<Session, Memo>();

/** A numeric field of the stop's record (an address is a number in the record). */
const num = (r: TraceRecord | undefined, field: string): number | undefined => {
  const v = r && fieldValue(r, field);
  return typeof v === 'number' ? v : undefined;
};

/** The larb of the stop's record: its own field, else its device's (a dma access names no larb). */
function larbOf(m: Session['machine'], r: TraceRecord | undefined): number | undefined {
  const own = num(r, 'larb');
  if (own !== undefined || !r) return own;
  const dev = fieldValue(r, 'dev');
  const d = dev === undefined ? undefined : (m.findModel(DEVICES)?.list.find((x) => x.name === dev) as { larb?: number } | undefined);
  return typeof d?.larb === 'number' ? d.larb : undefined;
}

/** The newest `notifier` record at or before the current position (looking back a little). */
function lastNotifier(s: Session, records: number): RecordOf<'notifier'> | undefined {
  const from = Math.max(0, records - 256);
  const recent = s.records(from, records - from);
  for (let i = recent.length - 1; i >= 0; i--) {
    const r = recent[i];
    if (r.kind === 'notifier') return r;
  }
  return undefined;
}

/** The devices panel's list at the session's current position. */
export function sessionDevices(s: Session): DeviceView[] {
  return devicesView(s.machine);
}

export function modelViews(s: Session): ModelViews {
  const m = s.machine;
  const events = m.state.events;
  let memo = memos.get(s);
  if (!memo) memos.set(s, (memo = { events: -1, records: -1, words: undefined, prevWords: undefined }));
  // "Changed since the last stop": compare with the words seen at the previous position.
  if (memo.events !== events || memo.records !== m.state.traceCount) {
    memo.prevWords = memo.words;
    memo.events = events;
    memo.records = m.state.traceCount;
  }
  const stopRecord = s.lastStop.record;
  const walkIova = num(stopRecord, 'iova') ?? num(stopRecord, 'addr');
  const pg = pgtableView(m, memo.prevWords, walkIova);
  if (pg) memo.words = pg.words;
  const larb = larbView(m, larbOf(m, stopRecord));
  const swiotlb = swiotlbView(m);
  const iotlb = iotlbView(m);
  const notifiers = notifiersView(m, m.hasModel(MM_MODEL) ? lastNotifier(s, m.state.traceCount) : undefined);
  const pci = pciView(m, stopRecord);
  const hmm = hmmView(m);
  const pasid = pasidView(m, (from, count) => s.records(from, count));
  const dev = stopRecord && fieldValue(stopRecord, 'dev');
  const vtd = vtdView(m, typeof dev === 'string' ? dev : undefined, walkIova);
  const amd = amdView(m, typeof dev === 'string' ? dev : undefined, walkIova ?? num(stopRecord, 'address'));
  const klog = logView(s, s.position + (s.at !== undefined ? 1 : 0));
  const registers = registersView(s);
  const mappings = mappingsView(s);
  const m4uSoc = m.findModel(MTK_MODEL)?.soc;
  return {
    ...(m4uSoc ? { m4uSoc } : {}),
    ...(klog ? { klog } : {}),
    ...(registers ? { registers } : {}),
    ...(mappings ? { mappings } : {}),
    ...(pg ? { pgtable: pg.view } : {}),
    ...(larb ? { larb } : {}),
    ...(swiotlb ? { swiotlb } : {}),
    ...(iotlb ? { iotlb } : {}),
    ...(notifiers ? { notifiers } : {}),
    ...(pci ? { pci } : {}),
    ...(hmm ? { hmm } : {}),
    ...(pasid ? { pasid } : {}),
    ...(vtd ? { vtd } : {}),
    ...(amd ? { amd } : {}),
  };
}
