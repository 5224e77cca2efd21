/**
 * The machine: one virtual clock, one event queue, one seeded PRNG, physical memory and
 * every model's state, all as plain data under `state` so that a snapshot is the state
 * serialised (src/debugger/checkpoints.ts) and a restore is an assignment. Behaviour
 * lives in functions that take the machine; models, services and handlers are registered
 * at build time, in scenario order, under typed keys (core/keys.ts), each exactly once.
 */
import { assert } from './core/assert.ts';
import { type Prng, prngFromSeed, prngFork } from './core/prng.ts';
import { type EventQueue, T_MAX, queueCreate, queuePop, queuePush } from './core/queue.ts';
import { TraceStore } from './core/trace.ts';
import { KStack } from './core/kstack.ts';
import { type Encoder, encoderOf } from './trace/codec.ts';
import { type FieldsFor, type KindName, type RecordOf, type TraceRecord, TRACE_KIND_NAMES } from './trace-kinds.ts';
import { type PhysMem, physCreate } from './mem/phys.ts';
import { type PhysAllocator, allocatorCreate } from './mem/alloc.ts';
import { type Behaviour, type KernelVersion, resolveBehaviours } from './kernel.ts';
import { type EventKey, type ModelKey, type ServiceKey, modelSlotOf } from './core/keys.ts';
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
  /** Per-model state, keyed by ModelKey name; each model owns its key (addModel/model). */
  models: Record<string, unknown>;
}

/**
 * An event handler: a module-level function. The instance it serves (a device index, an
 * M4U id) travels in `a`/`b`, never in a closure, so two instances of a model share one
 * registration and each event reaches the instance it names.
 */
export type Handler = (m: Machine, a: number, b: number) => void;

type Watcher = (m: Machine, r: TraceRecord) => void;
interface KindHooks {
  /** Looked up at the kind's first record (encoders compile on first use). */
  encode: Encoder | undefined;
  watchers: Watcher[] | undefined;
}

/**
 * Thrown by emit() when the debugger's halt test says "stop right after this record", and
 * caught by step(): the event's handler is abandoned there, leaving the machine exactly as
 * it was when the record was emitted. Models never catch it (they catch nothing at all).
 */
const HALT: unique symbol = Symbol('halt');

export interface Snapshot {
  readonly state: MachineState;
  readonly events: number;
  readonly traceCount: number;
}

/*
 * The per-kind tables are object literals with one property per record kind, from generated
 * code: 82 properties added one by one put an object in dictionary mode, and every
 * `m.quiet.dma` or hook load was a hash lookup. A literal keeps fast properties, in one order.
 */

/** Every kind's encoder and (later) watchers: emit finds them with one property load. */
const hooksTable = new Function(
  `return {${TRACE_KIND_NAMES.map((k) => `${JSON.stringify(k)}: { encode: undefined, watchers: undefined }`).join(', ')}};`,
) as () => Record<KindName, KindHooks>;

/** Every kind false: the fast-forward flags. A machine is built per swarm seed: no keyed stores. */
const quietTable = new Function(`return {${TRACE_KIND_NAMES.map((k) => `${JSON.stringify(k)}: false`).join(', ')}};`) as () => Record<KindName, boolean>;

/**
 * quiet[k] = quietOf(k) for every kind, as one store per kind with its name in the code (a
 * loop storing by a varying key was a megamorphic store per kind, per fastForward call).
 */
const setQuiet = new Function(
  'q',
  'quietOf',
  TRACE_KIND_NAMES.map((k) => `q[${JSON.stringify(k)}] = quietOf(${JSON.stringify(k)});`).join('\n'),
) as (q: Record<KindName, boolean>, quietOf: (k: KindName) => boolean) => void;

function noModel(key: ModelKey<unknown>): never {
  assert(false, `no model ${key.name} in this machine`);
}

/** How many of the kinds emitted last keep their hooks at hand (see Machine.recentHooks). */
const RECENT_KINDS = 8;

