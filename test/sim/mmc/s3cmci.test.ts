// The s3cmci PIO host fed by the block layer, every address derived by hand from:
// drivers/mmc/core/queue.c mmc_setup_queue (v5.0.1: dma_max_pfn << PAGE_SHIFT with a DMA
// mask, BLK_BOUNCE_HIGH without; v5.4.1: BLK_BOUNCE_HIGH only without a mask),
// block/blk-settings.c blk_queue_bounce_limit (32-bit), block/bounce.c, block/blk-merge.c,
// drivers/mmc/host/s3cmci.c get_data_buffer / do_pio_read (sg_virt), the January 2019
// highmem patch (kmap_atomic, one-page segments), arch/arm/mm/highmem.c kmap_atomic and
// arch/arm/mm/fault.c __do_kernel_fault.
//
// The machine: DRAM 0x40000000..0xc0000000, PAGE_OFFSET 0xc0000000, so lowmem ends at
// 0x70000000 (max_low_pfn 0x70000, blk_max_low_pfn 0x6ffff; max_pfn 0xc0000,
// blk_max_pfn 0xbffff). Buffer "lo" is 8K at 0x40100000 (VA 0xc0100000), "hi" 4K at the
// highmem page 0x90000000. The request reads sectors 100..123 into lo (8K) then hi (4K).
import { describe, expect, it } from 'vitest';
import { readBytes } from '../../../src/sim/mem/phys.ts';
import { build, expectGolden, runLines, runRecords } from '../../helpers/scenario.ts';
import { runObj } from '../mm/helpers.ts';

type R = Record<string, unknown>;
const of = (recs: R[], kind: string) => recs.filter((r) => r.kind === kind);
const hex = (n: number) => '0x' + n.toString(16);
/** 512-byte blocks at `va`, one pio record per FIFO interrupt. */
const blocks = (va: number, n: number) => Array.from({ length: n }, (_, i) => hex(va + 512 * i));
/** What the card returns for a sector nobody wrote (the model's pattern). */
const cardSector = (s: number) => Uint8Array.from({ length: 512 }, (_, i) => (s * 13 + i) & 0xff);

function queueOf(kernel: 'v5.0' | 'v5.4', dmaMask: number | 'none'): R {
  const { recs } = runObj({
    memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: [{ name: 'b', size: '4K', addr: '0x40100000' }] },
    devices: [{ kind: 's3cmci', name: 'sdi', dmaMask, requests: [{ op: 'read', sector: 0, bio: [{ buf: 'b', len: '4K' }] }] }],
  }, { kernel });
  return of(recs, 'mmc-queue')[0];
}

describe('mmc_setup_queue bounce limits', () => {
  it('v5.0, 31-bit mask: dma_max_pfn 0x7ffff -> limit 0x7ffff000, bounce_pfn 0x7ffff from page_pool', () => {
    expect(queueOf('v5.0', 31)).toMatchObject({ dmaMask: '0x7fffffff', bounceLimit: '0x7ffff000', bouncePfn: '0x7ffff', pool: 'page_pool', maxSegmentSize: 2096640, maxSegments: 128 });
  });
  it('v5.0, 32-bit mask (the platform default): bounce_pfn 0xfffff >= blk_max_pfn 0xbffff, blk_queue_bounce returns at once', () => {
    expect(queueOf('v5.0', 32)).toMatchObject({ bounceLimit: '0xfffff000', bouncePfn: '0xfffff', pool: 'none' });
  });
  it('v5.4 with a mask: no blk_queue_bounce_limit call, BLK_BOUNCE_ANY (bounce_pfn 0xffffffff)', () => {
    expect(queueOf('v5.4', 31)).toMatchObject({ bounceLimit: null, bouncePfn: '0xffffffff', pool: 'none' });
  });
  it('v5.0, 30-bit mask: b_pfn 0x3ffff < blk_max_low_pfn: GFP_DMA from isa_page_pool, which has no page below 0x40000000 here, so the request waits', () => {
    expect(queueOf('v5.0', 30)).toMatchObject({ bounceLimit: '0x3ffff000', bouncePfn: '0x3ffff', pool: 'isa_page_pool' });
    const { recs } = runObj({
      memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: [{ name: 'b', size: '4K', addr: '0x40100000' }] },
      devices: [{ kind: 's3cmci', name: 'sdi', dmaMask: 30, requests: [{ op: 'read', sector: 0, bio: [{ buf: 'b', len: '4K' }] }] }],
    }, { kernel: 'v5.0' });
    expect(of(recs, 'blk-req')).toEqual([expect.objectContaining({ phase: 'stalled', status: 'mempool_alloc(GFP_NOIO) waits: no page below the bounce limit (isa_page_pool, GFP_DMA)' })]);
  });
  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`${kernel} without a mask: BLK_BOUNCE_HIGH = blk_max_low_pfn 0x6ffff << 12`, () => {
      expect(queueOf(kernel, 'none')).toMatchObject({ dmaMask: null, bounceLimit: '0x6ffff000', bouncePfn: '0x6ffff', pool: 'page_pool' });
    });
  }
});

