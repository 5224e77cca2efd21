/**
 * Not a bench (npm run bench skips it): the traced-access loop of bench/mtk.bench.ts alone,
 * to profile where a device access's time goes:
 *   npx tsx bench/profile.ts bench/profile-traced.ts [accesses]
 */
import { Scenario } from '../src/scenario/schema/index.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { DEVICES } from '../src/sim/devices/device.ts';
import type { MtkEngineState } from '../src/sim/devices/mtk-engine.ts';
import { deviceReadInto } from '../src/sim/devices/port.ts';

const s = Scenario.parse({
  version: 1, name: 'bench', description: 'bench',
  memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: [{ name: 'b0', size: '64K' }] },
  mtk: { soc: 'mt8183', iotlbEntries: 64 },
  devices: [{ kind: 'mtk-engine', name: 'e0', engine: 'img', larb: 0, port: 0, repeat: 1, period: 100,
    ops: [{ op: 'larb-get' }, { op: 'map', as: 'm', buf: 'b0', len: '64K', dir: 'bidirectional' }, { op: 'read', map: 'm', offset: 0, len: '4K' }] }],
});
const { machine: m } = buildMachine(s);
const dev = m.model(DEVICES).list[0] as MtkEngineState;
while (!dev.mappings.m && m.step());
const iova = dev.mappings.m.iova;
const N = Number(process.argv[2] ?? 3_000_000);
const t0 = process.hrtime.bigint();
const buf = new Uint8Array(64);
for (let i = 0; i < N; i++) {
  deviceReadInto(m, dev, iova + ((i & 15) << 8), buf, 64);
  if ((i & 1023) === 1023) { m.trace.discard(); }
}
const dt = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`${(N / dt / 1e6).toFixed(2)} M accesses/s`);
