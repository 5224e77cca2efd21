/**
 * Processes (mm, VMAs, notifier subscribers, scheduled mm operations) and SVA bindings
 * (device <-> process through an IOMMU, ATC size, PASID allocator).
 */
import { z } from 'zod';
import { Addr, ByteValue, Duration, Name, Offset, Size } from './common.ts';
import { NOTIFIER_OPS, type NotifierOp } from '../../sim/mm/types.ts';
import { ATC_ENTRIES_MAX } from '../../sim/iommu/ats/atc.ts';

const Prot = z.enum(['r', 'rw']).describe('"r" or "rw" (PROT_READ, PROT_READ|PROT_WRITE)');
const At = Duration.describe('virtual time of the operation');
const Target = Name.optional().describe('process to act on (default: the owning process), e.g. a fork child');
const Range = { start: Addr.describe('first virtual address'), size: Size.describe('bytes') };

export const VmaIn = z.strictObject({
  ...Range,
  prot: Prot.default('rw'),
  kind: z.enum(['anon', 'file', 'device']).default('anon').describe('anonymous, file-backed (page cache) or a device file (PFN map)'),
  shared: z.boolean().default(false).describe('MAP_SHARED (default MAP_PRIVATE: copy-on-write)'),
  file: Name.optional().describe('file name (file mappings): the page-cache key'),
  pgoff: Offset.default(0).describe('vm_pgoff in pages: file offset, or first physical page frame of a device mapping'),
  populate: z.boolean().default(false).describe('MAP_POPULATE: fault every page in at mmap time'),
  fill: ByteValue.optional().describe('the process writes this byte to every page after mmap (anonymous)'),
});

const op = <T extends string, S extends z.core.$ZodLooseShape>(name: T, shape: S) =>
  z.strictObject({ op: z.literal(name), at: At, process: Target, ...shape });

export const MmOpIn = z.discriminatedUnion('op', [
  op('mmap', VmaIn.shape).describe('mmap: a new VMA (anonymous, file page cache, or a device PFN map); with populate, every page is faulted in'),
  op('munmap', Range).describe('munmap: invalidate_range_start, the PTEs zapped, invalidate_range + end, the pages freed; an SVA IOMMU must flush its IOTLB and the device ATCs in invalidate_range'),
  op('mprotect', { ...Range, prot: Prot }).describe('mprotect: per range, invalidate_range_start, the PTEs rewritten, invalidate_range + end'),
  op('mremap', { start: Addr, oldSize: Size, newSize: Size, newStart: Addr.optional().describe('MREMAP_FIXED target') }).describe('mremap: shrink, grow in place, or move to newStart; a move carries the PTEs under start, invalidate_range, end'),
  op('fork', { child: Name.describe('name of the child process') }).describe('fork: a child process; private writable VMAs become copy-on-write (the parent\'s PTEs write-protected under start, invalidate_range, end)'),
  op('write', { va: Addr, len: Size.default(64), pattern: ByteValue.default(0x5a) }).describe('the process\'s CPU writes: faults pages in (a COW fault calls invalidate_range and change_pte); no VMA or no write permission is SIGSEGV'),
  op('read', { va: Addr, len: Size.default(64) }).describe('the process\'s CPU reads: faults pages in; no VMA is SIGSEGV, a driver VMA page nobody inserted is SIGBUS'),
  op('ksm', { va: Addr, with: z.strictObject({ process: Name.optional(), va: Addr }).describe('the identical page to merge with') }).describe('KSM merges the page at `va` with an identical one: write_protect_page and replace_page, each start, ptep_clear_flush, change_pte, invalidate_range + end'),
  op('age', Range).describe('page aging: ptep_clear_flush_young per page, calling clear_flush_young (AMD IOMMUv2 flushes per page on v5.0: row amd-v2-clear-flush-young)'),
  op('reclaim', Range).describe('reclaim: page_referenced (clear_flush_young); old pages are unmapped to swap entries under start, invalidate_range, end, and freed'),
  op('page-idle', Range).describe('idle page tracking marks the range idle (page_idle_clear_pte_refs): the CPU young bit cleared and clear_young on every mapping, no TLB flush'),
  op('test-young', Range).describe('khugepaged\'s reference test of the range: pte_young, else test_young (the first subscriber answering young decides)'),
  op('exit', {}).describe('the process exits: release (every subscriber must stop using the mm), then the teardown reaches nobody'),
  op('oom-reap', {}).describe('the OOM reaper: invalidate_range_start with blockable false (a subscriber may refuse with -EAGAIN: that VMA is skipped, no end), zap, invalidate_range + end'),
  op('unbind', { device: Name }).describe('the driver unbinds `device` (intel_svm_unbind_mm / amd_iommu_unbind_pasid): its PASID is freed and its later accesses fault'),
  op('dev-mmap', {
    device: Name.describe('the device whose driver mmap()s its buffer'),
    buffer: Name.describe('a buffer the device allocated (an mtk-engine "alloc" op)'),
    ...Range,
    pgoff: z.number().int().min(0).default(0).describe('vm_pgoff in pages: where in the buffer the mapping starts'),
    prot: Prot.default('rw'),
    shared: z.boolean().default(true).describe('MAP_SHARED (default) or MAP_PRIVATE'),
    via: z
      .enum(['dma_mmap_attrs', 'fw_iso_buffer_map_vma'])
      .default('dma_mmap_attrs')
      .describe('driver path: dma_mmap_attrs (honours vm_pgoff) or a driver that ignores vm_pgoff (firewire\'s fw_iso_buffer_map_vma)'),
  }).describe('mmap() of the device file: the driver inserts the buffer\'s pages (kernel row dma-iommu-mmap)'),
]);
export type MmOpOut = z.output<typeof MmOpIn>;

