/**
 * SVA and mm notifier figures: device accesses per second through the ATC (hit) and
 * through the IOMMU walk of the CPU page table (every access a miss), and simulated
 * events per second of a notifier-heavy scenario (mmap/age/reclaim/KSM/munmap cycles
 * with two tracer subscribers and an IOMMU subscriber), trace serialised to nowhere.
 */
import { type Bench, rate, runDrained } from './harness.ts';
import { parseScenarioText } from '../src/scenario/load.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import type { Machine } from '../src/sim/machine.ts';
import { DEVICES } from '../src/sim/devices/device.ts';
import { deviceRead } from '../src/sim/devices/port.ts';

const A = 0x7f0000000000;
const hex = (n: number) => '0x' + n.toString(16);

function scenario(obj: Record<string, unknown>) {
  const text = JSON.stringify({ version: 1, name: 'bench', description: 'bench', memory: { dram: [{ base: '0x80000000', size: '256M' }] }, ...obj });
  const r = parseScenarioText(text, 'bench.json');
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.scenario;
}

/** A machine whose device is bound (the first events ran) and whose trace goes nowhere. */
function boundMachine(atcEntries: number): Machine {
  const { machine: m } = buildMachine(scenario({
    processes: [{ name: 'p', vmas: [{ start: hex(A), size: '64K', fill: 1 }] }],
    devices: [{ kind: 'sva-device', name: 'd', start: '1ms', ops: [{ op: 'read', va: hex(A), len: 64 }] }],
    sva: { bindings: [{ device: 'd', process: 'p', iommu: 'amd-v2', atcEntries }] },
  }));
  m.keepTrace = false;
  while (m.state.now < 1000 && m.step());
  return m;
}

function accesses(atcEntries: number, pages: number): number {
  const m = boundMachine(atcEntries);
  const dev = m.model(DEVICES).list[0];
  let i = 0;
  const body = () => {
    for (let k = 0; k < 1000; k++) {
      deviceRead(m, dev, A + 4096 * (i++ % pages), 64);
      m.stepRecords.length = 0;
    }
  };
  rate(body, 1000, 300); // warm-up: let the JIT settle before measuring
  return rate(body, 1000, 500);
}

let lastRecordsPerEvent = 0;

function notifierHeavy(): number {
  const ops = [];
  for (let i = 0; i < 400; i++) {
    const t = 10_000 + i * 10_000;
    ops.push(
      { op: 'mmap', at: t, start: hex(A + 0x100000), size: '32K', fill: 2 },
      { op: 'age', at: t + 1000, start: hex(A), size: '64K' },
      { op: 'ksm', at: t + 2000, va: hex(A + 0x100000), with: { va: hex(A + 0x101000) } },
      { op: 'reclaim', at: t + 3000, start: hex(A), size: '16K' },
      { op: 'mprotect', at: t + 4000, start: hex(A + 0x8000), size: '32K', prot: i % 2 ? 'rw' : 'r' },
      { op: 'munmap', at: t + 5000, start: hex(A + 0x100000), size: '32K' },
    );
  }
  const s = scenario({
    processes: [{ name: 'p', vmas: [{ start: hex(A), size: '64K', fill: 1 }], notifiers: [{ name: 't1' }, { name: 't2' }], ops }],
    devices: [{ kind: 'sva-device', name: 'd', start: '1us', period: '500ns', jitter: '200ns', repeat: 8000, ops: [{ op: 'read', va: hex(A + 4096), len: 64 }, { op: 'write', va: hex(A + 0x9000), len: 64 }] }],
    sva: { bindings: [{ device: 'd', process: 'p', iommu: 'intel-svm', atcEntries: 32 }] },
  });
  let events = 0;
  const perRun = rate(() => {
    const { machine: m } = buildMachine(s, { kernel: 'v5.0' });
    if (runDrained(m) === 0) throw new Error('no output');
    events = m.state.events;
    lastRecordsPerEvent = m.state.traceCount / events;
  }, 1, 1000);
  return perRun * events;
}

export const benches: Bench[] = [
  { name: 'sva: device accesses through the ATC (hit)', unit: 'accesses/s', sample: () => accesses(32, 16) },
  { name: 'sva: device accesses through the PASID walk (miss)', unit: 'accesses/s', sample: () => accesses(1, 2) },
  { name: 'mm: notifier-heavy scenario events, JSON to nowhere', unit: 'events/s', sample: notifierHeavy, samples: 3 },
  { name: 'mm: same scenario, trace records', unit: 'records/s', sample: () => notifierHeavy() * lastRecordsPerEvent, samples: 3 },
];