/** Event priorities at equal times: interrupts before software before device activity. */
export const PRIO = { irq: 0, kernel: 10, device: 20, checker: 30 } as const;

export class Machine {
  state: MachineState;
  readonly config: MachineConfig;
  /** Every record emitted, as its JSON line (tests, `run` and the debugger read it here). */
  readonly trace = new TraceStore();
  /**
   * Records emitted by the event being handled, as objects. The ones emitted from a reused
   * record (emitReused) exist only as their lines in the trace store until this is read:
   * they are decoded then, in seq order among the others.
   */
  get stepRecords(): TraceRecord[] {
    if (this.stepReused) this.stepMaterialize();
    return this.stepObjs;
  }
  /** The step's records emitted as objects (all of them unless stepReused). */
  private stepObjs: TraceRecord[] = [];
  /** Seq of the step's first record. */
  private stepFirst = 0;
  /** A record of this step was encoded from a reused object: stepObjs lacks it. */
  private stepReused = false;
  /** When false, records are built and matched but never encoded nor kept (benchmarks). */
  get keepTrace(): boolean {
    return this.keep;
  }
  set keepTrace(on: boolean) {
    this.keep = on;
    this.reusing = this.mayReuse();
  }
  private keep = true;
  /**
   * Per record kind: true while fast-forwarding and nothing needs records of that kind (see
   * fastForward). A call site on a hot path checks it and calls skip() instead of building
   * the record: `if (m.quiet.dma) m.skip(); else m.emit('dma', {...})`. Every kind is a
   * property from the start, so the check is one monomorphic load.
   */
  readonly quiet: Record<KindName, boolean> = quietTable();
  /** Fast-forward is on: nothing is kept in the trace store, quiet kinds are not even built. */
  private ff = false;
  /**
   * The debugger's halt test, called with every record once it is kept: true halts the
   * machine right after that record (see `halted`). Code, not state: a snapshot never holds it.
   */
  get haltTest(): ((r: TraceRecord) => boolean) | undefined {
    return this.halter;
  }
  set haltTest(test: ((r: TraceRecord) => boolean) | undefined) {
    this.halter = test;
    this.reusing = this.mayReuse();
  }
  private halter: ((r: TraceRecord) => boolean) | undefined = undefined;
  /**
   * What reuses() asks of the machine as a whole (kept, not fast-forwarding, no halt test),
   * as one flag: reuses() runs on every DMA access, and these were four loads there.
   */
  private reusing = true;
  /** Kinds some checker watches: none (most scenarios), and reuses() looks no kind up. */
  private watchedKinds = 0;
  /** Those kinds, in the order they were first watched. */
  private readonly watchedList: KindName[] = [];
  /** The kinds emitted last and their hooks (see recentHooks). */
  private readonly recentKinds: string[] = new Array<string>(RECENT_KINDS).fill('');
  private readonly recentKindHooks: KindHooks[] = new Array<KindHooks>(RECENT_KINDS);
  private recentNext = 0;
  /**
   * The last step() stopped inside its event, right after the record the halt test chose.
   * The machine is then read-only: step() refuses until restore() puts a snapshot back.
   */
  halted = false;
  /** The kernel call chain the models are inside (`bt`); every record carries its id. */
  readonly kstack = new KStack();
  /** Services (translators, DMA ops, IOMMU ops) by key: code, not state. */
  private readonly services = new Map<ServiceKey<unknown>, unknown>();
  /** Checkers that observe records of one kind as they are emitted (code, registered at build). */
  /** Per record kind: its encoder and its watchers, found with one lookup per record. */
  private readonly kinds: Record<KindName, KindHooks> = hooksTable();
  private readonly handlers: Handler[] = [];
  private readonly handlerNames: string[] = [];
  /** Called on every schedule: key -> type without a scan. */
  private readonly handlerTypes = new Map<EventKey, number>();
  /** Every behaviour row's choice for this kernel and these overrides, by row index. */
  private readonly choices: readonly string[];
  /** state.models by ModelKey slot, rebuilt at restore: a model lookup is one array load. */
  private slots: unknown[] = [];