describe('scenario s3cmci-highmem: the PIO addresses of the 3-page request', () => {
  it('v5.4 unpatched: sg [lo 8K][hi 4K]; 16 blocks through the linear map, then sg_virt(hi) = NULL: oops at 0x00000000 and panic', () => {
    const recs = runRecords('s3cmci-highmem');
    expect(of(recs, 'mmc-sg').map((r) => [r.pa, r.len, r.highmem])).toEqual([['0x40100000', 8192, false], ['0x90000000', 4096, true]]);
    expect(of(recs, 'pio').map((r) => r.va)).toEqual(blocks(0xc010_0000, 16));
    expect(of(recs, 'pio').every((r) => r.via === 'sg_virt' && r.len === 512)).toBe(true);
    expect(of(recs, 'bad-access')).toEqual([expect.objectContaining({ va: '0x0', write: true, func: 'do_pio_read' })]);
    expect(of(recs, 'klog').map((r) => r.text)).toEqual([
      '8<--- cut here ---',
      'Unable to handle kernel NULL pointer dereference at virtual address 00000000',
      'pgd = (ptrval)',
      '[00000000] *pgd=00000000',
      'Internal error: Oops: 805 [#1] ARM',
      'Kernel panic - not syncing: Fatal exception in interrupt',
      '---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---',
    ]);
    expect(of(recs, 'blk-req').map((r) => r.phase)).toEqual(['submit']); // never completes
    expect(of(recs, 'dev-done')).toEqual([]);
  });

  it('v5.4 with the patch: one-page segments [lo][lo+4K][hi]; lo through its linear address, hi through fixmap slot 1 (0xffefe000)', () => {
    const { machine: m } = build('s3cmci-highmem', { overrides: { 's3cmci-highmem': 'kmap_atomic' } });
    while (m.step());
    const recs = Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as R);
    const req0 = (r: R) => r.req === 0;
    expect(of(recs, 'mmc-queue')[0].maxSegmentSize).toBe(4096);
    expect(of(recs, 'mmc-sg').filter(req0).map((r) => [r.pa, r.len])).toEqual([['0x40100000', 4096], ['0x40101000', 4096], ['0x90000000', 4096]]);
    const pio = of(recs, 'pio').filter(req0);
    expect(pio.map((r) => r.va)).toEqual([...blocks(0xc010_0000, 8), ...blocks(0xc010_1000, 8), ...blocks(0xffef_e000, 8)]);
    expect(pio.slice(16).map((r) => r.pa)).toEqual(blocks(0x9000_0000, 8));
    const hiMaps = of(recs, 'kmap').filter((r) => r.pa === '0x90000000' && r.op === 'kmap_atomic');
    expect(hiMaps.length).toBe(8 + 8); // one per block: request 0's last 8 blocks, request 1's first 8 (hi comes first)
    expect(hiMaps.every((r) => r.via === 'fixmap' && r.slot === 1 && r.va === '0xffefe000')).toBe(true);
    expect(of(recs, 'bad-access')).toEqual([]);
    // The highmem page holds sectors 116..123 (blocks 16..23 of the request).
    for (let k = 0; k < 8; k++) expect(readBytes(m.state.mem, 0x9000_0000 + 512 * k, 512)).toEqual(cardSector(116 + k));
    expect(of(recs, 'blk-req').map((r) => `${r.phase as string}:${r.segments as number}`)).toEqual(['submit:3', 'complete:3', 'submit:2', 'complete:2']);
  });

  it('v5.0 unpatched: hi is bounced to the pool page 0x40000000 (VA 0xc0000000) and copied back through kmap_atomic', () => {
    const { machine: m } = build('s3cmci-highmem', { kernel: 'v5.0' });
    while (m.step());
    const recs = Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as R);
    const req0 = (r: R) => r.req === 0;
    expect(of(recs, 'blk-bounce').filter(req0).map((r) => [r.op, r.orig, r.bounce])).toEqual([
      ['bounce', '0x90000000', '0x40000000'], ['copy-back', '0x90000000', '0x40000000'], ['free', '0x90000000', '0x40000000'],
    ]);
    expect(of(recs, 'mmc-sg').filter(req0).map((r) => [r.pa, r.len])).toEqual([['0x40100000', 8192], ['0x40000000', 4096]]);
    expect(of(recs, 'pio').filter(req0).map((r) => r.va)).toEqual([...blocks(0xc010_0000, 16), ...blocks(0xc000_0000, 8)]);
    const copy = recs.findIndex((r) => r.kind === 'blk-bounce' && r.op === 'copy-back');
    expect(recs[copy - 1]).toMatchObject({ kind: 'kmap', op: 'kmap_atomic', pa: '0x90000000', va: '0xffefe000' });
    for (let k = 0; k < 8; k++) expect(readBytes(m.state.mem, 0x9000_0000 + 512 * k, 512)).toEqual(cardSector(116 + k));
    expect(of(recs, 'bad-access')).toEqual([]);
    expect(of(recs, 'dev-done')).toEqual([expect.objectContaining({ rounds: 2 })]);
  });

  it('v5.0 with the platform-default 32-bit mask oopses too, without v5.4\'s scissors line', () => {
    const { recs } = runObj({
      memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: [{ name: 'hi', size: '4K', addr: '0x90000000' }] },
      devices: [{ kind: 's3cmci', name: 'sdi', requests: [{ op: 'write', sector: 0, bio: [{ buf: 'hi', offset: 512, len: 512 }] }] }],
    }, { kernel: 'v5.0' });
    // A write reads memory: do_pio_write loads from sg_virt = NULL + 0x200.
    expect(of(recs, 'bad-access')).toEqual([expect.objectContaining({ va: '0x200', write: false, func: 'do_pio_write' })]);
    expect(of(recs, 'klog').slice(0, 4).map((r) => r.text)).toEqual([
      'Unable to handle kernel NULL pointer dereference at virtual address 00000200',
      'pgd = (ptrval)',
      '[00000200] *pgd=00000000',
      'Internal error: Oops: 5 [#1] ARM',
    ]);
  });

  it('matches the golden traces (v5.4, v5.4 patched, v5.0; seed 1)', () => {
    expectGolden('s3cmci-highmem.v5.4.seed-1.jsonl', runLines('s3cmci-highmem'));
    expectGolden('s3cmci-highmem.patched.v5.4.seed-1.jsonl', runLines('s3cmci-highmem', { overrides: { 's3cmci-highmem': 'kmap_atomic' } }));
    expectGolden('s3cmci-highmem.v5.0.seed-1.jsonl', runLines('s3cmci-highmem', { kernel: 'v5.0' }));
  });
});
