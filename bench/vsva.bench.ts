/**
 * Nested translation on a DMAR unit (the vsva section): requests with PASID through
 * vtdNestedTranslate on the IOTLB-hit path and on the miss path (a 1-entry IOTLB, two pages
 * alternating: every request reads the PASID entry and walks 4 first-level words, each
 * through a 3-level second-level walk, then the output's: 19 words), beside the plain
 * second-level miss of vtd.bench.ts for scale.
 */
import { type Bench, rate } from './harness.ts';
import { Scenario } from '../src/scenario/schema/index.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { vtdNestedTranslate } from '../src/sim/iommu/intel/nested.ts';
import { VTD_MODEL } from '../src/sim/iommu/intel/state.ts';
import type { Machine } from '../src/sim/machine.ts';

/** A guest bound to PASID 1 of vf0 with two pages mapped, right after the second map. */
function bound(iotlbEntries: number): Machine {
  const ops = [
    { op: 'register-allocator', guest: 'vm0' },
    { op: 'ioasid-alloc', kernel: 'vm0' },
    { op: 'bind-gpasid', dev: 'vf0', pasid: 1 },
    { op: 'guest-map', dev: 'vf0', va: '0x400000', gpa: '0x100000' },
    { op: 'guest-map', dev: 'vf0', va: '0x401000', gpa: '0x101000' },
  ].map((o, i) => ({ ...o, at: 1000 * (i + 1) }));
  const s = Scenario.parse({
    version: 1,
    name: 'bench',
    description: 'bench',
    kernel: 'v5.4',
    overrides: { ioasid: 'present' },
    memory: { dram: [{ base: '0x80000000', size: '64M' }] },
    vtd: { cmdline: 'on,sm_on', units: [{ smts: true, pasid: true, nest: true, superpages: ['2M'], iotlbEntries }] },
    vsva: { guests: [{ name: 'vm0', ram: { hpa: '0x81000000', size: '16M' }, vcmdLatency: 10 }], devices: [{ name: 'vf0', guest: 'vm0', ats: false }], ops },
  });
  const { machine: m } = buildMachine(s);
  m.keepTrace = false;
  while (m.step()) {
    /* run the binds and maps */
  }
  return m;
}

function nested(iotlbEntries: number, stride: number): number {
  const m = bound(iotlbEntries);
  const s = m.model(VTD_MODEL);
  const u = s.units[0];
  const info = s.devs.vf0;
  const before = u.iotlb.misses;
  const r = rate(() => {
    for (let i = 0; i < 10_000; i++) if (!vtdNestedTranslate(m, u, info, 1, 0x400000 + (i & 1) * stride, false).ok) throw new Error('nested bench faulted');
  }, 10_000);
  if (iotlbEntries === 1 && u.iotlb.misses - before < 10_000) throw new Error('miss bench is not missing');
  return r;
}

export const benches: Bench[] = [
  { name: 'vsva: nested translations, IOTLB hit', unit: 'xlate/s', sample: () => nested(64, 0x40) },
  { name: 'vsva: nested translations, IOTLB miss (19-word walk + fill)', unit: 'xlate/s', sample: () => nested(1, 0x1000) },
];
