/**
 * VT-d figures beside the MediaTek ones: translations per second through the `vtd`
 * translator on the IOTLB-hit path (context cache, IOTLB by DID/PASID/page) and on the miss
 * path (a 1-entry IOTLB and two pages alternating: every access walks the 4-level table),
 * and the ratio of each to the M4U's same path measured back to back (the aim: within 1.5x).
 */
import { type Bench, rate } from './harness.ts';
import { Scenario } from '../src/scenario/schema/index.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { vtdTranslate } from '../src/sim/iommu/intel/translate.ts';
import { mtkTranslate } from '../src/sim/iommu/mtk/translate.ts';
import type { Machine } from '../src/sim/machine.ts';
import { type DeviceBase, DEVICES } from '../src/sim/devices/device.ts';
import type { MtkEngineState } from '../src/sim/devices/mtk-engine.ts';
import type { BusMasterState } from '../src/sim/devices/bus-master.ts';
import { VTD_MODEL } from '../src/sim/iommu/intel/state.ts';
import { translationCreate } from '../src/sim/devices/port.ts';

const out = translationCreate();

/** A VT-d machine right after its device mapped 8 KiB (two 4 KiB pages). */
function vtdMapped(iotlbEntries: number): { m: Machine; dev: DeviceBase; iova: number } {
  const s = Scenario.parse({
    version: 1,
    name: 'bench',
    description: 'bench',
    memory: { dram: [{ base: '0x40000000', size: '0x40000000' }], buffers: [{ name: 'b', size: '64K' }] },
    vtd: { cmdline: 'strict', units: [{ iotlbEntries }] },
    devices: [{ kind: 'bus-master', name: 'nic0', bdf: '00:03.0', dmaMask: 64, ops: [{ op: 'map', handle: 'm', buf: 'b', len: '8K', dir: 'bidirectional' }, { op: 'delay', ns: 1 }] }],
  });
  const { machine: m } = buildMachine(s);
  m.keepTrace = false;
  const dev = m.model(DEVICES).list[0] as BusMasterState;
  while (dev.handles[0].dma[0] < 0 && m.step()) {
    /* run to the map */
  }
  return { m, dev, iova: dev.handles[0].dma[0] };
}

/** The M4U machine of mtk.bench.ts's hit and miss benches (8K: two small pages). */
function mtkMapped(iotlbEntries: number): { m: Machine; dev: DeviceBase; iova: number } {
  const s = Scenario.parse({
    version: 1,
    name: 'bench',
    description: 'bench',
    memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: [{ name: 'b0', size: '64K' }] },
    mtk: { soc: 'mt8183', iotlbEntries },
    devices: [{ kind: 'mtk-engine', name: 'e0', engine: 'img', larb: 0, port: 0, ops: [{ op: 'larb-get' }, { op: 'map', as: 'm', buf: 'b0', len: '8K', dir: 'bidirectional' }, { op: 'larb-put' }] }],
  });
  const { machine: m } = buildMachine(s);
  m.keepTrace = false;
  const dev = m.model(DEVICES).list[0] as MtkEngineState;
  while (!dev.mappings.m && m.step()) {
    /* run to the map */
  }
  return { m, dev, iova: dev.mappings.m.iova };
}

type Xlate = typeof vtdTranslate;

function hits(x: Xlate, t: { m: Machine; dev: DeviceBase; iova: number }): number {
  x(t.m, t.dev, t.iova, false, out);
  return rate(() => {
    for (let i = 0; i < 10_000; i++) x(t.m, t.dev, t.iova + ((i & 15) << 8), (i & 1) === 1, out);
  }, 10_000);
}

function misses(x: Xlate, t: { m: Machine; dev: DeviceBase; iova: number }): number {
  return rate(() => {
    for (let i = 0; i < 10_000; i++) x(t.m, t.dev, t.iova + (i & 1) * 0x1000, false, out);
  }, 10_000);
}

function vtdHit(): number {
  return hits(vtdTranslate, vtdMapped(64));
}

function vtdMiss(): number {
  const t = vtdMapped(1);
  const u = t.m.model(VTD_MODEL).units[0];
  const before = u.iotlb.misses;
  const r = misses(vtdTranslate, t);
  if (u.iotlb.misses - before < 10_000) throw new Error('miss bench is not missing');
  return r;
}

/** VT-d over M4U on one path, measured back to back so both see the same machine load. */
function ratio(path: 'hit' | 'miss'): number {
  const f = path === 'hit' ? hits : misses;
  const v = f(vtdTranslate, vtdMapped(path === 'hit' ? 64 : 1));
  const k = f(mtkTranslate, mtkMapped(path === 'hit' ? 64 : 1));
  return v / k;
}

export const benches: Bench[] = [
  { name: 'vtd: translations, IOTLB hit', unit: 'xlate/s', sample: vtdHit, target: 'within 1.5x of mtk hit' },
  { name: 'vtd: translations, IOTLB miss (4-level walk + fill)', unit: 'xlate/s', sample: vtdMiss, target: 'within 1.5x of mtk miss' },
  { name: 'vtd/mtk: IOTLB hit rate ratio', unit: 'x', sample: () => ratio('hit'), target: '>= 0.67' },
  { name: 'vtd/mtk: IOTLB miss rate ratio', unit: 'x', sample: () => ratio('miss'), target: '>= 0.67' },
];
