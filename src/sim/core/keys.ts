/**
 * Typed keys for the machine's registries. A model's state, a service (code one layer
 * calls in another: translators, DMA ops, IOMMU ops, notifier subscribers) and an event
 * handler are each looked up by a key object declared once at module level, so a lookup
 * returns its own type with no cast at the call site and a misspelt name cannot compile.
 *
 * Key names are unique per kind across the program: declaring a second key with a name
 * already taken throws when the module loads. The names are what `m.state.models` is
 * keyed by (so snapshots stay plain data) and what errors print.
 */

/** The state a model keeps in `m.state.models[name]`. */
export interface ModelKey<T> {
  readonly keyOf: 'model';
  readonly name: string;
  /** Index of the model in a machine's slot table (Machine.model is one array load). */
  readonly slot: number;
  /** Phantom: carries T, never set. */
  readonly __state?: T;
}

/** Code provided once per machine under this key. */
export interface ServiceKey<T> {
  readonly keyOf: 'service';
  readonly name: string;
  /** Phantom: carries T, never set. */
  readonly __service?: T;
}

/** An event handler; `m.on(key, fn)` registers it, `m.typeOf(key)` schedules it. */
export interface EventKey {
  readonly keyOf: 'event';
  readonly name: string;
}

const taken = { model: new Set<string>(), service: new Set<string>(), event: new Set<string>() };

function claim(kind: keyof typeof taken, name: string): void {
  if (taken[kind].has(name)) throw new Error(`${kind} key "${name}" declared twice`);
  taken[kind].add(name);
}

const modelSlots = new Map<string, number>();

export function modelKey<T>(name: string): ModelKey<T> {
  claim('model', name);
  const slot = modelSlots.size;
  modelSlots.set(name, slot);
  return { keyOf: 'model', name, slot };
}

/** The slot of the model key named `name` (a restored state names its models). */
export function modelSlotOf(name: string): number {
  const slot = modelSlots.get(name);
  if (slot === undefined) throw new Error(`no model key "${name}"`);
  return slot;
}

export function serviceKey<T>(name: string): ServiceKey<T> {
  claim('service', name);
  return { keyOf: 'service', name };
}

export function eventKey(name: string): EventKey {
  claim('event', name);
  return { keyOf: 'event', name };
}

/**
 * A family of services of one type told apart by a name that lives in plain state (a
 * device's `translator: "mtk"`, its `dmaOps: "dma-direct"`). `family(name)` returns the
 * same key object for the same name every time, named `${prefix}:${name}`.
 */
export function serviceFamily<T>(prefix: string): (name: string) => ServiceKey<T> {
  claim('service', `${prefix}:*`);
  const keys = new Map<string, ServiceKey<T>>();
  return (name) => {
    let k = keys.get(name);
    if (!k) keys.set(name, (k = { keyOf: 'service', name: `${prefix}:${name}` }));
    return k;
  };
}
