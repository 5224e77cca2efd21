/**
 * intel_alloc_iova's sequence on a scripted workload (vtd-iova-alloc), derived by hand from
 * drivers/iommu/intel-iommu.c intel_alloc_iova (nrpages = __roundup_pow_of_two, below
 * 4 GiB first when the mask is wider and not forcedac, then up to min(mask,
 * DOMAIN_MAX_ADDR(gaw))) and drivers/iommu/iova.c (__alloc_and_insert_iova_range walks down
 * from the cached node, size-aligned; free_iova_fast / iova_rcache_get give a freed range
 * back first). Each domain's tree starts with the IOAPIC reservation [0xfee00, 0xfeeff]
 * (dmar_init_reserved_ranges) and the anchor.
 */
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import { loadScenario } from '../../../helpers/scenario.ts';

function maps(cmdline?: string, kernel?: 'v5.0' | 'v5.4'): Record<string, (string | undefined)[]> {
  const s = loadScenario('vtd-iova-alloc');
  const m = buildMachine(cmdline === undefined ? s : { ...s, vtd: { ...s.vtd!, cmdline } }, { kernel }).machine;
  while (m.step()) {
    /* run */
  }
  const out: Record<string, (string | undefined)[]> = {};
  for (let i = 0; i < m.trace.count; i++) {
    const r = JSON.parse(m.trace.line(i)) as Record<string, string>;
    if (r.kind === 'map' && r.api === 'dma_map_single') (out[r.dev] ??= []).push(r.result === 'ok' ? r.iova : 'error');
  }
  return out;
}

describe('intel_alloc_iova on vtd-iova-alloc', () => {
  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`the 64-bit NIC and the 32-bit device (${kernel})`, () => {
      const got = maps(undefined, kernel);
      expect(got.nic0).toEqual([
        // 4K: 1 page under limit 0xfffff (the 32-bit try): below the anchor, new_pfn = 0x100000 - 1.
        '0xfffff000',
        // 12K at offset 0: 3 pages -> 4, aligned to 4 below the cached32 node 0xfffff: align(0xffffb) = 0xffff8.
        '0xffff8000',
        // 8K at offset 0x100 in its page: aligned_nrpages = 3 -> 4; align(0xffff8 - 4) = 0xffff4, plus the offset.
        '0xffff4100',
        // After unmapping the first 4K (strict: free_iova_fast puts pfn 0xfffff in the rcache): the cache gives it back.
        '0xfffff000',
        // 3 GiB: 786432 pages -> 2^20. The 32-bit try fails at once (size >= max32_alloc_size = 2^20);
        // up to DOMAIN_MAX_ADDR(48) >> 12 = 2^36 - 1 from the anchor: 2^36 - 2^20 = 0xffff00000.
        '0xffff00000000',
      ]);
      expect(got.dev32).toEqual([
        // Its own domain: the same first answer.
        '0xfffff000',
        // 2^20 pages below 4 GiB never fit (max32_alloc_size): "Allocating 1048576-page iova failed".
        'error',
        // 8K: 2 pages, align(0xfffff - 2, 2) = 0xffffc.
        '0xffffc000',
      ]);
    });
  }

  it('forcedac: the NIC skips the below-4 GiB try and allocates from the top of its 48-bit space', () => {
    const got = maps('strict,forcedac');
    // 1 page below 2^36: pfn 0xfffffffff; 4 pages below that cached node: align(0xffffffffb, 4) = 0xffffffff8;
    // the 8K at offset 0x100: align(0xffffffff4, 4); the freed 4K from the rcache; then 2^20 pages below
    // the cached node 0xffffffff4: align(0xffffffff4 - 0x100000, 0x100000) = 0xfffe00000.
    expect(got.nic0).toEqual(['0xfffffffff000', '0xffffffff8000', '0xffffffff4100', '0xfffffffff000', '0xfffe00000000']);
    // A 32-bit mask never takes the forcedac path's above-4 GiB space: its answers do not change.
    expect(got.dev32).toEqual(['0xfffff000', 'error', '0xffffc000']);
  });
});
