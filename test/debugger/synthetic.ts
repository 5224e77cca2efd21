/**
 * A tiny test-only model for the debugger tests: a script of events, each emitting the
 * given records (fault, tlb-inval, notifier, ... with near misses no real scenario has).
 * Its state is plain data (the script and a cursor), so checkpoints and replay work as for
 * real models. Records are typed like the models' own: a field a kind lacks fails tsc.
 */
import { Machine, PRIO } from '../../src/sim/machine.ts';
import { eventKey, modelKey } from '../../src/sim/core/keys.ts';
import { IOMMU_MODEL } from '../../src/sim/iommu/types.ts';
import type { Built } from '../../src/scenario/build/index.ts';
import type { ScenarioOut } from '../../src/scenario/schema/index.ts';
import type { FieldsFor, KindName } from '../../src/sim/trace-kinds.ts';

/** A record to emit: its kind and the fields `m.emit` takes for it. */
export type Rec = { [K in KindName]: { kind: K } & FieldsFor<K> }[KindName];

interface ScriptState {
  events: Rec[][];
  next: number;
}

const SCRIPT = modelKey<ScriptState>('script');
const SCRIPT_EVENT = eventKey('script.event');
const LEAKY_EVENT = eventKey('leaky.event');

function scriptEvent(m: Machine): void {
  const st = m.model(SCRIPT);
  for (const r of st.events[st.next]) {
    const { kind, ...fields } = r;
    m.emit(kind, fields as never);
  }
  st.next++;
  if (st.next < st.events.length) m.schedule(100, m.typeOf(SCRIPT_EVENT), 0, 0, PRIO.device);
}

/**
 * One event per entry of `events`, 100 ns apart; each emits its records in order. `domains`
 * names the IOMMU domains breakpoints may name (an IOMMU core with just those).
 */
export function syntheticMachine(events: Rec[][], name = 'synthetic', domains?: readonly string[]): Built {
  const m = new Machine({ scenario: name, seed: 1, kernel: 'v5.4', overrides: {}, dram: [{ base: 0x4000_0000, size: 0x1000_0000 }] });
  m.addModel(SCRIPT, { events, next: 0 });
  if (domains) m.addModel(IOMMU_MODEL, { domains: domains.map((d, id) => ({ id, name: d })), devDomain: {}, pteSeq: new Map(), pteGen: 0, stale: 0 } as never);
  const type = m.on(SCRIPT_EVENT, scriptEvent);
  if (events.length) m.schedule(0, type, 0, 0, PRIO.device);
  const scenario = { name, limits: { maxEvents: 10_000_000 } } as unknown as ScenarioOut;
  return { machine: m, scenario, buffers: new Map() };
}

/** A machine that is not deterministic (reads a counter outside its state): replay must catch it. */
export function leakyMachine(): Built {
  let outside = 0;
  const m = new Machine({ scenario: 'leaky', seed: 1, kernel: 'v5.4', overrides: {}, dram: [{ base: 0x4000_0000, size: 0x1000_0000 }] });
  const type = m.on(LEAKY_EVENT, (mm) => {
    mm.emit('dma', { dev: 'leak', addr: 0x1000, len: outside++, dir: 'read', result: 'ok' });
    if (mm.state.events < 50) mm.schedule(10, type);
  });
  m.schedule(0, type);
  return { machine: m, scenario: { name: 'leaky', limits: { maxEvents: 1000 } } as unknown as ScenarioOut, buffers: new Map() };
}
