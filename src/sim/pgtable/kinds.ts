/** Trace kinds emitted by the page-table formats (and the v7s selftest device). */
import { bool, hex, int, oneOf, str, word } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

export const PGTABLE_KINDS = [
  kind('pte', 'A page-table entry was written (every store, including ones into a table not yet linked in).', {
    domain: str('domain (page table) name'),
    level: int('table level (v7s: 1 or 2; VT-d second level: 1 = 4 KiB leaf up to 5)'),
    index: int('slot within its table'),
    old: word('previous entry word (v7s: 32-bit, VT-d: 64-bit)'),
    new: word('entry word written'),
    addr: hex('physical address of the entry'),
    iova: hex('first IOVA the entry covers'),
  }),
  kind('pgtable-table', 'A page-table page was allocated or freed.', {
    domain: str('domain name'),
    op: oneOf(['alloc', 'free'], '"alloc" or "free"'),
    level: int('table level'),
    addr: hex('physical address of the table'),
  }),
  kind('pgtable-tlb', "An io-pgtable TLB callback was called on the selftest's dummy ops (drivers record their own tlb-inval).", {
    domain: str('domain name'),
    op: oneOf(
      ['tlb_flush_all', 'tlb_add_flush', 'tlb_sync', 'tlb_flush_walk', 'tlb_flush_leaf', 'tlb_add_page'],
      'tlb_flush_all, tlb_add_flush, tlb_sync (v5.0), tlb_flush_walk, tlb_flush_leaf, tlb_add_page (v5.4)',
    ),
    iova: hex('start IOVA').opt(),
    size: int('bytes').opt(),
    granule: int('invalidation granule').opt(),
    leaf: bool('v5.0 tlb_add_flush: leaf entries only (false: walk caches too)').opt(),
    warn: bool("true where the kernel's dummy op would WARN (size not in pgsize_bitmap)").opt(),
  }),
  kind('pgtable-warn', 'io-pgtable hit a kernel WARN/WARN_ON (the kernel prints a splat and carries on).', {
    domain: str('domain name'),
    func: str('kernel function'),
    cond: str('the WARN_ON condition as the source spells it'),
  }),
  kind('selftest', 'One check of a page-table selftest (arm_v7s_do_selftests), pass or fail.', {
    test: str('selftest name, e.g. "arm_v7s_do_selftests"'),
    step: int('check number within the selftest'),
    check: str('what was checked, e.g. "iova_to_phys(0x1000029)"'),
    result: oneOf(['pass', 'fail'], '"pass" or "fail"'),
    expected: str('expected value'),
    got: str('value returned'),
  }),
] as const;
