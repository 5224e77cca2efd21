/**
 * A driver mapping device memory (a BAR) into a process from its mmap file operation, the
 * three ways the P2P debate turns on:
 * - vm_insert_page of ZONE_DEVICE pages (p2pmem with struct pages): VM_MIXEDMAP, normal
 *   PTEs with a struct page behind each, so get_user_pages and O_DIRECT work;
 * - remap_pfn_range: VM_IO | VM_PFNMAP, special PTEs, no struct page: get_user_pages refuses;
 * - the RFC's device-file VMA: VM_IO | VM_PFNMAP with vm_ops->p2p_map / p2p_unmap and no
 *   CPU mapping at all; an importer asks the exporter for bus addresses through HMM.
 * The exporter's p2p_map / p2p_unmap are a service its device kind provides.
 */
import type { Machine } from '../machine.ts';
import { serviceKey } from '../core/keys.ts';
import { kfunc } from '../core/kstack.ts';
import { type MmStruct, PAGE_SIZE, type Vma } from './types.ts';
import { findVma, presentPte, setPte, vpnOf } from './state.ts';
import { mmap } from './ops.ts';
import { mmuNotifierInvalidateRangeEnd, mmuNotifierInvalidateRangeStart } from './notifier.ts';
import { tlbFinishMmu, tlbGatherMmu, zapPteRange } from './zap.ts';

export type DevmapHow = 'vm_insert_page' | 'remap_pfn_range' | 'p2p-vma';

/** vm_operations_struct p2p_map / p2p_unmap of the RFC, as the exporting driver implements them. */
export interface VmaP2pOps {
  /** Bus addresses of [start, end) for `importer` (one per page into `pas`), 0 or -errno. */
  p2pMap(m: Machine, vma: Vma, importer: number, start: number, end: number, pas: number[], write: boolean): number;
  p2pUnmap(m: Machine, vma: Vma, importer: number, start: number, end: number): number;
}

export const VMA_P2P_OPS = serviceKey<VmaP2pOps>('vma-p2p-ops');

const F_VM_INSERT_PAGE = kfunc('vm_insert_page', 'mm/memory.c', ['addr']);
const F_REMAP_PFN_RANGE = kfunc('remap_pfn_range', 'mm/memory.c', ['addr', 'pfn', 'size']);
const F_ZAP_VMA_PTES = kfunc('zap_vma_ptes', 'mm/memory.c', ['address', 'size']);

/**
 * The driver's mmap of `size` bytes of device memory starting at CPU physical `pa` into
 * `mm` at `start` (MAP_SHARED, as device files are), populated at mmap time except the
 * RFC's VMA, which has no CPU mapping.
 */
export function mmapDeviceMemory(m: Machine, mm: MmStruct, a: { start: number; size: number; pa: number; how: DevmapHow; exporter: number }): Vma {
  mmap(m, mm, { start: a.start, size: a.size, write: true, kind: 'device', shared: true, file: '', pgoff: a.pa / PAGE_SIZE, populate: false });
  const vma = findVma(mm, a.start)!;
  vma.devmap = { pfnmap: a.how !== 'vm_insert_page', exporter: a.exporter, rfc: a.how === 'p2p-vma' };
  if (a.how === 'p2p-vma') return vma;
  const special = a.how === 'remap_pfn_range';
  const k = m.kstack.enter(special ? F_REMAP_PFN_RANGE : F_VM_INSERT_PAGE, a.start, a.pa / PAGE_SIZE, a.size);
  for (let off = 0; off < a.size; off += PAGE_SIZE) {
    setPte(m, mm, vpnOf(a.start + off), presentPte((a.pa + off) / PAGE_SIZE, true, special), special ? 'remap_pfn_range' : 'vm_insert_page');
  }
  m.kstack.leave(k);
  return vma;
}

/**
 * zap_vma_ptes(vma, address, size): what an exporter calls to take a range back (to move
 * its BAR window): mmu notifiers around the zap, so importers and mirrors are told, even
 * when there was never a CPU PTE to clear (the RFC relies on that).
 */
export function zapVmaPtes(m: Machine, mm: MmStruct, start: number, size: number): void {
  const k = m.kstack.enter(F_ZAP_VMA_PTES, start, size);
  m.emit('mm', { op: 'zap_vma_ptes', mm: mm.name, start, end: start + size });
  const tlb = tlbGatherMmu(mm);
  const range = { mm, start, end: start + size, blockable: true, event: 'MMU_NOTIFY_CLEAR' as const };
  mmuNotifierInvalidateRangeStart(m, range);
  zapPteRange(m, tlb, start, start + size);
  mmuNotifierInvalidateRangeEnd(m, range);
  tlbFinishMmu(m, tlb);
  m.kstack.leave(k);
}

/** check_vma_flags / hmm's device-VMA test: VM_IO | VM_PFNMAP. A scenario's own 'device' VMA is a PFN map. */
export function vmaIsPfnmap(v: Vma): boolean {
  return v.kind === 'device' && (v.devmap?.pfnmap ?? true);
}

/** VM_IO | VM_PFNMAP | VM_MIXEDMAP: every device-file VMA (v5.4 hmm_range_fault's device_vma, v5.0's VM_SPECIAL). */
export function vmaIsDevice(v: Vma): boolean {
  return v.kind === 'device';
}
