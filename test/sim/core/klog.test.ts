/**
 * The kernel's own log lines (`klog` records) at the models' printk call sites. Each expected
 * line is the kernel's format string with the values derived by hand; the source is cited
 * per case, and where v5.0.1 and v5.4.1 word it differently both are checked.
 */
import { describe, expect, it } from 'vitest';
import { build, kinds, mtkScenario, runAll } from '../iommu/mtk-helpers.ts';
import { drain, poolMachine } from '../dma/pool.ts';
import { dmaMapSingle } from '../../../src/sim/dma/api.ts';
import { alloc, machine, records, SELFTEST_LIKE } from '../pgtable/arm-v7s/helpers.ts';
import { armV7sMap } from '../../../src/sim/pgtable/arm-v7s/map.ts';
import { armV7sUnmap } from '../../../src/sim/pgtable/arm-v7s/unmap.ts';
import { recordingTlbOps } from '../../../src/sim/pgtable/arm-v7s/tlb.ts';
import { IOMMU_READ } from '../../../src/sim/pgtable/prot.ts';
import { RATELIMIT_BURST } from '../../../src/sim/core/printk.ts';

const klog = (recs: Record<string, unknown>[]) => kinds(recs, 'klog').map((r) => `${r.level}: ${r.text}`);
const faultOps = [{ op: 'access', iova: '0x10000000', len: 16, dir: 'write' }, { op: 'delay', ns: 1000 }];

describe('mtk_iommu_isr: dev_err_ratelimited "fault type=0x%x iova=0x%x pa=0x%x larb=%d port=%d layer=%d %s"', () => {
  // drivers/iommu/mtk_iommu.c mtk_iommu_isr, same format in v5.0.1 (line 227) and v5.4.1
  // (line 277). int_state is FAULT_ST1 (bit 0: mmu0 translation fault); fault_iova the raw
  // FAULT_VA (bit 1 write, bit 0 layer: a write of 0x10000000 reads back 0x10000002); no PA
  // for a translation fault; dev_name of the M4U is "10205000.iommu".
  it('v5.0, mt8173 larb 3 port 2 (no larbid remap)', () => {
    const recs = runAll(build(mtkScenario('mt8173', 'v5.0', [{ larb: 3, port: 2, ops: faultOps }])));
    expect(klog(recs)).toContain('err: mtk-iommu 10205000.iommu: fault type=0x1 iova=0x10000002 pa=0x0 larb=3 port=2 layer=0 write');
  });
  it('v5.4, mt8183 larb 0 port 1', () => {
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', [{ larb: 0, port: 1, ops: faultOps }])));
    expect(klog(recs)).toContain('err: mtk-iommu 10205000.iommu: fault type=0x1 iova=0x10000002 pa=0x0 larb=0 port=1 layer=0 write');
  });
  it('a read prints "read"', () => {
    const ops = [{ op: 'access', iova: '0x10000000', len: 16, dir: 'read' }, { op: 'delay', ns: 1000 }];
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', [{ larb: 0, port: 1, ops }])));
    expect(klog(recs)).toContain('err: mtk-iommu 10205000.iommu: fault type=0x1 iova=0x10000000 pa=0x0 larb=0 port=1 layer=0 read');
  });
});

