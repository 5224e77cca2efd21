// The 32-bit ARM kernel layout and highmem mappings, with every address derived by hand:
// arch/arm/mm/mmu.c (vmalloc_min, early_vmalloc, adjust_lowmem_bounds),
// arch/arm/include/asm/highmem.h (PKMAP_BASE = PAGE_OFFSET - PMD_SIZE, LAST_PKMAP 512),
// arch/arm/include/asm/fixmap.h + include/asm-generic/fixmap.h (FIXADDR_TOP 0xffeff000,
// __fix_to_virt), arch/arm/mm/highmem.c (kmap_atomic, __kunmap_atomic) and mm/highmem.c
// (kmap_high, map_new_virtual, flush_all_zero_pkmaps, kunmap_high, page_address), v5.0.1.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../src/sim/machine.ts';
import { armLayout } from '../../../src/sim/kmem/layout.ts';
import { kmemCreate, kmemState } from '../../../src/sim/kmem/state.ts';
import { kernelVaToPa, kmap, kmapAtomic, kunmap, kunmapAtomic, pageAddress } from '../../../src/sim/kmem/highmem.ts';
import { kernelAccess } from '../../../src/sim/kmem/oops.ts';
import { prngFromSeed, intBetween } from '../../../src/sim/core/prng.ts';

const DRAM = [{ base: 0x4000_0000, size: 0x8000_0000 }];
const HIGH = 0x9000_0000; // a highmem page (lowmem ends at 0x70000000)
const LOW = 0x4010_0000;

function machine(kernel: 'v5.0' | 'v5.4' = 'v5.4'): Machine {
  const m = new Machine({ scenario: 'kmem', seed: 1, kernel, overrides: {}, dram: DRAM });
  kmemCreate(m, armLayout({ pageOffset: 0xc000_0000, dram: DRAM }), false);
  return m;
}

function lines(m: Machine, kind: string): Record<string, unknown>[] {
  const out = [];
  for (let i = 0; i < m.trace.count; i++) {
    const r = JSON.parse(m.trace.line(i)) as Record<string, unknown>;
    if (r.kind === kind) out.push(r);
  }
  return out;
}

describe('the lowmem limit (adjust_lowmem_bounds)', () => {
  it('default vmalloc: vmalloc_min 0xf0000000, so lowmem is 768 MiB from PHYS_OFFSET', () => {
    // VMALLOC_END 0xff800000 - 240 MiB (0x0f000000) - VMALLOC_OFFSET 8 MiB = 0xf0000000;
    // vmalloc_limit = 0xf0000000 - PAGE_OFFSET 0xc0000000 + PHYS_OFFSET 0x40000000 = 0x70000000.
    expect(armLayout({ pageOffset: 0xc000_0000, dram: DRAM })).toEqual({ pageOffset: 0xc000_0000, physOffset: 0x4000_0000, lowmemLimit: 0x7000_0000, dramEnd: 0xc000_0000 });
  });
  it('vmalloc= sets the reserve exactly (no VMALLOC_OFFSET), clamped to [16M, VMALLOC_END - PAGE_OFFSET - 32M]', () => {
    expect(armLayout({ pageOffset: 0xc000_0000, vmalloc: 0x1000_0000, dram: DRAM }).lowmemLimit).toBe(0xff80_0000 - 0x1000_0000 - 0xc000_0000 + 0x4000_0000);
    expect(armLayout({ pageOffset: 0xc000_0000, vmalloc: 0x10_0000, dram: DRAM }).lowmemLimit).toBe(0xff80_0000 - 0x100_0000 - 0xc000_0000 + 0x4000_0000);
    // 0xff800000 - (0xc0000000 + 32M) = 0x3d800000 is the most it takes: lowmem keeps 32 MiB.
    expect(armLayout({ pageOffset: 0xc000_0000, vmalloc: 0x8000_0000, dram: DRAM }).lowmemLimit).toBe(0x4200_0000);
  });
  it('a bank that ends below the limit ends lowmem there; with VMSPLIT_2G lowmem is 1.75 GiB (DRAM ends first here)', () => {
    expect(armLayout({ pageOffset: 0xc000_0000, dram: [{ base: 0x4000_0000, size: 0x1000_0000 }] }).lowmemLimit).toBe(0x5000_0000);
    // 0xf0000000 - 0x80000000 + 0x40000000 = 0xb0000000, below DRAM's end 0xc0000000.
    expect(armLayout({ pageOffset: 0x8000_0000, dram: DRAM }).lowmemLimit).toBe(0xb000_0000);
  });
});

