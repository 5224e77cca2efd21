import { type Bench, rate, runDrained } from './harness.ts';
import { queueCreate, queuePop, queuePush } from '../src/sim/core/queue.ts';
import { prngFromSeed, nextU32 } from '../src/sim/core/prng.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

/** 10,000 pending events; each op pops the earliest and pushes one a random distance later. */
function queueBench(): number {
  const q = queueCreate(16384);
  const p = prngFromSeed(1);
  for (let i = 0; i < 10_000; i++) queuePush(q, nextU32(p) % 1_000_000, 0, 0);
  return rate(() => {
    for (let i = 0; i < 10_000; i++) {
      const s = queuePop(q);
      queuePush(q, q.t[s] + (nextU32(p) & 0xffff), 0, 0);
    }
  }, 10_000);
}

/** Records per event of the last demo run (5: map, two dma, unmap, dev-op; 500k events/s is 2.5 M records/s). */
let recordsPerEvent = 0;

let warm = false;

/**
 * A long demo (`repeat` rounds per device), every record serialised as for `run --json >
 * /dev/null`. 30,000 rounds is 120,000 events, ~0.25 s: at 3,000 rounds (12,000 events) a
 * sample was mostly JIT warm-up (five samples climbed from 56k to 226k events/s), so each
 * sample is long enough to be the steady rate. The first call runs two such demos unmeasured:
 * the second machine a process builds deoptimises what the first one's run had specialised
 * (`--trace-deopt`: 11-13 bailouts during the second run, 2-3 in the third, none after), so
 * after one short warm-up the first sample ran ~12% under the rest (435-450k against 500-530k,
 * ten samples in a row, twice). A `run` builds one machine, and its long runs are steady.
 */
function demoBench(): number {
  if (!warm) {
    warm = true;
    demoRun(30_000);
    demoRun(30_000);
  }
  return demoRun(30_000);
}

function demoRun(repeat: number): number {
  const r = loadScenarioFile(join(SCEN, 'demo-dma-engine.json'));
  if (!r.ok) throw new Error('demo scenario invalid');
  const s = { ...r.scenario, devices: r.scenario.devices.map((d) => ({ ...d, repeat })) };
  const { machine: m } = buildMachine(s);
  const start = process.hrtime.bigint();
  const bytes = runDrained(m);
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes === 0) throw new Error('no output');
  recordsPerEvent = m.state.traceCount / m.state.events;
  return m.state.events / secs;
}

export const benches: Bench[] = [
  { name: 'scheduler: no-op events through the queue (10k pending)', unit: 'events/s', sample: queueBench, target: '>= 5M/s' },
  {
    name: 'demo scenario: simulated events, headless, JSON to nowhere',
    unit: 'events/s',
    target: '>= 500k/s',
    sample: () => demoBench(),
    note: (r) => `${Math.round(r * recordsPerEvent / 1e3)}k records/s`,
  },
];