describe('swiotlb_tbl_map_single not_found: dev_warn under printk_ratelimit()', () => {
  // kernel/swiotlb.c (v5.0.1 line 524): "swiotlb buffer is full (sz: %zd bytes)";
  // v5.4.1 (line 556) adds ", total %lu (slots), used %lu (slots)" (io_tlb_nslabs, io_tlb_used).
  // A 128-slot pool (256 KiB) with 124 slots taken cannot give 8 more. Then dma_direct_map_page's
  // report_addr (kernel/dma/direct.c) prints its dev_err_once "overflow %pad+%zu of DMA mask
  // %llx bus mask %llx" with the address it was asked to map (%pad: 16 hex digits).
  const ORIG = 0x1_0000_0000;
  function full(kernel: 'v5.0' | 'v5.4') {
    const { m, dev } = poolMachine({ kernel, nslabs: 128 });
    const d = dev('d', 32);
    dmaMapSingle(m, d, ORIG, 124 * 2048, 'to-device');
    dmaMapSingle(m, d, ORIG + 0x10000, 16384, 'to-device');
    return drain(m).filter((r) => r.kind === 'klog').map((r) => `${r.level}: ${r.text}`);
  }
  it('v5.0: the size only', () => {
    expect(full('v5.0')).toEqual(['warning: test d: swiotlb buffer is full (sz: 16384 bytes)', 'err: test d: overflow 0x0000000100010000+16384 of DMA mask ffffffff bus mask 0']);
  });
  it('v5.4: with the pool total and used slots', () => {
    expect(full('v5.4')).toEqual(['warning: test d: swiotlb buffer is full (sz: 16384 bytes), total 128 (slots), used 124 (slots)', 'err: test d: overflow 0x0000000100010000+16384 of DMA mask ffffffff bus mask 0']);
  });
  it('printk_ratelimit(): 10 lines in a 5 s window, report_addr once per boot', () => {
    const { m, dev } = poolMachine({ kernel: 'v5.4', nslabs: 128 });
    const d = dev('d', 32);
    dmaMapSingle(m, d, ORIG, 128 * 2048, 'to-device');
    for (let i = 0; i < 15; i++) dmaMapSingle(m, d, ORIG + 0x10000, 4096, 'to-device');
    const lines = drain(m).filter((r) => r.kind === 'klog').map((r) => String(r.text));
    expect(lines.filter((t) => t.includes('swiotlb buffer is full'))).toHaveLength(RATELIMIT_BURST);
    expect(RATELIMIT_BURST).toBe(10); // include/linux/ratelimit.h DEFAULT_RATELIMIT_BURST
    expect(lines.filter((t) => t.includes('overflow'))).toHaveLength(1);
  });
});

describe('io-pgtable-arm-v7s WARN_ON splats: "WARNING: CPU: 0 PID: 1 at FILE:LINE FUNC"', () => {
  // kernel/panic.c __warn's first line; the WARN_ONs of drivers/iommu/io-pgtable-arm-v7s.c
  // sit at: v5.4.1 arm_v7s_init_pte 435 (!selftest_running), arm_v7s_map 531 (iova/paddr
  // range), __arm_v7s_unmap 655 (invalid PTE); v5.0.1 at 391, 487 and 610.
  it.each([
    ['v5.4', [435, 531, 655]],
    ['v5.0', [391, 487, 610]],
  ] as const)('%s', (kernel, [a, b, c]) => {
    const m = machine();
    const pt = alloc(m, SELFTEST_LIKE(kernel));
    const tlb = recordingTlbOps([]);
    armV7sMap(m, pt, tlb, { iova: 0, pa: 0, size: 0x1000, prot: IOMMU_READ });
    armV7sMap(m, pt, tlb, { iova: 0, pa: 0, size: 0x1000, prot: IOMMU_READ });
    armV7sMap(m, pt, tlb, { iova: 0, pa: 2 ** 32, size: 0x1000, prot: IOMMU_READ });
    armV7sUnmap(m, pt, tlb, { iova: 0x1000000, size: 0x1000 });
    const f = 'drivers/iommu/io-pgtable-arm-v7s.c';
    expect(records(m, 'klog').map((r) => r.text)).toEqual([
      `WARNING: CPU: 0 PID: 1 at ${f}:${a} arm_v7s_init_pte`,
      `WARNING: CPU: 0 PID: 1 at ${f}:${b} arm_v7s_map`,
      `WARNING: CPU: 0 PID: 1 at ${f}:${c} __arm_v7s_unmap`,
    ]);
  });
});

describe('iommu.c: pr_err "iommu: unaligned: ..." (pr_fmt "iommu: ")', () => {
  // drivers/iommu/iommu.c __iommu_unmap, same text in v5.0.1 and v5.4.1:
  // "unaligned: iova 0x%lx size 0x%zx min_pagesz 0x%x".
  it.each(['v5.0', 'v5.4'] as const)('%s: an unmap of 6 KiB', (kernel) => {
    const recs = runAll(build(mtkScenario('mt8173', kernel, [{ larb: 0, port: 0, ops: [{ op: 'iommu-unmap', map: 'm', offset: 0, len: 0x1800 }, { op: 'read', map: 'm', offset: 0, len: 64 }] }])));
    const iova = Number(kinds(recs, 'map').find((r) => r.api === 'iommu_map')!.iova);
    expect(klog(recs)).toContain(`err: iommu: unaligned: iova 0x${iova.toString(16)} size 0x1800 min_pagesz 0x1000`);
  });
});
