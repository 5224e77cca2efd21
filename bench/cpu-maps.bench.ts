/**
 * CPU views of DMA memory: s3cmci PIO blocks per second (a 128-block request through
 * sg_virt, and through the kmap_atomic patch into highmem, trace serialised to nowhere),
 * kmap_atomic/kunmap_atomic pairs of a highmem page, and dev-mmap of a 64-page buffer
 * (vm_map_pages inserting every page, then munmap).
 */
import { type Bench, rate, runDrained } from './harness.ts';
import { parseScenarioText } from '../src/scenario/load.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { Machine } from '../src/sim/machine.ts';
import { armLayout } from '../src/sim/kmem/layout.ts';
import { kmemCreate } from '../src/sim/kmem/state.ts';
import { kmapAtomic, kunmapAtomic } from '../src/sim/kmem/highmem.ts';

function scenario(obj: Record<string, unknown>) {
  const r = parseScenarioText(JSON.stringify({ version: 1, name: 'bench', description: 'bench', ...obj }), 'bench.json');
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.scenario;
}

/** Blocks per second of s3cmci reads: 128 blocks of 512 bytes (64 KiB) per request, 8 requests. */
function pioBlocks(patched: boolean): number {
  const s = scenario({
    kernel: 'v5.4',
    overrides: patched ? { 's3cmci-highmem': 'kmap_atomic' } : {},
    memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: [{ name: 'b', size: '64K', addr: patched ? '0x90000000' : '0x40100000' }] },
    devices: [{ kind: 's3cmci', name: 'sdi', requests: Array.from({ length: 8 }, (_, i) => ({ op: 'read', sector: i * 128, bio: [{ buf: 'b', len: '64K' }] })) }],
  });
  return rate(() => {
    const { machine: m } = buildMachine(s);
    if (runDrained(m) === 0) throw new Error('no output');
  }, 8 * 128, 1000);
}

function kmapPairs(): number {
  const dram = [{ base: 0x4000_0000, size: 0x8000_0000 }];
  const m = new Machine({ scenario: 'bench', seed: 1, kernel: 'v5.4', overrides: {}, dram });
  kmemCreate(m, armLayout({ pageOffset: 0xc000_0000, dram }), false);
  m.keepTrace = false;
  const body = () => {
    for (let i = 0; i < 1000; i++) kunmapAtomic(m, kmapAtomic(m, 0x9000_0000 + (i & 63) * 4096));
    m.stepRecords.length = 0;
  };
  rate(body, 1000, 200);
  return rate(body, 1000, 500);
}

/** dev-mmap of a 64-page buffer and munmap, 200 times, per second. */
function devMmaps(): number {
  const ops = [];
  for (let i = 0; i < 200; i++) {
    ops.push({ op: 'dev-mmap', at: 100_000 + i * 2000, device: 'disp0', buffer: 'fb', start: '0x7f0000000000', size: '256K' });
    ops.push({ op: 'munmap', at: 101_000 + i * 2000, start: '0x7f0000000000', size: '256K' });
  }
  const s = scenario({
    kernel: 'v5.4',
    memory: { dram: [{ base: '0x40000000', size: '0x40000000' }] },
    mtk: { soc: 'mt8173' },
    devices: [{ kind: 'mtk-engine', name: 'disp0', engine: 'disp', larb: 0, port: 0, start: '1us', ops: [{ op: 'larb-get' }, { op: 'alloc', as: 'fb', len: '256K' }] }],
    processes: [{ name: 'app', ops }],
  });
  return rate(() => {
    const { machine: m } = buildMachine(s);
    m.keepTrace = false;
    while (m.step());
  }, 200, 1000);
}

export const benches: Bench[] = [
  { name: 's3cmci: PIO blocks, sg_virt into lowmem, JSON to nowhere', unit: 'blocks/s', sample: () => pioBlocks(false), samples: 3 },
  { name: 's3cmci: PIO blocks, kmap_atomic into highmem, JSON to nowhere', unit: 'blocks/s', sample: () => pioBlocks(true), samples: 3 },
  { name: 'kmem: kmap_atomic + kunmap_atomic of a highmem page', unit: 'pairs/s', sample: kmapPairs },
  { name: 'mm: dev-mmap of a 64-page buffer (vm_map_pages) + munmap', unit: 'mmaps/s', sample: devMmaps, samples: 3 },
];
