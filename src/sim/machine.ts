/**
 * The machine: one virtual clock, one event queue, one seeded PRNG, physical memory and
 * every model's state, all as plain data under `state` so that a snapshot is a
 * structuredClone and a restore is an assignment. Behaviour lives in functions that take
 * the machine; handlers are registered by name at build time, in scenario order.
 */
import { assert } from './core/assert.ts';
import { type Prng, prngFromSeed, prngFork } from './core/prng.ts';
import { type EventQueue, queueCreate, queuePop, queuePush } from './core/queue.ts';
import { TraceStore } from './core/trace.ts';
import { KStack } from './core/kstack.ts';
import { type Encoder, encoderOf } from './trace/codec.ts';
import type { FieldsFor, KindName, RecordOf, TraceRecord } from './trace-kinds.ts';
import { type PhysMem, physCreate } from './mem/phys.ts';
import { type PhysAllocator, allocatorCreate } from './mem/alloc.ts';
import { type KernelVersion, behaviourChoice } from './kernel.ts';

export interface MachineConfig {
  readonly scenario: string;
  readonly seed: number;
  readonly kernel: KernelVersion;
  readonly overrides: Readonly<Record<string, string>>;
  readonly dram: readonly { base: number; size: number }[];
}

export interface MachineState {
  now: number; // virtual time, integer ns
  events: number; // events handled so far
  queue: EventQueue;
  prng: Prng;
  mem: PhysMem;
  alloc: PhysAllocator;
  traceCount: number; // records emitted so far == next record's seq
  /** Per-model state, keyed by model name; each model owns its key. */
  models: Record<string, unknown>;
}

export type Handler = (m: Machine, a: number, b: number) => void;

type Watcher = (m: Machine, r: TraceRecord) => void;
interface KindHooks {
  readonly encode: Encoder;
  watchers: Watcher[] | undefined;
}

export interface Snapshot {
  readonly state: MachineState;
  readonly events: number;
  readonly traceCount: number;
}

/** Event priorities at equal times: interrupts before software before device activity. */
export const PRIO = { irq: 0, kernel: 10, device: 20, checker: 30 } as const;

export class Machine {
  state: MachineState;
  readonly config: MachineConfig;
  /** Every record emitted, as its JSON line (tests, `run` and the debugger read it here). */
  readonly trace = new TraceStore();
  /** Records emitted by the event being handled; the debugger matches breakpoints on them. */
  readonly stepRecords: TraceRecord[] = [];
  /** When false, records are built and matched but never encoded nor kept (benchmarks). */
  keepTrace = true;
  /** The kernel call chain the models are inside (`bt`); every record carries its id. */
  readonly kstack = new KStack();
  /** Behaviour registries (translators, DMA ops) keyed by name: code, not state. */
  private readonly services = new Map<string, unknown>();
  /** Checkers that observe records of one kind as they are emitted (code, registered at build). */
  /** Per record kind: its encoder and its watchers, found with one lookup per record. */
  private readonly kinds = new Map<string, KindHooks>();
  private readonly handlers: Handler[] = [];
  private readonly handlerNames: string[] = [];
  /** Called on every schedule: name -> type without a scan. */
  private readonly handlerTypes = new Map<string, number>();

  constructor(config: MachineConfig) {
    this.config = config;
    this.state = {
      now: 0,
      events: 0,
      queue: queueCreate(),
      prng: prngFromSeed(config.seed),
      mem: physCreate(),
      alloc: allocatorCreate(config.dram),
      traceCount: 0,
      models: {},
    };
  }

  /**
   * Register an event handler by name; returns the event type to schedule it with. A name
   * registers once per machine: a second call (another device of the same kind) returns the
   * type the first one got, so models need not remember whether they registered.
   */
  on(name: string, fn: Handler): number {
    const known = this.handlerTypes.get(name);
    if (known !== undefined) return known;
    this.handlers.push(fn);
    this.handlerNames.push(name);
    this.handlerTypes.set(name, this.handlers.length - 1);
    return this.handlers.length - 1;
  }

  /** The event type of a handler registered with on(). */
  typeOf(name: string): number {
    const type = this.handlerTypes.get(name);
    if (type === undefined) assert(false, `no handler ${name}`);
    return type;
  }

