/**
 * The model slices of the session's view: what the page-table, larb-bus, SWIOTLB, IOTLB
 * and notifier panels render. Each is absent when the scenario has no such model, so its
 * panel stays hidden. Derived from machine state at the current stop, never written back.
 */
import type { TraceRecord } from '../../sim/core/trace.ts';
import { MM_MODEL } from '../../sim/mm/state.ts';
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
import { amdView } from './amd.ts';
import type { AmdView } from './amd-model.ts';

export interface ModelViews {
  readonly pgtable?: PgtableView;
  readonly larb?: LarbView;
  readonly swiotlb?: SwiotlbView;
  readonly iotlb?: IotlbView;
  readonly notifiers?: NotifiersView;
  readonly amd?: AmdView;
}

interface Memo {
  events: number;
  words: PteWords | undefined;
  prevWords: PteWords | undefined;
}
const memos = new WeakMap<Session, Memo>();

/** A numeric field of the stop's record (an address is a number in the record). */
const num = (r: TraceRecord | undefined, field: string): number | undefined => {
  const v = r && fieldValue(r, field);
  return typeof v === 'number' ? v : undefined;
};

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
  if (!memo) memos.set(s, (memo = { events: -1, words: undefined, prevWords: undefined }));
  // "Changed since the last stop": compare with the words seen at the previous position.
  if (memo.events !== events) {
    memo.prevWords = memo.words;
    memo.events = events;
  }
  const stopRecord = s.lastStop.record;
  const walkIova = num(stopRecord, 'iova') ?? num(stopRecord, 'addr');
  const pg = pgtableView(m, memo.prevWords, walkIova);
  if (pg) memo.words = pg.words;
  const larb = larbView(m, num(stopRecord, 'larb'));
  const swiotlb = swiotlbView(m);
  const iotlb = iotlbView(m);
  const notifiers = notifiersView(m, m.hasModel(MM_MODEL) ? lastNotifier(s, m.state.traceCount) : undefined);
  const stopDev = stopRecord && fieldValue(stopRecord, 'dev');
  const amd = amdView(m, typeof stopDev === 'string' ? stopDev : undefined, walkIova ?? num(stopRecord, 'address'));
  return {
    ...(pg ? { pgtable: pg.view } : {}),
    ...(larb ? { larb } : {}),
    ...(swiotlb ? { swiotlb } : {}),
    ...(iotlb ? { iotlb } : {}),
    ...(notifiers ? { notifiers } : {}),
    ...(amd ? { amd } : {}),
  };
}
