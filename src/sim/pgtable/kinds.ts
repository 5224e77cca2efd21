/** Trace kinds emitted by the page-table formats (and the v7s selftest device). */
import type { TraceKindDoc } from '../trace-kinds.ts';

export const PGTABLE_KINDS: readonly TraceKindDoc[] = [
  {
    kind: 'pte',
    summary: 'A page-table entry was written (every store, including ones into a table not yet linked in).',
    fields: {
      domain: 'domain (page table) name',
      level: 'table level (v7s: 1 or 2)',
      index: 'slot within its table',
      old: 'previous entry word (hex32)',
      new: 'entry word written (hex32)',
      addr: 'physical address of the entry',
      iova: 'first IOVA the entry covers',
    },
  },
  {
    kind: 'pgtable-table',
    summary: 'A page-table page was allocated or freed.',
    fields: { domain: 'domain name', op: '"alloc" or "free"', level: 'table level', addr: 'physical address of the table' },
  },
  {
    kind: 'pgtable-tlb',
    summary: 'An io-pgtable TLB callback was called on the selftest\'s dummy ops (drivers record their own tlb-inval).',
    fields: {
      domain: 'domain name',
      op: 'tlb_flush_all, tlb_add_flush, tlb_sync (v5.0), tlb_flush_walk, tlb_flush_leaf, tlb_add_page (v5.4)',
      iova: 'start IOVA',
      size: 'bytes',
      granule: 'invalidation granule',
      leaf: 'v5.0 tlb_add_flush: leaf entries only (false: walk caches too)',
      warn: 'true where the kernel\'s dummy op would WARN (size not in pgsize_bitmap)',
    },
  },
  {
    kind: 'pgtable-warn',
    summary: 'io-pgtable hit a kernel WARN/WARN_ON (the kernel prints a splat and carries on).',
    fields: { domain: 'domain name', func: 'kernel function', cond: 'the WARN_ON condition as the source spells it' },
  },
  {
    kind: 'selftest',
    summary: 'One check of a page-table selftest (arm_v7s_do_selftests), pass or fail.',
    fields: {
      test: 'selftest name, e.g. "arm_v7s_do_selftests"',
      step: 'check number within the selftest',
      check: 'what was checked, e.g. "iova_to_phys(0x1000029)"',
      result: '"pass" or "fail"',
      expected: 'expected value',
      got: 'value returned',
    },
  },
];
