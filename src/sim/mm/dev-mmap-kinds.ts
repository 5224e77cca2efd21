/** Trace kind of a process's mmap of a device file whose driver inserts a DMA buffer's pages. */
import { hexU64, int, str } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

export const DEV_MMAP_KINDS = [
  kind('dev-mmap', "A driver's mmap of a DMA buffer returned: which kernel function decided, its result, and how many pages it inserted (a failed mmap is then unmapped).", {
    mm: str('process name'),
    dev: str('device whose driver was called'),
    buffer: str('the buffer (a dma_alloc_attrs allocation of the device)'),
    start: hexU64('vm_start'),
    end: hexU64('vm_end (exclusive)'),
    pgoff: int('vm_pgoff: the page offset the process asked for'),
    pages: int('pages in the buffer'),
    via: str('the driver path: "dma_mmap_attrs" (iommu-dma) or "fw_iso_buffer_map_vma" (firewire, ignores vm_pgoff)'),
    func: str('the kernel function whose return value came back: iommu_dma_mmap, vm_insert_range, vm_map_pages, vm_insert_range_buggy, vm_map_pages_zero, fw_iso_buffer_map_vma'),
    result: str('"0" or the error, e.g. "-ENXIO", "-EFAULT", "-EINVAL", "-EBUSY"'),
    inserted: int('pages vm_insert_page mapped'),
    reason: str('why it failed, or why a 0 left the VMA short').opt(),
  }),
] as const;