export const Process = z
  .strictObject({
    name: Name,
    vmas: z.array(VmaIn).default([]).describe('mapped at t=0, in order'),
    notifiers: z
      .array(
        z.strictObject({
          name: Name,
          ops: z.array(z.enum(NOTIFIER_OPS as [NotifierOp, ...NotifierOp[]])).default([]).describe('ops it implements (default: all)'),
          failNonblock: z.boolean().default(false).describe('invalidate_range_start returns -EAGAIN when !blockable'),
        }),
      )
      .default([])
      .describe('passive subscribers (tracers) registered at t=0, in order'),
    ops: z.array(MmOpIn).default([]).describe('scheduled mm operations'),
  })
  .describe('a process: its address space (VMAs mapped at t=0), passive mmu-notifier subscribers, and mm operations at given times; SVA devices bind to it in sva.bindings');

export const PasidRangeIn = z.strictObject({ min: z.number().int().min(0), max: z.number().int().min(1).max(0xfffff) });

export const SvaBinding = z
  .strictObject({
    device: Name.describe('an sva-device'),
    process: Name,
    iommu: z.enum(['amd-v2', 'intel-svm']),
    at: Duration.default(0).describe('virtual time of the bind'),
    atcEntries: z.number().int().min(1).max(ATC_ENTRIES_MAX).default(32).describe('device IOTLB entries'),
    devid: z.number().int().min(0).max(0xffff).optional().describe('PCI requester id (default 0x0100 + device index)'),
    qdep: z.number().int().min(0).max(31).default(16).describe('ATS invalidate queue depth'),
    subscriber: z
      .strictObject({ omitInvalidateRange: z.boolean().default(false).describe('TEST ONLY: invalidate_range flushes nothing') })
      .default({ omitInvalidateRange: false }),
  })
  .describe('intel_svm_bind_mm / amd_iommu_bind_pasid at `at`: a PASID for the process, the IOMMU driver\'s mmu notifier registered on its mm');

export const Sva = z.strictObject({
  pasid: z
    .strictObject({
      allocator: z.enum(['native', 'host']).default('native').describe('"host": a custom allocator (paravirtual guest asking its host)'),
      native: PasidRangeIn.default({ min: 1, max: 0xfffff }),
      host: PasidRangeIn.default({ min: 0x800, max: 0xfff }).describe('the host allocator\'s range'),
    })
    .default({ allocator: 'native', native: { min: 1, max: 0xfffff }, host: { min: 0x800, max: 0xfff } }),
  bindings: z.array(SvaBinding).default([]),
});
