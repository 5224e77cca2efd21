// `info kmem` and the VMA lines of `info notifiers` are how a user sees the CPU side of a
// DMA buffer at a stop: pin their wording after the s3cmci copy-back (v5.0: the
// kmap_atomic of the highmem page is released, its fixmap PTE stays) and after the short mmap of dma-mmap-pgoff (v5.0).
import { describe, expect, it } from 'vitest';
import { build } from '../helpers/scenario.ts';
import { inspector } from '../../src/debugger/inspect/index.ts';
import { dmaBuf } from '../../src/sim/iommu/dma-iommu-alloc.ts';

function info(built: ReturnType<typeof build>, topic: string): string[] {
  return inspector(topic)!.run({ machine: built.machine, built }, []);
}

describe('info kmem', () => {
  it('shows the lowmem/highmem split, the fixmap slot the copy-back used and kmemleak off', () => {
    const b = build('s3cmci-highmem', { kernel: 'v5.0' });
    const m = b.machine;
    // Run to the event that copies the bounce page back (kmap_atomic held inside it).
    while (m.step() && !m.stepRecords.some((r) => r.kind === 'blk-bounce' && r.op === 'copy-back'));
    expect(info(b, 'kmem')).toEqual([
      'lowmem  pa 0x40000000-0x70000000 at va 0xc0000000-0xf0000000 (768 MiB, linear)',
      'highmem pa 0x70000000-0xc0000000 (1280 MiB): no kernel mapping unless kmap/kmap_atomic',
      'pkmap (kmap): 0 of 512 slots mapped',
      'fixmap (kmap_atomic, CPU 0): 0 held',
      // FIX_KMAP_BEGIN (1) -> __fix_to_virt(1) = 0xffefe000, left mapped by kunmap_atomic.
      '  idx 1 va 0xffefe000 -> pa 0x90000000  stale PTE (kunmap_atomic leaves it)',
      'kmemleak: off (CONFIG_DEBUG_KMEMLEAK not set)',
    ]);
  });

  it('lists kmemleak objects when CONFIG_DEBUG_KMEMLEAK is on', () => {
    const b = build('v7s-kmemleak');
    const m = b.machine;
    // Up to the first map that needed an L2 table: one slab object, painted black.
    while (m.step() && !m.stepRecords.some((r) => r.kind === 'pgtable-table' && r.level === 2));
    expect(info(b, 'kmem').slice(-2)).toEqual(['kmemleak: 1 object(s)', '  0xc1004000 size 1024 black (ignored)  kmem_cache_zalloc(io-pgtable_armv7s_l2)']);
  });
});

describe('info notifiers shows each VMA and its present pages', () => {
  it('dma-mmap-pgoff on v5.0: 3 of 4 pages present, buffer pages 1..3', () => {
    const b = build('dma-mmap-pgoff');
    const m = b.machine;
    while (m.step() && !m.stepRecords.some((r) => r.kind === 'dev-mmap'));
    const pages = dmaBuf(m, 'disp0', 'fb')!.pages.map((p) => '0x' + (p.pfn * 4096).toString(16));
    expect(info(b, 'notifiers')).toEqual([
      'mm app: 0 subscriber(s), called newest first',
      '  vma 0x7f0000000000-0x7f0000004000 rw shared driver (disp0) pgoff 1: 3/4 pages present',
      `    0x7f0000000000 -> ${pages[1]} rw`,
      `    0x7f0000001000 -> ${pages[2]} rw`,
      `    0x7f0000002000 -> ${pages[3]} rw`,
    ]);
  });
});
