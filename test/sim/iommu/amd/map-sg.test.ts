// map_sg's error path (drivers/iommu/amd_iommu.c, map_sg) on v5.0-rc3 and after the v5.0-rc4
// fixes. A 6-entry list of single pages: sg_num_pages = 6, dma_ops_alloc_iova rounds to 8 and
// (32-bit mask, empty domain) alloc_iova takes the top 8 pages below 4 GiB, size aligned:
// pfn 0x100000 - 8 = 0xffff8, so page j of the list is at IOVA 0xffff8000 + j * 0x1000.
// Page k fails (k pages mapped before it). The error loop unmaps page after page:
// - rc3: `if (--mapped_pages) goto out_free_iova;` -> after page 0 the counter is k - 1, which
//   is non-zero for k >= 2 (stop: pages 1..k-1 stay mapped) and -1 for k = 0; for k = 1 it is 0,
//   so page 1 is "unmapped" too and the counter -1 stops the loop: nothing stays mapped.
// - fixed: `if (--mapped_pages == 0)` -> exactly pages 0..k-1.
// Then free_iova_fast(iovad, address, npages) (rc3: the byte address as a pfn) or
// free_iova_fast(iovad, address >> PAGE_SHIFT, npages): order_base_2(6) = 3 < 6, so the
// "pfn" goes into range-cache bin 3 either way; the rbtree keeps its node.
import { describe, expect, it } from 'vitest';
import type { Scatterlist } from '../../../../src/sim/dma/api.ts';
import { amdMapSg } from '../../../../src/sim/iommu/amd/dma-ops.ts';
import { amdIovaToPhys } from '../../../../src/sim/iommu/amd/pgtable.ts';
import { iovaRanges } from '../../../../src/sim/iommu/iova.ts';
import type { KernelVersion } from '../../../../src/sim/kernel.ts';
import { amdMachine, records } from './helpers.ts';

const BASE = 0xffff_8000;
const PAGES = [0, 1, 2, 3, 4, 5].map((j) => BASE + j * 0x1000);

function failAt(kernel: KernelVersion, k: number, dir: 'to-device' | 'none' = 'to-device') {
  const { m, s, dev } = amdMachine({ kernel, mapPageEnomem: dir === 'none' ? [] : [k] });
  const buf = 0x8000_0000;
  const sgl: Scatterlist[] = [0, 1, 2, 3, 4, 5].map((j) => ({ pa: buf + j * 0x1000, length: 0x1000, dmaAddress: 0, dmaLength: 0 }));
  const n = amdMapSg(m, dev('nic0'), sgl, dir);
  const dom = s.domains[s.devs[0].domain];
  const mapped = PAGES.filter((iova) => amdIovaToPhys(m, dom, iova) !== 0);
  const bin3 = dom.iovad!.rcaches[3].cpu[0].loaded;
  return { n, mapped, bin3, ranges: iovaRanges(dom.iovad!), m };
}

describe('map_sg error path: which IOVAs stay mapped after page k fails', () => {
  const rc3: Record<number, number[]> = { 0: [], 1: [], 2: [PAGES[1]], 5: PAGES.slice(1, 5) };
  for (const k of [0, 1, 2, 5]) {
    it(`k = ${k}: v5.0-rc3 leaves ${rc3[k].length} mapped, v5.0 none`, () => {
      const bug = failAt('v5.0-rc3', k);
      expect(bug.n).toBe(0);
      expect(bug.mapped).toEqual(rc3[k]);
      const fixed = failAt('v5.0', k);
      expect(fixed.n).toBe(0);
      expect(fixed.mapped).toEqual([]);
    });
  }

  it('DMA_NONE: dir2prot gives 0, iommu_map_page returns -EINVAL on page 0 (k = 0)', () => {
    for (const kernel of ['v5.0-rc3', 'v5.0', 'v5.4'] as const) {
      const r = failAt(kernel, 0, 'none');
      expect(r.n).toBe(0);
      expect(r.mapped).toEqual([]);
    }
    // v5.4 prints the reason: -EINVAL is -22.
    const text = records(failAt('v5.4', 0, 'none').m).find((x) => x.kind === 'klog' && String(x.text).includes('map_sg'))?.text;
    expect(text).toBe('drv 0000:01:00.0: AMD-Vi: IOMMU mapping error in map_sg (io-pages: 6 reason: -22)');
  });

  it('the IOVA: rc3 caches the byte address as a pfn (the range leaks), the fix caches the pfn', () => {
    const bug = failAt('v5.0-rc3', 3);
    expect(bug.bin3).toEqual([BASE]); // 0xffff8000 "pfn": never below a 32-bit limit again
    expect(bug.ranges.some((r) => r.lo === 0xffff8 && r.hi === 0xfffff)).toBe(true);
    const fixed = failAt('v5.0', 3);
    expect(fixed.bin3).toEqual([0xffff8]); // the next 8-page allocation gets it back
  });

  it('the error lines: v5.0 pr_err without the reason, v5.4 dev_err with it (-ENOMEM = -12)', () => {
    const line = (kernel: KernelVersion) => records(failAt(kernel, 3).m).find((x) => x.kind === 'klog' && String(x.text).includes('map_sg'))?.text;
    expect(line('v5.0')).toBe('AMD-Vi: 0000:01:00.0: IOMMU mapping error in map_sg (io-pages: 6)');
    expect(line('v5.4')).toBe('drv 0000:01:00.0: AMD-Vi: IOMMU mapping error in map_sg (io-pages: 6 reason: -12)');
  });
});
