/**
 * mtk M4U figures: translations per second through the `mtk` translator on the IOTLB-hit
 * path and on the miss path (every access walks the v7s table: a 1-entry IOTLB and two
 * pages alternating), and simulated events per second of a long mt8183 scenario with the
 * trace serialised to nowhere, as `run --json > /dev/null` does.
 */
import { type Bench, rate, runDrained } from './harness.ts';
import { Scenario, type ScenarioOut } from '../src/scenario/schema/index.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { mtkTranslate } from '../src/sim/iommu/mtk/translate.ts';
import type { Machine } from '../src/sim/machine.ts';
import { type DeviceBase, DEVICES } from '../src/sim/devices/device.ts';
import type { MtkEngineState } from '../src/sim/devices/mtk-engine.ts';
import { MTK_MODEL, type MtkState } from '../src/sim/iommu/mtk/state.ts';
import { deviceReadInto, translationCreate } from '../src/sim/devices/port.ts';
import { bareHitRate, bareWalkRate, times } from './baseline.ts';

function scenario(iotlbEntries: number, repeat: number, engines: number, mapLen = '64K'): ScenarioOut {
  return Scenario.parse({
    version: 1,
    name: 'bench',
    description: 'bench',
    memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: Array.from({ length: engines }, (_, i) => ({ name: `b${i}`, size: '64K' })) },
    mtk: { soc: 'mt8183', iotlbEntries },
    devices: Array.from({ length: engines }, (_, i) => ({
      kind: 'mtk-engine',
      name: `e${i}`,
      engine: 'img',
      larb: i % 8,
      port: 0,
      repeat,
      period: 100,
      ops: [
        { op: 'larb-get' },
        { op: 'map', as: 'm', buf: `b${i}`, len: mapLen, dir: 'bidirectional' },
        { op: 'write', map: 'm', offset: 0, len: '4K', pattern: 1 },
        { op: 'read', map: 'm', offset: '4K', len: '4K' },
        { op: 'unmap', map: 'm' },
        { op: 'larb-put' },
      ],
    })),
  });
}

/** A machine stopped right after its engine mapped its buffer (larb on, PTEs written). */
function mappedMachine(iotlbEntries: number, mapLen = '64K'): { m: Machine; dev: DeviceBase; iova: number } {
  const { machine: m } = buildMachine(scenario(iotlbEntries, 1, 1, mapLen));
  m.keepTrace = false;
  const dev = m.model(DEVICES).list[0] as MtkEngineState;
  while (!dev.mappings.m && m.step()) {
    /* run to the map */
  }
  return { m, dev, iova: dev.mappings.m.iova };
}

/** The translator's out-parameter (port.ts resets it per page chunk; the bench need not). */
const out = translationCreate();

function hitBench(): number {
  const { m, dev, iova } = mappedMachine(64);
  mtkTranslate(m, dev, iova, false, out);
  return rate(() => {
    for (let i = 0; i < 10_000; i++) mtkTranslate(m, dev, iova + ((i & 15) << 8), (i & 1) === 1, out);
  }, 10_000);
}

function missBench(): number {
  // 8K maps as two 4 KiB small pages: with a one-entry IOTLB, alternating between them
  // misses every time (a 64K mapping would be one large page, one entry, all hits).
  const { m, dev, iova } = mappedMachine(1, '8K');
  const cells = m.model(MTK_MODEL).m4u.flatMap((i) => i.cells);
  const misses = () => cells.reduce((a, c) => a + c.iotlb.misses, 0);
  const before = misses();
  let lookups = 0;
  const r = rate(() => {
    for (let i = 0; i < 10_000; i++) mtkTranslate(m, dev, iova + (i & 1) * 0x1000, false, out);
    lookups += 10_000;
  }, 10_000);
  if (misses() - before < lookups * 0.99) throw new Error('miss bench is not missing');
  return r;
}

/**
 * A traced device access: a 64 B read through the M4U (IOTLB hit), its `dma` record built,
 * encoded and kept in the machine's trace store, as tests and the debugger keep it (the record
 * object reused: nothing else holds it, see Machine.reuses). The store drops what it holds
 * every batch so memory stays flat.
 */
function tracedAccessBench(): number {
  const { m, dev, iova } = mappedMachine(64);
  m.keepTrace = true;
  const buf = new Uint8Array(64); // as mtk-engine reads: into a scratch buffer
  deviceReadInto(m, dev, iova, buf, 64);
  return rate(() => {
    for (let i = 0; i < 1000; i++) deviceReadInto(m, dev, iova + ((i & 15) << 8), buf, 64);
    m.trace.discard();
  }, 1000);
}

/**
 * Fast-forward: the same 64 B read with the machine fast-forwarding (Machine.fastForward, as
 * the debugger runs past its recording when nothing needs the records): translated, no `dma`
 * record built or kept (its seq used up), no bytes copied (mtk-engine's read only checksums
 * them for its dev-op record, quiet too).
 */
function fastForwardBench(): number {
  const { m, dev, iova } = mappedMachine(64);
  m.keepTrace = true;
  m.fastForward(true);
  const seq0 = m.state.traceCount;
  let n = 0;
  // As an engine's read whose dev-op record is quiet: translated, counted, no bytes copied.
  const r = rate(() => {
    for (let i = 0; i < 10_000; i++) deviceReadInto(m, dev, iova + ((i & 15) << 8), null, 64);
    n += 10_000;
  }, 10_000);
  if (m.state.traceCount - seq0 !== n || m.trace.count > seq0) throw new Error('fast-forward built or kept records');
  return r;
}

function eventsBench(): number {
  const s = scenario(64, 2000, 8);
  const t0 = process.hrtime.bigint();
  const { machine: m } = buildMachine(s);
  if (runDrained(m) === 0) throw new Error('no output');
  return m.state.events / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export const benches: Bench[] = [
  { name: 'mtk: translations, IOTLB hit', unit: 'xlate/s', sample: hitBench, target: '>= 20M/s (<= 7x)', note: (r) => times(r, bareHitRate(), 'bare hit') },
  { name: 'mtk: translations, IOTLB miss (v7s walk + fill)', unit: 'xlate/s', sample: missBench, target: '>= 5M/s (<= 20x)', note: (r) => times(r, bareWalkRate(), 'bare walk') },
  { name: 'mtk: traced access, 64 B read, IOTLB hit, dma record kept', unit: 'accesses/s', sample: tracedAccessBench, target: '>= 3M/s' },
  { name: 'mtk: fast-forward access, 64 B read, IOTLB hit, no record', unit: 'accesses/s', sample: fastForwardBench, target: '>= 20M/s' },
  { name: 'mtk: mt8183 8 engines x 2000 rounds, JSON to nowhere', unit: 'events/s', sample: eventsBench, samples: 3 },
];