  handlerName(type: number): string {
    return this.handlerNames[type];
  }

  provide<T>(name: string, impl: T): void {
    assert(!this.services.has(name), `service ${name} provided twice`);
    this.services.set(name, impl);
  }

  service<T>(name: string): T {
    const s = this.services.get(name);
    if (s === undefined) assert(false, `no service ${name}`); // message built only on failure
    return s as T;
  }

  hasService(name: string): boolean {
    return this.services.has(name);
  }

  /**
   * Call fn with every record of `kind` as it is emitted. Checkers use this to keep their
   * own bookkeeping (in m.state, so it snapshots); they must not emit records of `kind`.
   */
  watch<K extends KindName>(kind: K, fn: (m: Machine, r: RecordOf<K>) => void): void {
    const h = this.hooks(kind);
    if (h.watchers) h.watchers.push(fn as Watcher);
    else h.watchers = [fn as Watcher];
  }

  /** A PRNG stream of the model's own, forked from the root in build order. */
  forkPrng(): Prng {
    return prngFork(this.state.prng);
  }

  model<T>(name: string): T {
    return this.state.models[name] as T;
  }

  hasModel(name: string): boolean {
    return name in this.state.models;
  }

  behaviour(id: string): string {
    return behaviourChoice(this.config.kernel, this.config.overrides, id);
  }

  schedule(delayNs: number, type: number, a = 0, b = 0, prio: number = PRIO.device): void {
    if (!(Number.isSafeInteger(delayNs) && delayNs >= 0)) assert(false, `bad delay ${delayNs}`);
    if (!(type >= 0 && type < this.handlers.length)) assert(false, `unknown event type ${type}`);
    queuePush(this.state.queue, this.state.now + delayNs, prio, type, a, b);
  }

  get pending(): number {
    return this.state.queue.size;
  }

  /**
   * Emit a trace record: the model's fields, typed by the kind's spec (numbers stay numbers;
   * the encoder writes the JSON line). The caller passes a fresh literal, which becomes the
   * record: seq, t and kind are set on it in place rather than copied into a new object.
   */
  emit<K extends KindName>(kind: K, fields: FieldsFor<K>): RecordOf<K> {
    const r = fields as { seq: number; t: number; kind: string; stack: number; frameArgs?: number[][] };
    r.seq = this.state.traceCount++;
    r.t = this.state.now;
    r.kind = kind;
    // Only inside a kernel function: a fourth added property would make V8 grow the record's
    // out-of-object property store a second time (device accesses are emitted at stack 0).
    const stack = this.kstack.cur;
    if (stack !== 0) {
      r.stack = stack;
      if (this.kstack.keepArgs) r.frameArgs = this.kstack.argsNow();
    }
    const rec = r as unknown as TraceRecord;
    this.stepRecords.push(rec);
    const h = this.kinds.get(kind) ?? this.hooks(kind);
    if (h.watchers) for (const fn of h.watchers) fn(this, rec);
    if (this.keepTrace) this.trace.put(rec, h.encode);
    return rec as unknown as RecordOf<K>;
  }

  private hooks(kind: string): KindHooks {
    let h = this.kinds.get(kind);
    if (!h) this.kinds.set(kind, (h = { encode: encoderOf(kind), watchers: undefined }));
    return h;
  }

  /** Handle the next event. Returns false when nothing is left to do. */
  step(): boolean {
    this.stepRecords.length = 0;
    const q = this.state.queue;
    const slot = queuePop(q);
    if (slot < 0) return false;
    const t = q.t[slot];
    assert(t >= this.state.now, 'time went backwards');
    this.state.now = t;
    this.state.events++;
    this.kstack.cur = 0; // every event starts at the scheduler, in no kernel function
    this.handlers[q.type[slot]](this, q.a[slot], q.b[slot]);
    return true;
  }

  snapshot(): Snapshot {
    return { state: structuredClone(this.state), events: this.state.events, traceCount: this.state.traceCount };
  }

  /**
   * Go back to a snapshot. The trace keeps what was recorded: the records a replay emits
   * again are checked against it (see TraceStore), so a diverging replay fails loudly.
   */
  restore(s: Snapshot): void {
    this.state = structuredClone(s.state);
  }
}
