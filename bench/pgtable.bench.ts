/**
 * ARM v7s io-pgtable: iova_to_phys walks per second over a table with every entry type
 * (aim >= 500k/s, so a debugger walk per DMA page never dominates), and 4K map+unmap pairs
 * per second (each emits pte records, as a run does).
 */
import { type Bench, rate } from './harness.ts';
import { Machine } from '../src/sim/machine.ts';
import { prngFromSeed, nextU32 } from '../src/sim/core/prng.ts';
import {
  armV7sAllocPgtable, armV7sIovaToPhys, armV7sMap, armV7sUnmap, recordingTlbOps,
  type ArmV7sPgtable, type TlbCall,
} from '../src/sim/pgtable/arm-v7s/index.ts';
import { IOMMU_READ, IOMMU_WRITE } from '../src/sim/pgtable/prot.ts';

const SZ_4K = 0x1000, SZ_64K = 0x10000, SZ_1M = 0x100000, SZ_16M = 0x1000000;

function setup(): { m: Machine; pt: ArmV7sPgtable; calls: TlbCall[] } {
  const m = new Machine({ scenario: 'bench', seed: 1, kernel: 'v5.4', overrides: {}, dram: [{ base: 0x4000_0000, size: 0x4000_0000 }] });
  m.keepTrace = false;
  const r = armV7sAllocPgtable(m, {
    domain: 'bench', kernel: 'v5.4', quirks: { armNs: true }, pgsizeBitmap: SZ_4K | SZ_64K | SZ_1M | SZ_16M,
    ias: 32, oas: 32, coherentWalk: true, splitBlk: 'kernel',
  });
  if (!r.ok) throw new Error(r.reason);
  return { m, pt: r.pt, calls: [] };
}

function walkBench(): number {
  const { m, pt, calls } = setup();
  const tlb = recordingTlbOps(calls);
  const prot = IOMMU_READ | IOMMU_WRITE;
  // 0..64M: 4K pages, 64K pages, sections, a supersection; the rest unmapped.
  for (let i = 0; i < 256; i++) armV7sMap(m, pt, tlb, { iova: i * SZ_4K, pa: 0x5000_0000 + i * SZ_4K, size: SZ_4K, prot });
  for (let i = 0; i < 16; i++) armV7sMap(m, pt, tlb, { iova: SZ_16M + i * SZ_64K, pa: 0x6000_0000 + i * SZ_64K, size: SZ_64K, prot });
  for (let i = 0; i < 16; i++) armV7sMap(m, pt, tlb, { iova: 2 * SZ_16M + i * SZ_1M, pa: 0x7000_0000 + i * SZ_1M, size: SZ_1M, prot });
  armV7sMap(m, pt, tlb, { iova: 3 * SZ_16M, pa: 0x4000_0000, size: SZ_16M, prot });
  const p = prngFromSeed(3);
  const iovas = new Float64Array(4096);
  for (let i = 0; i < iovas.length; i++) iovas[i] = nextU32(p) % (5 * SZ_16M);
  let sink = 0;
  const r = rate(() => {
    for (let i = 0; i < iovas.length; i++) sink += armV7sIovaToPhys(m, pt, iovas[i]);
  }, iovas.length);
  if (sink === 0) throw new Error('nothing translated');
  return r;
}

function mapUnmapBench(): number {
  const { m, pt, calls } = setup();
  const tlb = recordingTlbOps(calls);
  m.keepTrace = true; // records are encoded, as for `run --json > /dev/null`
  let iova = 0;
  return rate(() => {
    for (let i = 0; i < 1000; i++) {
      armV7sMap(m, pt, tlb, { iova, pa: 0x5000_0000 + iova, size: SZ_4K, prot: IOMMU_READ });
      armV7sUnmap(m, pt, tlb, { iova, size: SZ_4K });
      iova = (iova + SZ_4K) % (64 * SZ_1M);
    }
    calls.length = 0;
    m.stepRecords.length = 0;
    m.trace.discard();
  }, 1000);
}

export const benches: Bench[] = [
  { name: 'v7s: iova_to_phys walks (all entry types)', unit: 'walks/s', sample: walkBench, target: '>= 500k/s' },
  { name: 'v7s: 4K map+unmap pairs (pte records serialised)', unit: 'pairs/s', sample: mapUnmapBench },
];
