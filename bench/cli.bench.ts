/**
 * The CLI as a user runs it (bin/dmadbg.js, the bundle), each sample a fresh process:
 *
 * - `dmadbg run demo-dma-engine --json > /dev/null`: wall time, spawn to exit (issue 19: <= 0.3 s);
 * - a long mt8183 workload (8 engines, 2,100 rounds each: ~100k events, ~2.2 M records) through
 *   `run --json > /dev/null`: peak RSS (it streams: <= 150 MB at any length; 1.0 GB before).
 */
import type { Bench } from './harness.ts';
import { DMADBG, runNode, writeScenario } from './spawn.ts';

let warmed: Promise<unknown> | undefined;
/** The first run may rebuild dist/: not a sample. */
const warm = () => (warmed ??= runNode(DMADBG, ['list']));

async function demoWall(): Promise<number> {
  await warm();
  const r = await runNode(DMADBG, ['run', 'demo-dma-engine', '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.wallMs / 1000;
}

function mt8183Long(rounds: number): string {
  const engines = ['disp', 'vdec', 'img', 'venc', 'disp', 'cam', 'ipu', 'ccu'];
  return writeScenario(`mt8183-long-${rounds}`, {
    version: 1,
    name: `mt8183-long-${rounds}`,
    description: 'eight mt8183 engines mapping, writing and reading through the M4U, many rounds',
    memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: engines.map((_, i) => ({ name: `b${i}`, size: '64K', fill: i })) },
    mtk: { soc: 'mt8183', iotlbEntries: 64 },
    devices: engines.map((engine, i) => ({
      kind: 'mtk-engine',
      name: `e${i}`,
      engine,
      larb: i,
      port: 0,
      repeat: rounds,
      period: 100,
      ops: [
        { op: 'larb-get' },
        { op: 'map', as: 'm', buf: `b${i}`, len: '64K', dir: 'bidirectional' },
        { op: 'write', map: 'm', offset: 0, len: '4K', pattern: 1 },
        { op: 'read', map: 'm', offset: '4K', len: '4K' },
        { op: 'unmap', map: 'm' },
        { op: 'larb-put' },
      ],
    })),
    limits: { maxEvents: 1e9 },
  });
}

let mt: Promise<{ rssMb: number; wallS: number; records: number }> | undefined;
const mtLong = () =>
  (mt ??= (async () => {
    await warm();
    const r = await runNode(DMADBG, ['run', mt8183Long(2_100), '--json']);
    if (r.code !== 0) throw new Error(r.stderr);
    const records = Number(/(\d+) records/.exec(r.stderr)?.[1] ?? 0);
    return { rssMb: r.rssMb, wallS: r.wallMs / 1000, records };
  })());

export const benches: Bench[] = [
  { name: 'cli: dmadbg run demo-dma-engine --json, wall', unit: 's', samples: 7, target: '<= 0.3', sample: demoWall },
  { name: 'cli: long mt8183 run --json (100k events), peak RSS', unit: 'MB', samples: 1, target: '<= 150', sample: async () => (await mtLong()).rssMb, note: () => '' },
  { name: '  the same run, wall', unit: 's', samples: 1, sample: async () => (await mtLong()).wallS, note: (s) => `${Math.round(100_800 / s / 1000)}k events/s` },
];