describe('page_address, kmap and kmap_atomic', () => {
  it('lowmem pages have their linear address everywhere; a highmem page has none until kmap', () => {
    const m = machine();
    const st = kmemState(m);
    expect(pageAddress(st, LOW / 4096)).toBe(0xc010_0000);
    expect(pageAddress(st, HIGH / 4096)).toBe(0); // NULL
    expect(kmap(m, LOW)).toBe(0xc010_0000);
    expect(kmapAtomic(m, LOW)).toBe(0xc010_0000);
  });

  it('kmap takes pkmap slot 1 first (last_pkmap_nr starts at 0): PKMAP_BASE 0xbfe00000 + 0x1000', () => {
    const m = machine();
    const st = kmemState(m);
    expect(kmap(m, HIGH)).toBe(0xbfe0_1000);
    expect(pageAddress(st, HIGH / 4096)).toBe(0xbfe0_1000);
    expect(kmap(m, HIGH + 0x1000)).toBe(0xbfe0_2000);
    expect(kmap(m, HIGH)).toBe(0xbfe0_1000); // already mapped: the count goes to 3
    expect(st.pkmapCount.slice(0, 3)).toEqual([0, 3, 2]);
  });

  it('kunmap leaves the mapping (count 1) until map_new_virtual wraps and flushes zero-count slots', () => {
    const m = machine();
    const st = kmemState(m);
    kmap(m, HIGH);
    kunmap(m, HIGH);
    expect(pageAddress(st, HIGH / 4096)).toBe(0xbfe0_1000);
    expect(kernelVaToPa(st, 0xbfe0_1010)).toBe(HIGH + 0x10);
    // 510 more pages fill slots 2..511; the 512th wraps to 0 and flush_all_zero_pkmaps runs.
    for (let i = 1; i <= 511; i++) kmap(m, 0xa000_0000 + i * 4096);
    expect(pageAddress(st, HIGH / 4096)).toBe(0);
    expect(lines(m, 'kmap').find((r) => r.op === 'flush_all_zero_pkmaps')).toMatchObject({ count: 1 });
  });

  it('kmap_atomic of an unmapped highmem page uses FIX_KMAP_BEGIN + type: 0xffefe000, nested 0xffefd000', () => {
    // __fix_to_virt(1) = 0xffeff000 - 0x1000; type 1 -> idx 2 -> 0xffefd000.
    const m = machine();
    const st = kmemState(m);
    const a = kmapAtomic(m, HIGH);
    const b = kmapAtomic(m, HIGH + 0x1000);
    expect([a, b]).toEqual([0xffef_e000, 0xffef_d000]);
    expect(pageAddress(st, HIGH / 4096)).toBe(0); // kmap_atomic does not set page_address
    expect(kernelVaToPa(st, b + 4)).toBe(HIGH + 0x1004);
    kunmapAtomic(m, b);
    kunmapAtomic(m, a);
    expect(st.kmapAtomicIdx).toBe(0);
    // Without CONFIG_DEBUG_HIGHMEM the fixmap PTE stays after kunmap_atomic.
    expect(kernelVaToPa(st, a)).toBe(HIGH);
  });

  it('kmap_atomic of a kmap()ed page returns its pkmap address (kmap_high_get) and kunmap_atomic drops that count', () => {
    const m = machine();
    const st = kmemState(m);
    kmap(m, HIGH);
    const va = kmapAtomic(m, HIGH);
    expect(va).toBe(0xbfe0_1000);
    expect(st.pkmapCount[1]).toBe(3);
    kunmapAtomic(m, va);
    expect(st.pkmapCount[1]).toBe(2);
  });

  it('random kmap/kunmap/kmap_atomic sequences keep page_address, the pkmap PTEs and the counts consistent', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const m = machine();
      m.keepTrace = false;
      const st = kmemState(m);
      const prng = prngFromSeed(seed);
      const held: number[] = [];
      for (let step = 0; step < 2000; step++) {
        const pa = HIGH + intBetween(prng, 0, 700) * 4096;
        if (held.length && intBetween(prng, 0, 2) === 0) kunmap(m, held.splice(intBetween(prng, 0, held.length - 1), 1)[0]);
        else if (held.length < 300) {
          kmap(m, pa);
          held.push(pa);
        }
        const va = kmapAtomic(m, pa);
        expect(kernelVaToPa(st, va)).toBe(pa);
        kunmapAtomic(m, va);
      }
      for (const [pfn, va] of st.pageAddress) {
        const nr = (va - 0xbfe0_0000) / 4096;
        expect(st.pkmapPfn[nr], `seed ${seed}`).toBe(pfn);
        expect(st.pkmapCount[nr]).toBeGreaterThanOrEqual(1);
      }
      for (const pa of new Set(held)) {
        const users = held.filter((x) => x === pa).length;
        expect(st.pkmapCount[(pageAddress(st, pa / 4096) - 0xbfe0_0000) / 4096], `seed ${seed}`).toBe(1 + users);
      }
      expect(st.kmapAtomicIdx).toBe(0);
    }
  });
});

