/**
 * The machine: one virtual clock, one event queue, one seeded PRNG, physical memory and
 * every model's state, all as plain data under `state` so that a snapshot is a
 * structuredClone and a restore is an assignment. Behaviour lives in functions that take
 * the machine; handlers are registered by name at build time, in scenario order.
 */
import { assert } from './core/assert.ts';
import { type Prng, prngFromSeed, prngFork } from './core/prng.ts';
import { type EventQueue, T_MAX, queueCreate, queuePop, queuePush } from './core/queue.ts';
import { type TraceRecord, type TraceStore, traceAppendLine, traceCreate, traceTruncate } from './core/trace.ts';
import { type PhysMem, physCreate } from './mem/phys.ts';
import { type PhysAllocator, allocatorCreate } from './mem/alloc.ts';
import { type KernelVersion, behaviourChoice } from './kernel.ts';
import { SimLimitError } from './limits.ts';

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
  readonly trace: TraceStore = traceCreate();
  /** Records emitted by the event being handled; the debugger matches breakpoints on them. */
  readonly stepRecords: TraceRecord[] = [];
  /** When false, records are matched but not kept (benchmarks and `run` to a pipe). */
  keepTrace = true;
  /** Called with each record as it is emitted (the headless run streams through this). */
  onRecord: ((r: TraceRecord, json: string) => void) | undefined;
  /** Behaviour registries (translators, DMA ops) keyed by name: code, not state. */
  private readonly services = new Map<string, unknown>();
  /** Checkers that observe records of one kind as they are emitted (code, registered at build). */
  private readonly watchers = new Map<string, ((m: Machine, r: TraceRecord) => void)[]>();
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
  watch(kind: string, fn: (m: Machine, r: TraceRecord) => void): void {
    const list = this.watchers.get(kind);
    if (list) list.push(fn);
    else this.watchers.set(kind, [fn]);
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
    if (this.state.now + delayNs > T_MAX) throw new SimLimitError(`${this.handlerNames[type]} would run at t=${this.state.now + delayNs} ns, past the virtual time limit (${T_MAX} ns)`);
    queuePush(this.state.queue, this.state.now + delayNs, prio, type, a, b);
  }

  get pending(): number {
    return this.state.queue.size;
  }

  /**
   * Emit a trace record. `seq`, `t` and `kind` come first in the JSON line, then the
   * fields in the order the caller wrote them.
   */
  emit(kind: string, fields: Record<string, unknown>): TraceRecord {
    const seq = this.state.traceCount++;
    const t = this.state.now;
    // Serialise before tagging: the line starts with seq, t and kind, then the fields in the
    // order the caller wrote them. Callers pass a fresh literal, so tagging it in place
    // (instead of copying it into a new object) is safe and halves the cost of a record.
    let json: string | undefined;
    if (this.keepTrace || this.onRecord) {
      const body = JSON.stringify(fields);
      json = `{"seq":${seq},"t":${t},"kind":"${kind}"${body.length > 2 ? ',' + body.slice(1) : '}'}`;
    }
    const r = fields as { seq: number; t: number; kind: string };
    r.seq = seq;
    r.t = t;
    r.kind = kind;
    this.stepRecords.push(r as TraceRecord);
    const w = this.watchers.get(kind);
    if (w) for (const fn of w) fn(this, r as TraceRecord);
    if (json !== undefined) {
      if (this.keepTrace) traceAppendLine(this.trace, json);
      this.onRecord?.(r as TraceRecord, json);
    }
    return r as TraceRecord;
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
    this.handlers[q.type[slot]](this, q.a[slot], q.b[slot]);
    return true;
  }

  snapshot(): Snapshot {
    return { state: structuredClone(this.state), events: this.state.events, traceCount: this.state.traceCount };
  }

  restore(s: Snapshot): void {
    this.state = structuredClone(s.state);
    traceTruncate(this.trace, s.traceCount);
  }
}