  constructor(config: MachineConfig) {
    this.config = config;
    this.state = {
      now: 0,
      events: 0,
      // Small: every snapshot serialises the queue's arrays whole, and a few events are
      // pending at a time (they double when needed).
      queue: queueCreate(64),
      prng: prngFromSeed(config.seed),
      mem: physCreate(),
      alloc: allocatorCreate(config.dram),
      traceCount: 0,
      models: {},
    };
    this.choices = resolveBehaviours(config.kernel, config.overrides);
  }

  /**
   * Register an event handler; returns the event type to schedule it with. Each key
   * registers once per machine: a model with several instances registers at build, once,
   * and its events carry the instance in `a`.
   */
  on(key: EventKey, fn: Handler): number {
    if (this.handlerTypes.has(key)) assert(false, `event handler ${key.name} registered twice`);
    if (this.handlerNames.includes(key.name)) assert(false, `two event keys named ${key.name}`);
    this.handlers.push(fn);
    this.handlerNames.push(key.name);
    this.handlerTypes.set(key, this.handlers.length - 1);
    return this.handlers.length - 1;
  }

  /** The event type of a handler registered with on(). */
  typeOf(key: EventKey): number {
    const type = this.handlerTypes.get(key);
    if (type === undefined) assert(false, `no handler ${key.name}`);
    return type;
  }

  handlerName(type: number): string {
    return this.handlerNames[type];
  }

  /** Provide a service; a key is provided once per machine. */
  provide<T>(key: ServiceKey<T>, impl: T): void {
    if (this.services.has(key)) assert(false, `service ${key.name} provided twice`);
    this.services.set(key, impl);
  }

  /** Whether some model provided the service (an optional hook another layer may fill). */
  hasService<T>(key: ServiceKey<T>): boolean {
    return this.services.has(key);
  }

  service<T>(key: ServiceKey<T>): T {
    const s = this.services.get(key);
    if (s === undefined) assert(false, `no service ${key.name}`); // message built only on failure
    return s as T;
  }

  /**
   * Call fn with every record of `kind` as it is emitted. Checkers use this to keep their
   * own bookkeeping (in m.state, so it snapshots); they must not emit records of `kind`.
   */
  watch<K extends KindName>(kind: K, fn: (m: Machine, r: RecordOf<K>) => void): void {
    const h = this.hooks(kind);
    if (h.watchers) h.watchers.push(fn as Watcher);
    else {
      h.watchers = [fn as Watcher];
      this.watchedKinds++;
      this.watchedList.push(kind);
    }
    this.quiet[kind] = false;
  }

  /**
   * Fast-forward: records are numbered as ever (every seq is used up, so the records that
   * are built, and the state that remembers seqs, are exactly as in a normal run) but none is
   * kept in the trace store, and a record of a kind nothing needs is not built at all: quiet
   * call sites skip() it, others emit() it and it is dropped at once. A kind is needed when a
   * checker watches it (its bookkeeping is machine state: skipping it would change the run)
   * or when `needs(kind)` says so (the debugger's breakpoints and log points: such records
   * still reach haltTest). The debugger fills the records skipped later, by replaying.
   */
  fastForward(on: boolean, needs?: (kind: KindName) => boolean): void {
    this.ff = on;
    this.reusing = this.mayReuse();
    if (!on) setQuiet(this.quiet, () => false);
    else {
      // Quiet unless needed, then the few watched kinds back on (no hook looked up per kind).
      setQuiet(this.quiet, needs ? (k) => !needs(k) : () => true);
      for (const k of this.watchedList) this.quiet[k] = false;
    }
  }

  get fastForwarding(): boolean {
    return this.ff;
  }

  /** A quiet record, counted but not built (fast-forward): its seq is used up. */
  skip(): void {
    this.state.traceCount++;
  }

