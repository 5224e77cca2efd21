/**
 * Tables in simulated physical memory. L1: 16 KiB, 16 KiB aligned (__get_free_pages order 2);
 * L2: 1 KiB, 1 KiB aligned (kmem_cache "io-pgtable_armv7s_l2"). Both below 4 GiB: v5.0 takes
 * them from ZONE_DMA, v5.2+ from ZONE_DMA32, and __arm_v7s_alloc_table rejects a table whose
 * PA does not fit the 32-bit PTE. Every PTE write goes through armV7sSetPte, which emits the
 * `pte` trace record.
 */
import type { Machine } from '../../machine.ts';
import { warnSplat } from '../../core/printk.ts';
import { SZ_4G } from '../../core/hex.ts';
import { kfunc } from '../../core/kstack.ts';
import { V7S_KMEMLEAK_IGNORE } from '../../kernel.ts';
import { KMEM_MODEL, lowmemVa } from '../../kmem/state.ts';
import { kmemleakAlloc, kmemleakFree, kmemleakIgnore } from '../../kmem/kmemleak.ts';
import { fill, read32, write32 } from '../../mem/phys.ts';
import { physAlloc, physFree } from '../../mem/alloc.ts';
import { armV7sTableSize } from './bits.ts';
import type { ArmV7sPgtable, Lvl } from './types.ts';

const F_ARM_V7S_ALLOC_TABLE = kfunc('__arm_v7s_alloc_table', 'drivers/iommu/io-pgtable-arm-v7s.c', ['lvl']);
const L2_CACHE = 'kmem_cache_zalloc(io-pgtable_armv7s_l2)';

/**
 * __arm_v7s_alloc_table: zeroed (kmem_cache_zalloc / __GFP_ZERO); -1 when no memory fits.
 * L1 comes from the page allocator (__get_dma_pages), L2 from a slab cache, which kmemleak
 * tracks; then kmemleak_ignore on every table (v5.0) or on L2 only (v5.4), on the table's
 * kernel virtual address. With a kernel memory model the tables sit in lowmem.
 */
export function armV7sAllocTable(m: Machine, domain: string, lvl: Lvl): number {
  const k = m.kstack.enter(F_ARM_V7S_ALLOC_TABLE, lvl);
  const size = armV7sTableSize(lvl);
  const kmem = m.findModel(KMEM_MODEL);
  const limit = kmem ? Math.min(SZ_4G, kmem.layout.lowmemLimit) : SZ_4G;
  const pa = physAlloc(m.state.alloc, size, { align: size, limit });
  if (pa >= 0) {
    fill(m.state.mem, pa, size, 0);
    if (kmem && lvl === 2) kmemleakAlloc(m, lowmemVa(kmem, pa), size, L2_CACHE);
    m.emit('pgtable-table', { domain, op: 'alloc', level: lvl, addr: pa });
    if (kmem && (lvl === 2 || m.behaviour(V7S_KMEMLEAK_IGNORE) === 'every-table')) kmemleakIgnore(m, lowmemVa(kmem, pa));
  }
  m.kstack.leave(k);
  return pa;
}

/** __arm_v7s_free_table: contents stay in memory, as kmem_cache_free leaves them. */
export function armV7sFreeTable(m: Machine, domain: string, lvl: Lvl, pa: number): void {
  physFree(m.state.alloc, pa, armV7sTableSize(lvl));
  const kmem = m.findModel(KMEM_MODEL);
  if (kmem && lvl === 2) kmemleakFree(m, lowmemVa(kmem, pa));
  m.emit('pgtable-table', { domain, op: 'free', level: lvl, addr: pa });
}

/**
 * Where each WARN_ON of io-pgtable-arm-v7s.c sits, per release (the splat's FILE:LINE):
 * keyed by the function and the start of its condition.
 */
const V7S_WARN_LINES: Readonly<Record<'v5.0' | 'v5.4', Readonly<Record<string, number>>>> = {
  'v5.0': { 'arm_v7s_init_pte|__arm_v7s_unmap': 386, 'arm_v7s_init_pte|!selftest_running': 391, '__arm_v7s_map|!selftest_running': 468, 'arm_v7s_map|': 487, '__arm_v7s_unmap|': 610, 'arm_v7s_unmap|': 678 },
  'v5.4': { 'arm_v7s_init_pte|__arm_v7s_unmap': 430, 'arm_v7s_init_pte|!selftest_running': 435, '__arm_v7s_map|!selftest_running': 512, 'arm_v7s_map|': 531, '__arm_v7s_unmap|': 655, 'arm_v7s_unmap|': 722 },
};

function v7sWarnLine(kernel: 'v5.0' | 'v5.4', func: string, cond: string): number | undefined {
  const lines = V7S_WARN_LINES[kernel];
  const key = Object.keys(lines).find((k) => {
    const [f, c] = k.split('|');
    return f === func && cond.startsWith(c);
  });
  return key === undefined ? undefined : lines[key];
}

/**
 * A kernel WARN/WARN_ON in io-pgtable-arm-v7s.c: the `pgtable-warn` record (`func` the
 * kernel function, `cond` the condition as the source spells it, so a breakpoint can stop
 * on it), then the splat's first line as the kernel prints it.
 */
export function armV7sWarn(m: Machine, pt: ArmV7sPgtable, func: string, cond: string): void {
  m.emit('pgtable-warn', { domain: pt.domain, func, cond });
  const line = v7sWarnLine(pt.cfg.kernel, func, cond);
  if (line !== undefined) warnSplat(m, 'drivers/iommu/io-pgtable-arm-v7s.c', line, func);
}

export function armV7sReadPte(m: Machine, table: number, index: number): number {
  return read32(m.state.mem, table + 4 * index);
}

/**
 * One PTE store. `iova` is the first IOVA the entry covers (for the timeline); `index` is
 * the slot within its table.
 */
export function armV7sSetPte(
  m: Machine,
  pt: ArmV7sPgtable,
  lvl: Lvl,
  table: number,
  index: number,
  pte: number,
  iova: number,
): void {
  const addr = table + 4 * index;
  const old = read32(m.state.mem, addr);
  write32(m.state.mem, addr, pte);
  if (m.quiet.pte) m.skip();
  else m.emit('pte', { domain: pt.domain, level: lvl, index, old, new: pte, addr, iova: iova >>> 0 });
}