describe('a kernel access through an unmapped address (arch/arm/mm/fault.c __do_kernel_fault)', () => {
  const oops = (kernel: 'v5.0' | 'v5.4', va: number, write: boolean, inInterrupt: boolean) => {
    const m = machine(kernel);
    expect(kernelAccess(m, { va, write, func: 'do_pio_read', why: 'test', inInterrupt })).toBe(-1);
    return { bad: lines(m, 'bad-access'), klog: lines(m, 'klog').map((r) => `${r.level as string}: ${r.text as string}`) };
  };

  it('v5.0: a store to 0x0 in a tasklet is a NULL dereference, fsr 0x805 (WnR | section translation), then panic', () => {
    const r = oops('v5.0', 0, true, true);
    expect(r.bad).toEqual([expect.objectContaining({ va: '0x0', write: true, func: 'do_pio_read' })]);
    expect(r.klog).toEqual([
      'alert: Unable to handle kernel NULL pointer dereference at virtual address 00000000',
      'alert: pgd = (ptrval)',
      'alert: [00000000] *pgd=00000000',
      'emerg: Internal error: Oops: 805 [#1] ARM',
      'emerg: Kernel panic - not syncing: Fatal exception in interrupt',
      'emerg: ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---',
    ]);
  });

  it('v5.4 prints the scissors line first; a load past the first page is a "paging request", fsr 0x5, no panic outside interrupts', () => {
    const r = oops('v5.4', 0x1200, false, false);
    expect(r.klog).toEqual([
      'alert: 8<--- cut here ---',
      'alert: Unable to handle kernel paging request at virtual address 00001200',
      'alert: pgd = (ptrval)',
      'alert: [00001200] *pgd=00000000',
      'emerg: Internal error: Oops: 5 [#1] ARM',
    ]);
  });

  it('an empty fixmap slot is a page translation fault (fs 7)', () => {
    const r = oops('v5.0', 0xffef_e000, true, false);
    expect(r.klog[3]).toBe('emerg: Internal error: Oops: 807 [#1] ARM');
  });
});
