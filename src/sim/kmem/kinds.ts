/** Trace kinds of the kernel-memory model: kmap / kmap_atomic and bad kernel accesses. */
import { bool, hex, int, oneOf, str } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

export const KMEM_KINDS = [
  kind('kmap', 'A kernel mapping of a page was made or dropped (kmap, kunmap, kmap_atomic, kunmap_atomic), or the pkmap window was flushed.', {
    op: oneOf(['kmap', 'kunmap', 'kmap_atomic', 'kunmap_atomic', 'flush_all_zero_pkmaps'], 'the kernel function'),
    pa: hex('physical address of the page (absent for flush_all_zero_pkmaps)').opt(),
    va: hex('kernel virtual address of the page (absent for flush_all_zero_pkmaps)').opt(),
    via: oneOf(['lowmem', 'pkmap', 'fixmap'], '"lowmem" (page_address of the linear map), "pkmap" (a kmap slot) or "fixmap" (a kmap_atomic slot)').opt(),
    slot: int('pkmap: the pkmap_count index; fixmap: the fixed_addresses index (FIX_KMAP_BEGIN + type)').opt(),
    count: int('pkmap: pkmap_count[slot] afterwards (1 = mapped, unused; flush: slots unmapped)').opt(),
  }),
  kind('bad-access', 'Kernel code touched a virtual address with no mapping: the CPU took a data abort (the oops follows as klog lines).', {
    va: hex('the faulting virtual address'),
    write: bool('the access was a store'),
    func: str('kernel function that made the access'),
    why: str('where the pointer came from'),
  }),
] as const;
