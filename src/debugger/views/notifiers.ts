/** The notifiers panel's view: each mm with its subscribers in call order. */
import type { Machine } from '../../sim/machine.ts';
import { mmStatus } from '../../sim/mm/status.ts';
import { MM_MODEL } from '../../sim/mm/state.ts';
import type { RecordOf } from '../../sim/trace-kinds.ts';
import { fieldText } from '../../sim/trace/codec.ts';
import type { NotifiersView } from './notifiers-model.ts';

export function notifiersView(m: Machine, lastNotifier: RecordOf<'notifier'> | undefined): NotifiersView | undefined {
  if (!m.hasModel(MM_MODEL)) return undefined;
  // The mm model is there before any process: an empty view keeps the panel in place.
  const mms = mmStatus(m);
  return {
    mms: mms.map((v, pid) => ({
      name: v.name,
      pid: pid + 1,
      subscribers: v.subscribers.map((s) => ({ name: s.name, ops: s.ops, calls: s.calls })),
      ...(lastNotifier && lastNotifier.mm === v.name ? { last: `${lastNotifier.op} ${fieldText(lastNotifier, 'start') ?? ''}-${fieldText(lastNotifier, 'end') ?? ''}` } : {}),
    })),
  };
}
