/**
 * `dmadbg export`: records per second into a Perfetto trace (tracks, slices, flows and
 * counters derived, each packet encoded with @bufbuild/protobuf) against the JSON Lines
 * the trace store already holds, on the demo's dma-engine run repeated to 100,000 records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Bench } from './harness.ts';
import { parseScenarioText } from '../src/scenario/load.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { PerfettoExport } from '../src/debugger/export/perfetto.ts';
import type { TraceRecord } from '../src/sim/core/trace.ts';

const file = join(import.meta.dirname, '..', 'scenarios', 'demo-dma-engine.json');
const doc = JSON.parse(readFileSync(file, 'utf8')) as { devices: { kind: string; repeat?: number }[] };
for (const d of doc.devices) if (d.kind === 'dma-engine') d.repeat = 5000;
const loaded = parseScenarioText(JSON.stringify(doc), file);
if (!loaded.ok) throw new Error('export bench: scenario');
const m = buildMachine(loaded.scenario).machine;
while (m.step()) {
  /* record the run once */
}
const records: TraceRecord[] = [];
for (let i = 0; i < m.trace.count; i++) records.push(m.trace.record(i));

export const benches: Bench[] = [
  {
    name: `perfetto export, ${records.length} demo records`,
    unit: 'records/s',
    samples: 3,
    sample: () => {
      let bytes = 0;
      const t0 = performance.now();
      const x = new PerfettoExport((b) => (bytes += b.length));
      for (const r of records) x.add(r);
      x.end();
      if (!bytes) throw new Error('nothing written');
      return records.length / ((performance.now() - t0) / 1000);
    },
  },
];
