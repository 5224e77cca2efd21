/**
 * View model of the notifiers panel: each mm and its mmu-notifier subscribers.
 *
 * Wiring (lead, at merge): the debugger lists the mm model's processes with their
 * subscribers (name, ops they implement, calls so far) and the last `notifier` record.
 */
export interface SubscriberView {
  readonly name: string;
  readonly ops: readonly string[];
  readonly calls: number;
}

export interface MmView {
  readonly name: string;
  readonly pid: number;
  readonly subscribers: readonly SubscriberView[];
  /** The last notifier call on this mm: "invalidate_range_start 0x1000-0x3000". */
  readonly last?: string;
}

export interface NotifiersView {
  readonly mms: readonly MmView[];
}
