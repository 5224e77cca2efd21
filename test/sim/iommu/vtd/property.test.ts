/**
 * Random dma_map_single / dma_unmap_single sequences through intel_dma_ops on a 4-level
 * domain (strict and lazy), checked after every operation against an independent dictionary
 * of live mappings (IOVA page -> PA page):
 * - the second-level table (walked from memory) translates every live page to its PA and
 *   no freed page at all;
 * - the device's view through the hardware (IOTLB, else the walk) agrees: live pages reach
 *   their PA, freed pages fault — so no IOTLB entry outlives its unmap;
 * - every unmap is followed, before its IOVA can be handed out again, by an IOTLB
 *   invalidation covering it (strict: at once; lazy: when the flush queue flushes).
 */
import { describe, expect, it } from 'vitest';
import { intBelow, prngFromSeed, type Prng } from '../../../../src/sim/core/prng.ts';
import { Scenario } from '../../../../src/scenario/schema/index.ts';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import type { Machine } from '../../../../src/sim/machine.ts';
import { DEVICES, type DeviceBase } from '../../../../src/sim/devices/device.ts';
import { dmaOpsKey, type DmaDirection } from '../../../../src/sim/dma/api.ts';
import { translationCreate } from '../../../../src/sim/devices/port.ts';
import { vtdTranslate } from '../../../../src/sim/iommu/intel/translate.ts';
import { VTD_MODEL } from '../../../../src/sim/iommu/intel/state.ts';
import { vtdIovaToPhys } from '../../../../src/sim/pgtable/vtd/index.ts';
import { IOVA_FQ_TIMEOUT_NS } from '../../../../src/sim/iommu/iova.ts';

const PAGE = 4096;
const DRAM = 0x4000_0000;

function machine(cmdline: string): { m: Machine; dev: DeviceBase } {
  const s = Scenario.parse({
    version: 1,
    name: 'prop',
    description: 'property test machine',
    memory: { dram: [{ base: '0x10000000', size: '0x40000000' }] },
    vtd: { cmdline },
    devices: [{ kind: 'bus-master', name: 'nic0', bdf: '00:03.0', dmaMask: 64, ops: [{ op: 'delay', ns: 1 }] }],
  });
  const { machine: m } = buildMachine(s);
  while (m.state.events < 2 && m.step()) {
    /* boot: the default domain is attached (v5.4) */
  }
  m.keepTrace = true;
  return { m, dev: m.model(DEVICES).list[0] };
}

const out = translationCreate();

interface Live {
  iova: number;
  pa: number;
  size: number;
}

/** The invalidations recorded since `from`: do they cover [iova, iova + len)? */
function covered(m: Machine, from: number, did: number, iova: number, len: number): boolean {
  for (let i = from; i < m.trace.count; i++) {
    const r = m.trace.record(i);
    if (r.kind !== 'iotlb-inval') continue;
    if (r.gran === 'global' || (r.gran === 'domain' && r.did === did)) return true;
    if (r.gran === 'page' && r.did === did && r.start! <= iova && r.end! >= iova + len) return true;
  }
  return false;
}

