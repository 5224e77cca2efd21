/**
 * AMD IOMMU figures: translations per second through the `amd` translator on the IOTLB-hit
 * path (DTE read, IOTLB lookup by domain ID, the stale check's fast path) and on the miss
 * path (a 3-level walk of 64-bit PTEs and a fill: a 1-entry IOTLB, two pages alternating),
 * and dma_map_sg + dma_unmap_sg pairs per second (4 single-page entries; lazy unmap, so the
 * flush queue fills and flushes every 256 pairs, as the kernel's does).
 */
import { type Bench, rate } from './harness.ts';
import { Scenario } from '../src/scenario/schema/index.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import type { Machine } from '../src/sim/machine.ts';
import { type DeviceBase, DEVICES } from '../src/sim/devices/device.ts';
import { translationCreate } from '../src/sim/devices/port.ts';
import { amdTranslate } from '../src/sim/iommu/amd/translate.ts';
import { amdState } from '../src/sim/iommu/amd/state.ts';
import { dmaMapSg, dmaMapSingle, dmaUnmapSg, type Scatterlist } from '../src/sim/dma/api.ts';

function machine(iotlbEntries: number): { m: Machine; dev: DeviceBase } {
  const { machine: m } = buildMachine(
    Scenario.parse({
      version: 1,
      name: 'bench',
      description: 'bench',
      kernel: 'v5.4',
      memory: { dram: [{ base: '0x80000000', size: '256M' }], buffers: [{ name: 'b', size: '64K' }] },
      devices: [{ kind: 'bus-master', name: 'nic0', start: '1s', ops: [{ op: 'delay', ns: 1 }] }],
      amd: { devices: [{ dev: 'nic0', bdf: '0000:01:00.0' }], iotlbEntries },
    }),
  );
  m.keepTrace = false;
  m.step(); // the probe: nic0 attached to its DMA domain
  return { m, dev: m.model(DEVICES).list[0] };
}

const out = translationCreate();

function clearStep(m: Machine): void {
  m.stepRecords.length = 0;
}

function hitBench(): number {
  const { m, dev } = machine(64);
  const iova = dmaMapSingle(m, dev, 0x8000_0000, 0x1000, 'bidirectional');
  amdTranslate(m, dev, iova, false, out);
  return rate(() => {
    for (let i = 0; i < 10_000; i++) amdTranslate(m, dev, iova + ((i & 15) << 8), (i & 1) === 1, out);
    clearStep(m);
  }, 10_000);
}

function missBench(): number {
  const { m, dev } = machine(1);
  const a = dmaMapSingle(m, dev, 0x8000_0000, 0x1000, 'bidirectional');
  const b = dmaMapSingle(m, dev, 0x8000_1000, 0x1000, 'bidirectional');
  const iommu = amdState(m).iommus[0];
  const before = iommu.iotlb.misses;
  let lookups = 0;
  const r = rate(() => {
    for (let i = 0; i < 10_000; i++) amdTranslate(m, dev, i & 1 ? b : a, false, out);
    lookups += 10_000;
    clearStep(m);
  }, 10_000);
  if (iommu.iotlb.misses - before < lookups * 0.99) throw new Error('miss bench is not missing');
  return r;
}

function mapSgBench(): number {
  const { m, dev } = machine(64);
  const sgl = (): Scatterlist[] => [0, 1, 2, 3].map((j) => ({ pa: 0x8000_0000 + j * 0x1000, length: 0x1000, dmaAddress: 0, dmaLength: 0 }));
  return rate(() => {
    for (let i = 0; i < 1000; i++) {
      const l = sgl();
      if (dmaMapSg(m, dev, l, 'to-device') !== 4) throw new Error('map_sg failed');
      dmaUnmapSg(m, dev, l, 4, 'to-device');
    }
    clearStep(m);
  }, 1000);
}

export const benches: Bench[] = [
  { name: 'amd: translations, IOTLB hit', unit: 'xlate/s', sample: hitBench, target: '>= 2M/s' },
  { name: 'amd: translations, IOTLB miss (3-level walk + fill)', unit: 'xlate/s', sample: missBench, target: '>= 500k/s' },
  { name: 'amd: dma_map_sg + dma_unmap_sg, 4 pages, lazy', unit: 'pairs/s', sample: mapSgBench },
];