  /** A PRNG stream of the model's own, forked from the root in build order. */
  forkPrng(): Prng {
    return prngFork(this.state.prng);
  }

  /** Add a model's state (at build); a key is added once per machine. Returns the state. */
  addModel<T>(key: ModelKey<T>, state: T): T {
    if (key.name in this.state.models) assert(false, `model ${key.name} added twice`);
    this.state.models[key.name] = state;
    this.slots[key.slot] = state;
    return state;
  }

  /** A model's state; the model must be in this machine (findModel when it may not be). */
  model<T>(key: ModelKey<T>): T {
    const s = this.slots[key.slot];
    if (s === undefined) noModel(key); // out of line: model() stays small enough to inline
    return s as T;
  }

  /** A model's state, or undefined when the scenario has no such model. */
  findModel<T>(key: ModelKey<T>): T | undefined {
    return this.slots[key.slot] as T | undefined;
  }

  hasModel<T>(key: ModelKey<T>): boolean {
    return this.slots[key.slot] !== undefined;
  }

  /** The choice in force for a behaviour row: its kernel's, or the scenario's override. */
  behaviour<C extends string>(row: Behaviour<C>): C {
    return this.choices[row.index] as C;
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
   * Emit a trace record: the model's fields, typed by the kind's spec (numbers stay numbers;
   * the encoder writes the JSON line). The caller passes a fresh literal, which becomes the
   * record: seq, t and kind are set on it in place rather than copied into a new object.
   */
  emit<K extends KindName>(kind: K, fields: FieldsFor<K>): RecordOf<K> {
    if (this.halted) assert(false, `emit ${kind} after a halt: a handler caught the debugger's halt`);
    const r = fields as { seq: number; t: number; kind: string; stack: number; frameArgs?: number[][] };
    r.seq = this.state.traceCount++;
    r.t = this.state.now;
    r.kind = kind;
    // The chain goes to the trace store (stackOf), not onto the record, so a live record
    // equals its decoded line; only while `bt` replays with arguments kept does it carry them.
    const stack = this.kstack.cur;
    if (stack !== 0 && this.kstack.keepArgs) {
      r.stack = stack;
      r.frameArgs = this.kstack.argsNow();
    }
    const rec = r as unknown as TraceRecord;
    if (this.ff) {
      if (this.quiet[kind]) return rec as unknown as RecordOf<K>;
    } else this.stepObjs.push(rec);
    // The kind's hooks only when a watcher or the store may want the record: finding them
    // for a kind that changes from call to call is most of emit's own cost.
    const store = this.keep && !this.ff;
    if (store || this.watchedKinds !== 0) {
      const h = this.recentHooks(kind);
      if (h.watchers) for (const fn of h.watchers) fn(this, rec);
      if (store) this.trace.put(rec, h.encode ?? (h.encode = encoderOf(kind)), stack);
    }
    if (this.halter !== undefined && this.halter(rec)) {
      this.halted = true;
      throw HALT;
    }
    return rec as unknown as RecordOf<K>;
  }

  /**
   * May a record of `kind` be emitted now from an object the call site reuses (emitReused)?
   * True while the record would only be encoded into the trace store: kept (not
   * fast-forwarding), and nothing holds on to the object (no watcher, no halt test, no
   * frame arguments; stepRecords decodes it from the store when read).
   */
  reuses(kind: KindName): boolean {
    return this.reusing && !this.kstack.keepArgs && (this.watchedKinds === 0 || this.kinds[kind].watchers === undefined);
  }

  private mayReuse(): boolean {
    return this.keep && !this.ff && this.halter === undefined;
  }

  /**
   * emit() for a hot call site that checked reuses(kind): `fields` is the call site's own
   * record object, filled anew for every record (no allocation per access); it is encoded
   * into the store at once and not referenced afterwards.
   */
  emitReused<K extends KindName>(kind: K, fields: FieldsFor<K>): void {
    if (this.halted) assert(false, `emit ${kind} after a halt: a handler caught the debugger's halt`);
    const r = fields as unknown as { seq: number; t: number; kind: string };
    r.seq = this.state.traceCount++;
    r.t = this.state.now;
    r.kind = kind;
    this.stepReused = true;
    const h = this.recentHooks(kind);
    this.trace.put(r as unknown as TraceRecord, h.encode ?? (h.encode = encoderOf(kind)), this.kstack.cur);
  }

  /**
   * A kind's hooks, from the few kinds emitted last. `this.kinds[kind]` with a kind that
   * varies from call to call is a hash probe, which was most of emitReused; a run emits a
   * handful of kinds over and over, and comparing literal strings compares pointers.
   */
  private recentHooks(kind: KindName): KindHooks {
    const names = this.recentKinds;
    for (let i = 0; i < RECENT_KINDS; i++) if (names[i] === kind) return this.recentKindHooks[i];
    const h = this.hooks(kind);
    const i = this.recentNext;
    this.recentNext = (i + 1) % RECENT_KINDS;
    names[i] = kind;
    this.recentKindHooks[i] = h;
    return h;
  }

  /** Rebuild stepObjs in seq order: the objects kept, and the reused records decoded from the store. */
  private stepMaterialize(): void {
    const objs = this.stepObjs;
    const all: TraceRecord[] = [];
    let j = 0;
    while (j < objs.length && objs[j].seq < this.stepFirst) all.push(objs[j++]);
    for (let seq = this.stepFirst; seq < this.state.traceCount; seq++) {
      if (j < objs.length && objs[j].seq === seq) all.push(objs[j++]);
      else if (this.trace.holds(seq)) all.push(this.trace.record(seq));
    }
    while (j < objs.length) all.push(objs[j++]);
    this.stepObjs = all;
    this.stepReused = false;
    // What is decoded stays in stepObjs: a caller that empties it does not see it again.
    this.stepFirst = this.state.traceCount;
  }

  private hooks(kind: string): KindHooks {
    const h = this.kinds[kind as KindName];
    if (!h) encoderOf(kind); // an unknown kind: says which, and that it needs a spec
    return h;
  }

  /**
   * Handle the next event. Returns false when nothing is left to do. When the halt test
   * stops it inside the event, returns true with `halted` set (state.events counts the
   * event being handled).
   */
  step(): boolean {
    if (this.halted) assert(false, 'step() on a halted machine: restore a snapshot first');
    if (this.stepObjs.length !== 0) this.stepObjs.length = 0; // setting a length is a runtime call
    this.stepReused = false;
    this.stepFirst = this.state.traceCount;
    const q = this.state.queue;
    const slot = queuePop(q);
    if (slot < 0) return false;
    const t = q.t[slot];
    assert(t >= this.state.now, 'time went backwards');
    this.state.now = t;
    this.state.events++;
    this.kstack.cur = 0; // every event starts at the scheduler, in no kernel function
    try {
      this.handlers[q.type[slot]](this, q.a[slot], q.b[slot]);
    } catch (e) {
      if (e !== HALT) throw e;
    }
    return true;
  }

  /**
   * Put a snapshot's state back. Snapshots are taken and unpacked by one path,
   * src/debugger/checkpoints.ts (v8 serialise + deflate), which hands over a freshly
   * unpacked state per restore: the machine owns it from here. The trace keeps what was
   * recorded: the records a replay emits again are checked against it (see TraceStore), so
   * a diverging replay fails loudly.
   */
  restore(s: Snapshot): void {
    if (this.stepReused) this.stepMaterialize(); // the step's records, as they were before the restore
    this.state = s.state;
    this.stepFirst = s.state.traceCount;
    this.slots = [];
    for (const name of Object.keys(s.state.models)) this.slots[modelSlotOf(name)] = s.state.models[name];
    this.halted = false;
  }
}