function run(seed: number, cmdline: string, ops: number): void {
  const { m, dev } = machine(cmdline);
  const prng: Prng = prngFromSeed(seed);
  const dma = m.service(dmaOpsKey(dev.dmaOps));
  const vtd = m.model(VTD_MODEL);
  const dom = vtd.domains[0];
  const levels = dom.pt.agaw + 2;
  const live: Live[] = [];
  const freed: { iova: number; size: number; from: number }[] = [];
  const expectPage = (iova: number, pa: number | undefined, what: string) => {
    expect(vtdIovaToPhys(m.state.mem, dom.pt.pgd, levels, iova), `${what}: table at ${iova.toString(16)}`).toBe(pa ?? 0);
    const ok = vtdTranslate(m, dev, iova, false, out);
    expect(ok ? out.pa : undefined, `${what}: device read at ${iova.toString(16)} (${out.hit})`).toBe(pa);
  };
  for (let step = 0; step < ops; step++) {
    if (live.length && (intBelow(prng, 3) === 0 || live.length > 40)) {
      const [v] = live.splice(intBelow(prng, live.length), 1);
      const from = m.trace.count;
      dma.unmapPage(m, dev, v.iova, v.size, 'bidirectional', 'dma_unmap_single');
      if (cmdline.includes('strict')) expect(covered(m, from, dom.did, v.iova - (v.iova % PAGE), v.size + (v.iova % PAGE)), `unmap ${v.iova.toString(16)} invalidated`).toBe(true);
      freed.push({ iova: v.iova - (v.iova % PAGE), size: Math.ceil(((v.iova % PAGE) + v.size) / PAGE) * PAGE, from });
    } else {
      // Sizes from a few bytes to 3 MiB; offsets inside the first page; PAs anywhere in a 512 MiB window
      // (2 MiB-aligned now and then, so superpages appear).
      const big = intBelow(prng, 8) === 0;
      const size = big ? (1 + intBelow(prng, 3)) * 0x20_0000 : 1 + intBelow(prng, 6 * PAGE);
      const off = big ? 0 : intBelow(prng, PAGE);
      const pa = DRAM + (big ? intBelow(prng, 256) * 0x20_0000 : intBelow(prng, 0x2_0000) * PAGE + off);
      const dir: DmaDirection = 'bidirectional';
      const iova = dma.mapPage(m, dev, pa, size, dir, 'dma_map_single');
      expect(iova, 'map failed').toBeGreaterThan(0);
      expect(iova % PAGE).toBe(pa % PAGE);
      // A new mapping never reuses an IOVA whose unmap has not been invalidated yet.
      for (const f of freed) {
        if (iova < f.iova + f.size && iova + size > f.iova) expect(covered(m, f.from, dom.did, f.iova, f.size), 'reused before invalidation').toBe(true);
      }
      live.push({ iova, pa, size });
    }
    // Touch a few live pages (fills the IOTLB), then check live and freed pages.
    for (let k = 0; k < 3 && live.length; k++) {
      const v = live[intBelow(prng, live.length)];
      const a = v.iova + intBelow(prng, v.size);
      const page = a - (a % PAGE);
      expectPage(page, v.pa - (v.pa % PAGE) + (page - (v.iova - (v.iova % PAGE))), 'touch');
    }
    for (const v of live) {
      const first = v.iova - (v.iova % PAGE);
      const last = v.iova + v.size - 1;
      for (const p of [first, last - (last % PAGE)]) expectPage(p, v.pa - (v.pa % PAGE) + (p - first), 'live');
    }
    if (cmdline.includes('strict')) {
      for (const f of freed.slice(-5)) {
        const stillLive = live.some((v) => f.iova < v.iova + v.size && f.iova + PAGE > v.iova - (v.iova % PAGE));
        if (!stillLive) expectPage(f.iova, undefined, 'freed');
      }
    } else if (intBelow(prng, 10) === 0) {
      // Let the flush queue's timer fire: every queued unmap is invalidated by then.
      m.state.now += IOVA_FQ_TIMEOUT_NS;
      while (m.pending && m.step()) {
        /* run the timer */
      }
    }
  }
}

describe('VT-d map/unmap property', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`strict, seed ${seed}`, () => run(seed, 'strict', 150));
  }
  for (const seed of [11, 12, 13, 14]) {
    it(`lazy (flush queue), seed ${seed}`, () => run(seed, '', 150));
  }
});

describe('VT-d walks over two machines', () => {
  // The walker remembers the page each level's table was last read from. Two machines built
  // from one scenario put their tables at the same physical addresses, so only the memory a
  // page came from tells them apart: each machine's walk must read its own tables.
  it('a walk in one machine never reads the other\'s tables', () => {
    const a = machine('strict');
    const b = machine('strict');
    const size = 16 * PAGE;
    const iovaA = a.m.service(dmaOpsKey(a.dev.dmaOps)).mapPage(a.m, a.dev, DRAM, size, 'bidirectional', 'dma_map_single');
    const iovaB = b.m.service(dmaOpsKey(b.dev.dmaOps)).mapPage(b.m, b.dev, DRAM + 0x10_0000, size, 'bidirectional', 'dma_map_single');
    expect(iovaB).toBe(iovaA);
    for (let p = 0; p < size; p += PAGE) {
      // A new page each time: an IOTLB miss, so each translation walks.
      expect(vtdTranslate(a.m, a.dev, iovaA + p, false, out) && out.pa).toBe(DRAM + p);
      expect(vtdTranslate(b.m, b.dev, iovaB + p, false, out) && out.pa).toBe(DRAM + 0x10_0000 + p);
    }
  });
});
