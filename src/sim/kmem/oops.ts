/**
 * A kernel access through a virtual address nothing maps: the data abort that
 * __do_kernel_fault turns into an oops (arch/arm/mm/fault.c), die() (arch/arm/kernel/traps.c)
 * and, in interrupt context, panic() (kernel/panic.c). Each line is a klog record in the
 * kernel's wording for the version; the register dump and backtrace lines are not
 * modelled (the record's call chain is the backtrace, `bt`).
 */
import type { Machine } from '../machine.ts';
import { kernelRelease } from '../kernel.ts';
import { kfunc } from '../core/kstack.ts';
import { PAGE_SIZE, pkmapBase } from './layout.ts';
import { type KmemState, kmemState } from './state.ts';
import { kernelVaToPa } from './highmem.ts';

const F_DO_KERNEL_FAULT = kfunc('__do_kernel_fault', 'arch/arm/mm/fault.c', ['addr', 'fsr']);

/** FSR bits (arch/arm/mm/fault.h): WnR is bit 11; fs 5 = section translation fault, 7 = page. */
const FSR_WRITE = 1 << 11;
const FS_SECTION_TRANSLATION = 5;
const FS_PAGE_TRANSLATION = 7;

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/**
 * The fault status the abort would carry: below the pkmap window init_mm has no page table
 * (a section translation fault); in the kernel's own windows the table exists and the PTE
 * is empty (a page translation fault).
 */
function fsrOf(st: KmemState, va: number, write: boolean): number {
  const fs = va < pkmapBase(st.layout.pageOffset) ? FS_SECTION_TRANSLATION : FS_PAGE_TRANSLATION;
  return (write ? FSR_WRITE : 0) | fs;
}

/**
 * __do_kernel_fault (no exception fixup: PIO copies have none): the "Unable to handle"
 * line, show_pte's first lines (the pgd is printed with %p before the hash key is ready,
 * "(ptrval)"; init_mm has no entry for a user-space address), die's "Internal error" line
 * (no PREEMPT, no SMP: " ARM"), and oops_end's panic when the fault hit interrupt context.
 */
export function armKernelOops(m: Machine, va: number, write: boolean, inInterrupt: boolean): void {
  const st = kmemState(m);
  const fsr = fsrOf(st, va, write);
  const k = m.kstack.enter(F_DO_KERNEL_FAULT, va, fsr);
  const alert = (text: string) => m.emit('klog', { level: 'alert', text });
  const emerg = (text: string) => m.emit('klog', { level: 'emerg', text });
  // The scissors line: absent from v5.0.1's __do_kernel_fault, present in v5.4.1's.
  if (kernelRelease(m.config.kernel) === 'v5.4') alert('8<--- cut here ---');
  alert(`Unable to handle kernel ${va < PAGE_SIZE ? 'NULL pointer dereference' : 'paging request'} at virtual address ${hex8(va)}`);
  alert('pgd = (ptrval)');
  alert(`[${hex8(va)}] *pgd=00000000`);
  st.oopses++;
  emerg(`Internal error: Oops: ${fsr.toString(16)} [#${st.oopses}] ARM`);
  if (inInterrupt) {
    emerg('Kernel panic - not syncing: Fatal exception in interrupt');
    emerg('---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---');
  }
  m.kstack.leave(k);
}

/**
 * A kernel store or load of `len` bytes at `va` by `func`: the physical address it reaches
 * (one page at most), or -1 after the bad-access record and the oops.
 */
export function kernelAccess(
  m: Machine, a: { va: number; write: boolean; func: string; why: string; inInterrupt: boolean },
): number {
  const pa = kernelVaToPa(kmemState(m), a.va);
  if (pa >= 0) return pa;
  m.emit('bad-access', { va: a.va, write: a.write, func: a.func, why: a.why });
  armKernelOops(m, a.va, a.write, a.inInterrupt);
  return -1;
}
