/**
 * iommu_map / iommu_unmap with a size that is not a multiple of the domain's smallest page
 * (drivers/iommu/iommu.c, same text in v5.0.1 and v5.4.1). Both compute
 * `min_pagesz = 1 << __ffs(domain->pgsize_bitmap)` (4 KiB for the M4U's 4K|64K|1M|16M) and
 * check alignment before any ops->map / ops->unmap:
 *   iommu_map:     !IS_ALIGNED(iova | paddr | size, min_pagesz) ->
 *                  pr_err("unaligned: iova 0x%lx pa %pa size 0x%zx min_pagesz 0x%x\n"), -EINVAL
 *   __iommu_unmap: !IS_ALIGNED(iova | size, min_pagesz) ->
 *                  pr_err("unaligned: iova 0x%lx size 0x%zx min_pagesz 0x%x\n"), returns 0
 * with pr_fmt "iommu: ". %pa prints a 64-bit phys_addr_t as 0x and 16 hex digits.
 * So nothing is unmapped or mapped and no page-table word changes.
 */
import { describe, expect, it } from 'vitest';
import { build, kinds, mtkScenario, runAll } from './mtk-helpers.ts';

const hexOf = (n: number): string => '0x' + n.toString(16);

function run(kernel: 'v5.0' | 'v5.4', op: Record<string, unknown>) {
  const recs = runAll(build(mtkScenario('mt8173', kernel, [{ larb: 0, port: 0, ops: [op, { op: 'read', map: 'm', offset: 0, len: 64 }] }])));
  const mapped = kinds(recs, 'map').find((r) => r.api === 'iommu_map')!;
  return { recs, iova: Number(mapped.iova) };
}

describe.each(['v5.0', 'v5.4'] as const)('unaligned iommu_map / iommu_unmap (%s)', (kernel) => {
  it('iommu_unmap of 6 KiB: pr_err, 0 unmapped, no PTE touched, the mapping still reads', () => {
    const { recs, iova } = run(kernel, { op: 'iommu-unmap', map: 'm', offset: 0, len: 0x1800 });
    const i = recs.findIndex((r) => r.kind === 'unmap' && r.api === 'iommu_unmap' && r.size === 0);
    expect(recs[i]).toMatchObject({ iova: hexOf(iova), size: 0, reason: `iommu: unaligned: iova ${hexOf(iova)} size 0x1800 min_pagesz 0x1000` });
    const t = recs[i].t;
    expect(recs.filter((r) => r.t === t && r.kind === 'pte')).toEqual([]);
    expect(kinds(recs, 'dma').at(-1)).toMatchObject({ result: 'ok' });
  });

  it('iommu_map of 6 KiB (a remap): -EINVAL with the pr_err line, nothing mapped', () => {
    const { recs, iova } = run(kernel, { op: 'remap', map: 'm', offset: 0, len: 0x1800, buf: 'b0', bufOffset: 0 });
    const maps = kinds(recs, 'map').filter((r) => r.api === 'iommu_map');
    expect(maps).toHaveLength(2);
    const pa = BigInt(maps[0].pa as string).toString(16).padStart(16, '0');
    expect(maps[1]).toMatchObject({
      result: 'error',
      reason: `iommu: unaligned: iova ${hexOf(iova)} pa 0x${pa} size 0x1800 min_pagesz 0x1000`,
    });
    const t = maps[1].t;
    expect(recs.filter((r) => r.t === t && r.kind === 'pte')).toEqual([]);
  });
});
