// A process mmap()s a device's dma_alloc_attrs buffer (mm/mmap.c mmap_region, the driver's
// ->mmap, unmap_and_free_vma on error) and touches it (mm/memory.c do_fault: SIGBUS for a
// VMA page the driver did not insert). Expected values from v5.0.1 / v5.4.1
// drivers/iommu/dma-iommu.c iommu_dma_mmap, drivers/firewire/core-iso.c
// fw_iso_buffer_map_vma, mm/memory.c vm_map_pages(_zero), and the Jan-2019 vm_insert_range.
import { describe, expect, it } from 'vitest';
import type { KernelVersion } from '../../../src/sim/kernel.ts';
import { dmaBuf } from '../../../src/sim/iommu/dma-iommu-alloc.ts';
import { build, expectGolden, runLines } from '../../helpers/scenario.ts';

type R = Record<string, unknown>;
const VA = 0x7f00_0000_0000;
const hex = (n: number) => '0x' + n.toString(16);

function run(name: string, kernel?: KernelVersion, overrides?: Record<string, string>) {
  const { machine: m } = build(name, { kernel, overrides });
  while (m.step());
  const recs = Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as R);
  return { m, recs, of: (kind: string) => recs.filter((r) => r.kind === kind) };
}

/** FNV-1a over `n` copies of `byte` (what dev-op's sum is). */
function fnv(byte: number, n: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

describe('dma-mmap-pgoff: a 4-page buffer into a 4-page VMA at pgoff 1', () => {
  it('v5.0: iommu_dma_mmap returns 0 with pages 1..3 at VMA pages 0..2; the last VMA page is SIGBUS', () => {
    const { m, of } = run('dma-mmap-pgoff');
    const pages = dmaBuf(m, 'disp0', 'fb')!.pages.map((p) => p.pfn * 4096);
    expect(of('dev-mmap')).toEqual([expect.objectContaining({ func: 'iommu_dma_mmap', result: '0', inserted: 3, pgoff: 1, pages: 4 })]);
    const inserts = of('cpu-pte').filter((r) => r.why === 'insert_page');
    expect(inserts.map((r) => r.va)).toEqual([hex(VA), hex(VA + 0x1000), hex(VA + 0x2000)]);
    // Present, RW, user, accessed: the frame of buffer page i + 1 (x86-64 PTE words).
    expect(inserts.map((r) => r.new)).toEqual(pages.slice(1).map((pa) => hex(pa + 0x27)));
    expect(of('mm').filter((r) => r.op === 'sigbus' || r.op === 'sigsegv')).toEqual([
      expect.objectContaining({ op: 'sigbus', start: hex(VA + 0x3000) }),
    ]);
    // The process wrote 64 x 0x5a at VMA page 0, which is buffer page 1: the device reads it at fb + 4K.
    expect(of('dev-op')).toEqual([expect.objectContaining({ src: '0xffffd000', sum: fnv(0x5a, 64) })]);
  });

  it('v5.4: iommu_dma_mmap refuses with -ENXIO, no page is inserted, the VMA is gone (SIGSEGV)', () => {
    const { of } = run('dma-mmap-pgoff', 'v5.4');
    expect(of('dev-mmap')).toEqual([expect.objectContaining({ func: 'iommu_dma_mmap', result: '-ENXIO', inserted: 0, reason: 'vma_pages 4 > nr_pages 4 - off 1' })]);
    expect(of('cpu-pte')).toEqual([]);
    expect(of('mm').filter((r) => r.op === 'sigsegv').map((r) => r.start)).toEqual([0, 1, 2, 3].map((i) => hex(VA + i * 0x1000)));
    expect(of('dev-op')).toEqual([expect.objectContaining({ sum: fnv(0, 64) })]);
  });

  it('the Jan-2019 conversion (override on v5.0): vm_insert_range refuses with -ENXIO', () => {
    const { of } = run('dma-mmap-pgoff', 'v5.0', { 'dma-iommu-mmap': 'vm_insert_range' });
    expect(of('dev-mmap')).toEqual([expect.objectContaining({ func: 'vm_insert_range', result: '-ENXIO', reason: 'VMA of 4 pages > 3 pages left after offset 1' })]);
  });

  it('matches the golden traces (v5.0, v5.4, Jan-2019; seed 1)', () => {
    expectGolden('dma-mmap-pgoff.v5.0.seed-1.jsonl', runLines('dma-mmap-pgoff'));
    expectGolden('dma-mmap-pgoff.v5.4.seed-1.jsonl', runLines('dma-mmap-pgoff', { kernel: 'v5.4' }));
    expectGolden('dma-mmap-pgoff.vm_insert_range.seed-1.jsonl', runLines('dma-mmap-pgoff', { overrides: { 'dma-iommu-mmap': 'vm_insert_range' } }));
  });
});

describe('vm-map-pages-zero: a driver that ignores vm_pgoff', () => {
  const cases: { kernel: KernelVersion; overrides: Record<string, string>; funcs: string[]; results: string[]; inserted: number[] }[] = [
    // [VMA pages, pgoff]: 4 at pgoff 3, 2 at 0, 6 at 0
    { kernel: 'v5.0', overrides: {}, funcs: ['fw_iso_buffer_map_vma', 'fw_iso_buffer_map_vma', 'fw_iso_buffer_map_vma'], results: ['0', '-EFAULT', '0'], inserted: [4, 2, 4] },
    { kernel: 'v5.0', overrides: { 'dma-iommu-mmap': 'vm_insert_range' }, funcs: ['vm_insert_range_buggy', 'vm_insert_range_buggy', 'vm_insert_range_buggy'], results: ['0', '0', '-ENXIO'], inserted: [4, 2, 0] },
    { kernel: 'v5.4', overrides: {}, funcs: ['vm_map_pages_zero', 'vm_map_pages_zero', 'vm_map_pages_zero'], results: ['0', '0', '-ENXIO'], inserted: [4, 2, 0] },
  ];
  for (const c of cases) {
    it(`${c.funcs[0]} (${c.kernel}): ${c.results.join(', ')}`, () => {
      const { m, of } = run('vm-map-pages-zero', c.kernel, c.overrides);
      const maps = of('dev-mmap');
      expect(maps.map((r) => r.func)).toEqual(c.funcs);
      expect(maps.map((r) => r.result)).toEqual(c.results);
      expect(maps.map((r) => r.inserted)).toEqual(c.inserted);
      // pgoff 3 is ignored: vm_start maps buffer page 0, not page 3.
      const page0 = dmaBuf(m, 'cam0', 'frames')!.pages[0].pfn * 4096;
      expect(of('cpu-pte').find((r) => r.va === hex(VA))?.new).toBe(hex(page0 + 0x27));
      // The 6-page VMA: v5.0 keeps it short (SIGBUS at page 4), the others refused it (SIGSEGV).
      const fault = of('mm').find((r) => r.start === hex(VA + 0x20_4000) && (r.op === 'sigbus' || r.op === 'sigsegv'));
      expect(fault?.op).toBe(c.results[2] === '0' ? 'sigbus' : 'sigsegv');
    });
  }

  it('v5.0\'s -EFAULT leaves no PTE behind: unmap_and_free_vma zaps the two pages it had inserted', () => {
    const { of } = run('vm-map-pages-zero', 'v5.0');
    const b = of('cpu-pte').filter((r) => (r.va as string).startsWith('0x7f00001'));
    expect(b.map((r) => `${r.why as string}@${r.va as string}`)).toEqual([
      'insert_page@0x7f0000100000', 'insert_page@0x7f0000101000', 'zap_pte_range@0x7f0000100000', 'zap_pte_range@0x7f0000101000',
    ]);
  });

  it('matches the golden traces (v5.4, v5.0, Jan-2019; seed 1)', () => {
    expectGolden('vm-map-pages-zero.v5.4.seed-1.jsonl', runLines('vm-map-pages-zero'));
    expectGolden('vm-map-pages-zero.v5.0.seed-1.jsonl', runLines('vm-map-pages-zero', { kernel: 'v5.0' }));
    expectGolden('vm-map-pages-zero.vm_insert_range.seed-1.jsonl', runLines('vm-map-pages-zero', { kernel: 'v5.0', overrides: { 'dma-iommu-mmap': 'vm_insert_range' } }));
  });
});
