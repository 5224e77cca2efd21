/**
 * What kernel call-chain tracking (src/sim/core/kstack.ts: enter/leave around every modelled
 * kernel function, the chain id stored per record) costs a traced run: records per second of
 * a map/unmap-heavy mt8183 scenario (every round maps 64 KiB through iommu_map ->
 * mtk_iommu_map -> arm_v7s_map -> __arm_v7s_map, accesses, unmaps, flushes) with the trace
 * encoded and kept, with tracking on and with enter/leave replaced by no-ops. The figure is
 * the overhead in percent (issue 18: under 10%), the two runs interleaved so load on the
 * machine hits both alike.
 */
import { type Bench } from './harness.ts';
import { Scenario } from '../src/scenario/schema/index.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import type { Machine } from '../src/sim/machine.ts';

function machine(): Machine {
  const s = Scenario.parse({
    version: 1,
    name: 'bench',
    description: 'bench',
    memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: Array.from({ length: 8 }, (_, i) => ({ name: `b${i}`, size: '64K' })) },
    mtk: { soc: 'mt8183', iotlbEntries: 64 },
    devices: Array.from({ length: 8 }, (_, i) => ({
      kind: 'mtk-engine',
      name: `e${i}`,
      engine: 'img',
      larb: i % 8,
      port: 0,
      repeat: 400,
      period: 100,
      ops: [
        { op: 'larb-get' },
        { op: 'map', as: 'm', buf: `b${i}`, len: '64K', dir: 'bidirectional' },
        { op: 'write', map: 'm', offset: 0, len: '4K', pattern: 1 },
        { op: 'unmap', map: 'm' },
        { op: 'larb-put' },
      ],
    })),
  });
  return buildMachine(s).machine;
}

/**
 * Records per CPU second of one whole run, the trace kept (and dropped every event). CPU
 * time, not wall time: on a shared machine the wall clock mostly measures the neighbours.
 */
function recordsPerSecond(track: boolean): number {
  const m = machine();
  m.keepTrace = true;
  if (!track) {
    // Own no-op methods on this instance: the models still call enter/leave, nothing is interned.
    const ks = m.kstack as unknown as { enter: () => number; leave: () => void };
    ks.enter = () => 0;
    ks.leave = () => {};
  }
  const c0 = process.cpuUsage();
  const seq0 = m.state.traceCount;
  while (m.step()) m.trace.discard();
  const records = m.state.traceCount - seq0;
  const c = process.cpuUsage(c0);
  return records / ((c.user + c.system) / 1e6);
}

function overhead(): number {
  recordsPerSecond(true); // warm both paths
  recordsPerSecond(false);
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < 7; i++) {
    on.push(recordsPerSecond(true));
    off.push(recordsPerSecond(false));
  }
  const best = (xs: number[]) => Math.max(...xs);
  return 100 * (1 - best(on) / best(off));
}

export const benches: Bench[] = [
  { name: 'kstack: traced mt8183 map/unmap run, records/s with tracking', unit: 'records/s', sample: () => recordsPerSecond(true), samples: 3 },
  { name: 'kstack: the same run, enter/leave as no-ops', unit: 'records/s', sample: () => recordsPerSecond(false), samples: 3 },
  { name: 'kstack: stack tracking overhead on traced throughput', unit: '%', sample: overhead, samples: 3, target: '< 10' },
];
