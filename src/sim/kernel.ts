/**
 * The kernels dmadbg models and the behaviour table. A scenario names its kernel; each
 * row picks a choice for every kernel, and a scenario may override a row by id for a
 * what-if run. A row is also the typed key its readers use: `m.behaviour(V7S_SPLIT_BLK)`
 * returns 'kernel' | 'corrected'. `dmadbg info kernels` prints the table.
 * Sources: ../shared/domain/kernel-facts.md §0 and kernel-facts-2.md §10 (timelines).
 *
 * Adding a row: declare it below with `behaviour({...})`, giving `kernels` with one of the
 * helpers (`sameOnAll`, `changedIn`) or a literal per version; read it with
 * `m.behaviour(ROW)` where the code differs; show both choices in a scenario (a golden per
 * kernel, or an override) and list it in BEHAVIOURS.
 */

/**
 * v5.0-rc3: the tree the seed's patches were posted against (before the v5.0-rc4 fixes
 * pull and the VT-d scalable-mode default change); v5.0 is v5.0.1; v5.4 is v5.4.1.
 * Oldest first: `changedIn` relies on the order.
 */
export const KERNEL_VERSIONS = ['v5.0-rc3', 'v5.0', 'v5.4'] as const;
export type KernelVersion = (typeof KERNEL_VERSIONS)[number];

export function isKernelVersion(v: unknown): v is KernelVersion {
  return typeof v === 'string' && (KERNEL_VERSIONS as readonly string[]).includes(v);
}

/**
 * The release whose code a version runs where a model follows a whole generation rather
 * than a row (io-pgtable's flush callbacks, the notifier range's event): v5.0-rc3 runs
 * v5.0.1's code except where a row says otherwise.
 */
export type KernelRelease = 'v5.0' | 'v5.4';
const RELEASE: Readonly<Record<KernelVersion, KernelRelease>> = { 'v5.0-rc3': 'v5.0', 'v5.0': 'v5.0', 'v5.4': 'v5.4' };
export const kernelRelease = (v: KernelVersion): KernelRelease => RELEASE[v];

export interface Behaviour<C extends string = string> {
  readonly id: string;
  readonly area: string;
  readonly summary: string;
  /** Every value a scenario may choose. */
  readonly choices: readonly C[];
  /** What each kernel did. */
  readonly kernels: Readonly<Record<KernelVersion, C>>;
  readonly source: string;
  /**
   * Choices no modelled kernel runs, with the later kernel or proposal each comes from: a
   * what-if a scenario selects by override (`dmadbg info kernels` marks them).
   */
  readonly whatIf?: Readonly<Partial<Record<C, string>>>;
  /** Position in BEHAVIOURS: the machine keeps the resolved choices in an array. */
  readonly index: number;
}

/** The literal union of a row's choices: `ChoiceOf<typeof V7S_SPLIT_BLK>` is 'kernel' | 'corrected'. */
export type ChoiceOf<B> = B extends Behaviour<infer C> ? C : never;

let rows = 0;

function behaviour<const C extends string>(row: Omit<Behaviour<C>, 'index'>): Behaviour<C> {
  for (const k of KERNEL_VERSIONS) {
    if (!row.choices.includes(row.kernels[k])) throw new Error(`behaviour ${row.id}: ${k} picks "${row.kernels[k]}", not one of its choices`);
    if (row.whatIf?.[row.kernels[k]] !== undefined) throw new Error(`behaviour ${row.id}: ${k} picks the what-if "${row.kernels[k]}"`);
  }
  for (const c of Object.keys(row.whatIf ?? {})) {
    if (!(row.choices as readonly string[]).includes(c)) throw new Error(`behaviour ${row.id}: what-if "${c}" is not one of its choices`);
  }
  return { ...row, index: rows++ };
}

/** The same choice on every kernel (a row that only exists for what-if overrides). */
export function sameOnAll<C extends string>(choice: C): Record<KernelVersion, C> {
  return { 'v5.0-rc3': choice, 'v5.0': choice, 'v5.4': choice };
}

/** `before` on the kernels older than `first`, `after` from `first` on. */
export function changedIn<C extends string>(first: KernelVersion, before: C, after: C): Record<KernelVersion, C> {
  const at = KERNEL_VERSIONS.indexOf(first);
  const out = {} as Record<KernelVersion, C>;
  KERNEL_VERSIONS.forEach((k, i) => (out[k] = i < at ? before : after));
  return out;
}

export const MTK_DRIVER_GEN = behaviour({
  id: 'mtk-driver',
  area: 'iommu/mtk',
  summary: 'MediaTek M4U driver generation: v5.0 single register set, no larbid remap, MTK_4GB forces PTE bit 9; v5.4 the mt8183 series (plat_data, MTK_EXT, mmu0/mmu1 fault groups)',
  choices: ['pre-mt8183', 'mt8183-series'],
  // The mt8183 series landed in v5.2 (kernel-facts.md §0).
  kernels: changedIn('v5.4', 'pre-mt8183', 'mt8183-series'),
  source: 'drivers/iommu/mtk_iommu.c',
});

export const V7S_SPLIT_BLK = behaviour({
  id: 'v7s-split-blk',
  area: 'pgtable/arm-v7s',
  summary: 'Partial unmap of a section: the kernel builds the new L2 entries without the section PA (arm_v7s_split_blk_unmap); "corrected" adds it',
  choices: ['kernel', 'corrected'],
  // Unchanged from before v5.0 to ~v5.10 (kernel-facts.md §0).
  kernels: sameOnAll('kernel'),
  source: 'drivers/iommu/io-pgtable-arm-v7s.c: arm_v7s_split_blk_unmap',
});

export const DMA_MAX_MAPPING_SIZE = behaviour({
  id: 'dma-max-mapping-size',
  area: 'dma',
  summary: 'dma_max_mapping_size / swiotlb_max_mapping_size exist (v5.2: 256 KiB whenever swiotlb is active; v5.4: only when the device is addressing-limited or bouncing is forced)',
  choices: ['absent', 'conditional', 'unconditional'],
  // Absent in v5.0.1; the v5.2 form is "unconditional", v5.4.1's "conditional" (kernel-facts.md §4.6).
  kernels: changedIn('v5.4', 'absent', 'conditional'),
  source: 'kernel/dma/direct.c: dma_direct_max_mapping_size',
});

export const VIRTIO_BLK_MAX_SEGMENT = behaviour({
  id: 'virtio-blk-max-segment',
  area: 'devices/virtio-blk',
  summary: 'virtio-blk caps its segment size with virtio_max_dma_size (v5.4) or leaves it unlimited (v5.0)',
  choices: ['unlimited', 'virtio_max_dma_size'],
  kernels: changedIn('v5.4', 'unlimited', 'virtio_max_dma_size'),
  source: 'drivers/block/virtio_blk.c: virtblk_probe',
});

export const AMD_V2_CLEAR_FLUSH_YOUNG = behaviour({
  id: 'amd-v2-clear-flush-young',
  area: 'iommu/amd',
  summary: 'AMD IOMMUv2 registers clear_flush_young (flushes IOTLB+ATC per aged page) in v5.0; removed by v5.4',
  choices: ['present', 'absent'],
  // The removal was posted in January 2019 and merged for v5.1 (kernel-facts.md §5.5).
  kernels: changedIn('v5.4', 'present', 'absent'),
  source: 'drivers/iommu/amd_iommu_v2.c: mn_clear_flush_young',
});

export const INTEL_SVM_CHANGE_PTE = behaviour({
  id: 'intel-svm-change-pte',
  area: 'iommu/intel',
  summary: 'Intel SVM registers change_pte (one-page flush) in v5.0; removed by v5.4 as redundant with invalidate_range',
  choices: ['present', 'absent'],
  kernels: changedIn('v5.4', 'present', 'absent'),
  source: 'drivers/iommu/intel-svm.c: intel_change_pte',
});

export const V7S_KMEMLEAK_IGNORE = behaviour({
  id: 'v7s-kmemleak-ignore',
  area: 'pgtable/arm-v7s',
  summary: '__arm_v7s_alloc_table calls kmemleak_ignore on every table, so kmemleak warns about the L1 table (page allocator memory it never tracked); fixed: only on L2 tables (slab objects)',
  choices: ['every-table', 'l2-only'],
  // v5.0.1 still ignores every table; v5.4.1 only lvl 2 (kernel-facts.md §1.10, §14).
  kernels: changedIn('v5.4', 'every-table', 'l2-only'),
  source: 'drivers/iommu/io-pgtable-arm-v7s.c: __arm_v7s_alloc_table',
});

export const DMA_IOMMU_MMAP = behaviour({
  id: 'dma-iommu-mmap',
  area: 'dma/iommu + mm',
  summary: 'Mapping a page array into a VMA: v5.0 open-codes a vm_insert_page loop (a VMA longer than the rest of the buffer is silently short); the Jan-2019 series calls vm_insert_range (-ENXIO checks); v5.4 checks in iommu_dma_mmap and calls vm_map_pages (drivers that ignore vm_pgoff: vm_map_pages_zero)',
  choices: ['insert-page-loop', 'vm_insert_range', 'vm_map_pages'],
  // The Jan-2019 vm_insert_range series was renamed before merging in v5.2 (kernel-facts-2 §14).
  kernels: changedIn('v5.4', 'insert-page-loop', 'vm_map_pages'),
  source: 'drivers/iommu/dma-iommu.c: iommu_dma_mmap; mm/memory.c: vm_map_pages',
});

export const MMC_QUEUE_BOUNCE = behaviour({
  id: 'mmc-queue-bounce',
  area: 'mmc/core',
  summary: 'mmc_setup_queue\'s bounce limit: v5.0 BLK_BOUNCE_HIGH without a DMA mask, else dma_max_pfn << PAGE_SHIFT; v5.4 BLK_BOUNCE_HIGH only without a DMA mask (else nothing is bounced)',
  choices: ['dma-max-pfn', 'high-without-mask'],
  kernels: changedIn('v5.4', 'dma-max-pfn', 'high-without-mask'),
  source: 'drivers/mmc/core/queue.c: mmc_setup_queue',
});

export const S3CMCI_HIGHMEM = behaviour({
  id: 's3cmci-highmem',
  area: 'mmc/s3cmci',
  summary: 's3cmci PIO: through sg_virt() (NULL + offset for a highmem page nobody kmapped), or with the Jan-2019 patch: kmap_atomic per page and segments of at most one page',
  choices: ['sg_virt', 'kmap_atomic'],
  // The patch was posted in January 2019 and is not in v5.4.1 (kernel-facts-2 §15).
  kernels: sameOnAll('sg_virt'),
  source: 'drivers/mmc/host/s3cmci.c: get_data_buffer, do_pio_read, do_pio_write',
});

export const P2PDMA_WHITELIST = behaviour({
  id: 'p2pdma-whitelist',
  area: 'pci/p2pdma',
  summary: 'v5.0: upstream_bridge_distance is -1 with no common upstream bridge and -2 with ACS redirect on the path, and pci_p2pdma_map_sg always hands out bus addresses; v5.4: map types cached per provider (BUS_ADDR, THRU_HOST_BRIDGE through the normal DMA path, NOT_SUPPORTED), through the host bridge only when its 00.0 function is on the whitelist',
  choices: ['absent', 'present'],
  // Absent in v5.0.1, present in v5.4.1 (kernel-facts.md §0, §8).
  kernels: changedIn('v5.4', 'absent', 'present'),
  source: 'drivers/pci/p2pdma.c: upstream_bridge_distance, host_bridge_whitelist, pci_p2pdma_map_sg_attrs',
});

export const P2PDMA_BUS_OFFSET = behaviour({
  id: 'p2pdma-bus-offset',
  area: 'pci/p2pdma',
  summary: 'pci_p2pdma_map_sg gives phys - bus_offset where bus_offset = bus - CPU address: wrong under a host bridge that translates (a non-zero offset); "corrected" gives phys + bus_offset, the fix posted in 2021',
  choices: ['kernel', 'corrected'],
  // The same sign in v5.0.1 and v5.4.1 (pci_p2pdma_add_resource, pci_p2pdma_map_sg / __pci_p2pdma_map_sg).
  kernels: sameOnAll('kernel'),
  source: 'drivers/pci/p2pdma.c: pci_p2pdma_add_resource, __pci_p2pdma_map_sg',
});

export const HMM_RANGE_VALID = behaviour({
  id: 'hmm-range-valid',
  area: 'mm/hmm',
  summary: 'When a snapshot still counts as valid: v5.0 range->valid stays false after an overlapping invalidation until hmm_vma_range_done; v5.4 sets every range valid again when the last concurrent invalidation ends, so one that starts and ends between hmm_range_fault and hmm_range_valid is missed; "interval-seq" compares a per-range invalidation count (the later mmu_interval_notifier fix)',
  choices: ['range-flag', 'notifier-count', 'interval-seq'],
  // kernel-facts-2.md §13.2, §13.3: v5.0 hmm_invalidate_range, v5.4 notifiers_decrement.
  kernels: changedIn('v5.4', 'range-flag', 'notifier-count'),
  source: 'mm/hmm.c: hmm_invalidate_range (v5.0), notifiers_decrement (v5.4)',
});

export const HMM_MIRROR_UNREGISTER = behaviour({
  id: 'hmm-mirror-unregister',
  area: 'mm/hmm',
  summary: 'v5.0 hmm_mirror_unregister sets hmm->mm = NULL even when other mirrors remain: the next hmm_mirror_register on that mm loops forever and unregistering the last mirror leaks the mmu notifier and struct hmm; v5.4 refcounts struct hmm (mmu_notifier_get_locked / mmu_notifier_put)',
  choices: ['clears-mm', 'refcounted'],
  kernels: changedIn('v5.4', 'clears-mm', 'refcounted'),
  source: 'mm/hmm.c: hmm_mirror_unregister, hmm_mirror_register',
});

export const P2P_VMA_RFC = behaviour({
  id: 'p2p-vma-rfc',
  area: 'mm/hmm',
  summary: 'What-if: the Jan-2019 RFC "mm/vma: add support for peer to peer to device vma" (never merged): vm_operations_struct gains p2p_map / p2p_unmap and hmm_range_fault on a VM_PFNMAP device-file VMA asks its exporter for bus addresses (HMM_PFN_P2P) instead of failing',
  choices: ['absent', 'present'],
  // Never merged: absent from every kernel modelled (kernel-facts-2.md §13.5).
  kernels: sameOnAll('absent'),
  source: 'RFC patches 3/5 (include/linux/mm.h) and 5/5 (mm/hmm.c), Jérôme Glisse, 2019-01-29',
});

export const INTEL_MAP_RESOURCE = behaviour({
  id: 'intel-map-resource',
  area: 'iommu/intel',
  summary: 'intel_dma_ops has no .map_resource in v5.0, so dma_map_resource returns the physical address and the device faults; v5.4 allocates an IOVA and installs PTEs (intel_map_resource)',
  choices: ['absent', 'iova'],
  // Commit 21d5d27c042d "iommu/vt-d: Implement dma_[un]map_resource()", after v5.0 (kernel-facts.md §0, §6).
  kernels: changedIn('v5.4', 'absent', 'iova'),
  source: 'drivers/iommu/intel-iommu.c: intel_map_resource',
});

export const INTEL_SM_DEFAULT = behaviour({
  id: 'intel-sm-default',
  area: 'iommu/intel',
  summary: 'Scalable mode: on by default where ECAP.SMTS, off with intel_iommu=sm_off (v5.0-rc3); off by default, on with intel_iommu=sm_on (v5.0.1, v5.4.1)',
  choices: ['on', 'off'],
  // "iommu/vt-d: Leave scalable mode default off", applied to iommu/fixes for v5.0-rc5 (kernel-facts-2.md §17).
  kernels: changedIn('v5.0', 'on', 'off'),
  source: 'drivers/iommu/intel-iommu.c: intel_iommu_sm, intel_iommu_setup',
});

export const INTEL_PASID_SNOOP_DID = behaviour({
  id: 'intel-pasid-snoop-did',
  area: 'iommu/intel',
  summary: 'pasid_set_page_snoop stores its 0/1 value into bit 0 of the PASID entry\'s DID on v5.0 (an even DID d becomes d|1 on SMPWC hardware); v5.4 stores it in bit 87 (PWSNP)',
  choices: ['into-did', 'pwsnp'],
  // The `value << 23` fix is in v5.4.1, not in v5.0.1 (kernel-facts-2.md §12.1).
  kernels: changedIn('v5.4', 'into-did', 'pwsnp'),
  source: 'drivers/iommu/intel-pasid.c: pasid_set_page_snoop',
});

export const INTEL_PASID_TEARDOWN_DID = behaviour({
  id: 'intel-pasid-teardown-did',
  area: 'iommu/intel',
  summary: 'intel_pasid_tear_down_entry clears the entry before reading its DID, so the PASID-cache and PASID-IOTLB invalidations carry DID 0 (v5.0); v5.4 reads the DID first',
  choices: ['clear-first', 'read-first'],
  kernels: changedIn('v5.4', 'clear-first', 'read-first'),
  source: 'drivers/iommu/intel-pasid.c: intel_pasid_tear_down_entry',
});

export const DMAR_SM_FAULT_REASONS = behaviour({
  id: 'dmar-sm-fault-reasons',
  area: 'iommu/intel',
  summary: 'dmar_get_fault_reason: v5.0 has no table for the scalable-mode fault reasons (0x30-0x90: PASID directory/entry, first-level and nested faults) and prints them as "Unknown"; v5.4 decodes them from dma_remap_sm_fault_reasons ("SM: Present bit in PASID Table Entry is clear")',
  choices: ['unknown', 'decoded'],
  kernels: changedIn('v5.4', 'unknown', 'decoded'),
  source: 'drivers/iommu/dmar.c: dmar_get_fault_reason, dma_remap_sm_fault_reasons',
});

export const AMD_MAP_SG_UNMAP_ON_ERROR = behaviour({
  id: 'amd-map-sg-unmap-on-error',
  area: 'iommu/amd',
  summary: 'AMD map_sg error path: rc3 tests `if (--mapped_pages)` and stops after unmapping page 0 (with k >= 2 pages mapped, pages 1..k-1 stay mapped); the rc4 fix tests `== 0` and unmaps exactly the k mapped pages',
  choices: ['first-page', 'all-mapped'],
  // "Unmap all mapped pages in error path of map_sg", v5.0-rc4 fixes pull (kernel-facts-2 §11.7b).
  kernels: changedIn('v5.0', 'first-page', 'all-mapped'),
  source: 'drivers/iommu/amd_iommu.c: map_sg',
});

export const AMD_MAP_SG_FREE_IOVA = behaviour({
  id: 'amd-map-sg-free-iova',
  area: 'iommu/amd',
  summary: 'AMD map_sg error path frees the IOVA with free_iova_fast(address) on rc3 (the byte address as a pfn: the range leaks, a bogus pfn enters the range cache) and free_iova_fast(address >> PAGE_SHIFT) after the rc4 fix',
  choices: ['byte-address', 'pfn'],
  // "Call free_iova_fast with pfn in map_sg" (kernel-facts-2 §11.7a).
  kernels: changedIn('v5.0', 'byte-address', 'pfn'),
  source: 'drivers/iommu/amd_iommu.c: map_sg',
});

export const AMD_DETACH_FLUSH = behaviour({
  id: 'amd-detach-flush',
  area: 'iommu/amd',
  summary: 'AMD do_detach: rc3 drops dev_iommu[]/dev_cnt first and flushes only the DTE, so IOTLB entries stay on an IOMMU no later domain flush reaches; the rc4 fix flushes the domain (PDE) and waits before dropping the counts',
  choices: ['refcount-first', 'flush-first'],
  // "Fix IOMMU page flush when detach device from a domain" (kernel-facts-2 §11.7c).
  kernels: changedIn('v5.0', 'refcount-first', 'flush-first'),
  source: 'drivers/iommu/amd_iommu.c: do_detach',
});

export const AMD_MAP_SG_ERROR_REASON = behaviour({
  id: 'amd-map-sg-error-reason',
  area: 'iommu/amd',
  summary: 'AMD map_sg error message: v5.0 pr_err "%s: IOMMU mapping error in map_sg (io-pages: %d)"; v5.4 dev_err "... (io-pages: %d reason: %d)"',
  choices: ['no-reason', 'reason'],
  // Applied 2019-01-30 for v5.1 (kernel-facts-2 §10, §11.6).
  kernels: changedIn('v5.4', 'no-reason', 'reason'),
  source: 'drivers/iommu/amd_iommu.c: map_sg',
});

export const AMD_IOVA_FAIL_RETURNS_ZERO = behaviour({
  id: 'amd-iova-fail-returns-zero',
  area: 'iommu/amd',
  summary: 'AMD dma_ops_alloc_iova returns 0 on failure: map_page returns that 0 as the dma address on every kernel; v5.0 map_sg tests `== DMA_MAPPING_ERROR` and maps at IOVA 0 (v5.4 tests `!address`); "none" is the corrected what-if',
  choices: ['map_page+map_sg', 'map_page', 'none'],
  kernels: { 'v5.0-rc3': 'map_page+map_sg', 'v5.0': 'map_page+map_sg', 'v5.4': 'map_page' },
  source: 'drivers/iommu/amd_iommu.c: __map_single, map_sg',
});

export const AMD_MAP_SG_OFFSET = behaviour({
  id: 'amd-map-sg-offset',
  area: 'iommu/amd',
  summary: 'AMD map_sg sets dma_address += address + s->offset (v5.0: an entry with offset >= 4096 gets an address past its mapped page) or + (s->offset & ~PAGE_MASK) (v5.4)',
  choices: ['full-offset', 'offset-in-page'],
  kernels: changedIn('v5.4', 'full-offset', 'offset-in-page'),
  source: 'drivers/iommu/amd_iommu.c: map_sg',
});

export const IOASID = behaviour({
  id: 'ioasid',
  area: 'iommu/ioasid',
  summary: 'Who hands out PASIDs. "absent" (every modelled kernel): VT-d\'s global IDR, intel_pasid_alloc_id, lowest free in [max(start, 1), end) with the end exclusive, so intel_svm_bind_mm never uses PASID pasid_max-1; -ENOSPC when full. "present": the IOASID framework, a default xarray allocator (lowest free in [min, max], both inclusive; INVALID_IOASID, never an errno) that a registered custom allocator takes over from, as a guest\'s vIOMMU does with the virtual command interface; intel_svm_bind_mm asks ioasid_alloc(NULL, PASID_MIN, pasid_max - 1). "refcounted": the same with reference counts: ioasid_get takes one (WARN for an unknown ID), ioasid_put (what a free is then) drops one and frees the ID only at zero',
  choices: ['absent', 'present', 'refcounted'],
  // drivers/iommu/ioasid.c is not in v5.4.1 (kernel-facts-2.md §10, §12.3).
  kernels: sameOnAll('absent'),
  whatIf: {
    present: 'drivers/iommu/ioasid.c as merged after v5.4 (v5.5 on, the void ioasid_free() generation) and VT-d\'s move from its IDR to it',
    refcounted: 'the v5.11 generation: ioasid_get / ioasid_put (refcount 1 at alloc) replace ioasid_free; an ID is freed when its last reference is put',
  },
  source: 'drivers/iommu/intel-pasid.c: intel_pasid_alloc_id; drivers/iommu/ioasid.c: ioasid_alloc, ioasid_register_allocator',
});

export const VSVA_UAPI = behaviour({
  id: 'vsva-uapi',
  area: 'iommu/uapi',
  summary: 'A guest that owns the first translation stage: VFIO binds its page table per PASID (intel_svm_bind_gpasid, a nested PASID entry over the VM\'s second-level table) and passes its invalidations down as struct iommu_cache_invalidate_info. "absent" (every modelled kernel): none of it exists. "v5.8": iommu_cache_invalidate calls intel_iommu_sva_invalidate directly; a (cache, granularity) pair outside inv_type_granu_table is logged and skipped with 0 returned, an ADDR not aligned to its size is -ERANGE, and qi_flush_dev_iotlb_pasid encodes 2^order pages (order >= 2) as 8 KiB. "v5.10": iommu_uapi_cache_invalidate checks argsz (at least offsetof(granu) = 16; 32 for PASID, 56 for ADDR) then the generic validity table, flags and padding (-EINVAL), the misaligned ADDR is only logged, the device-TLB size encoding is fixed and a PASID-selective device-TLB flush covers the whole range',
  choices: ['absent', 'v5.8', 'v5.10'],
  // include/uapi/linux/iommu.h has no iommu_cache_invalidate_info in v5.4.1 (kernel-facts.md §7).
  kernels: sameOnAll('absent'),
  whatIf: {
    'v5.8': 'merged for v5.8: "iommu/vt-d: Add svm/sva invalidate function" (6ee1b77ba3ac), "iommu/vt-d: Support flushing more translation cache types" (61a06a16e36d8), intel_svm_bind_gpasid',
    'v5.10': 'v5.10: "iommu/uapi: Handle data and argsz filled by users" (iommu_check_cache_invl_data), "iommu/vt-d: Fix PASID devTLB invalidation"',
  },
  source: 'drivers/iommu/intel/iommu.c: intel_iommu_sva_invalidate, to_vtd_size; drivers/iommu/iommu.c: iommu_uapi_cache_invalidate; drivers/iommu/intel/dmar.c: qi_flush_piotlb, qi_flush_dev_iotlb_pasid',
});

export const DMA_API_DEBUG = behaviour({
  id: 'dma-api-debug',
  area: 'dma',
  summary: 'CONFIG_DMA_API_DEBUG: dma-debug checks every unmap and sync against the live mappings and reports mismatches (dma-debug records, "DMA-API: ..." log lines); off in the kernels modelled, as in distribution builds',
  choices: ['off', 'on'],
  kernels: sameOnAll('off'),
  source: 'kernel/dma/debug.c: check_unmap, check_sync',
});

/** Every row, in `info kernels` order. */
export const BEHAVIOURS: readonly Behaviour[] = [
  MTK_DRIVER_GEN,
  DMA_API_DEBUG,
  V7S_SPLIT_BLK,
  DMA_MAX_MAPPING_SIZE,
  VIRTIO_BLK_MAX_SEGMENT,
  AMD_V2_CLEAR_FLUSH_YOUNG,
  INTEL_SVM_CHANGE_PTE,
  V7S_KMEMLEAK_IGNORE,
  DMA_IOMMU_MMAP,
  MMC_QUEUE_BOUNCE,
  S3CMCI_HIGHMEM,
  P2PDMA_WHITELIST,
  P2PDMA_BUS_OFFSET,
  HMM_RANGE_VALID,
  HMM_MIRROR_UNREGISTER,
  P2P_VMA_RFC,
  INTEL_MAP_RESOURCE,
  INTEL_SM_DEFAULT,
  INTEL_PASID_SNOOP_DID,
  INTEL_PASID_TEARDOWN_DID,
  DMAR_SM_FAULT_REASONS,
  AMD_MAP_SG_UNMAP_ON_ERROR,
  AMD_MAP_SG_FREE_IOVA,
  AMD_DETACH_FLUSH,
  AMD_MAP_SG_ERROR_REASON,
  AMD_IOVA_FAIL_RETURNS_ZERO,
  AMD_MAP_SG_OFFSET,
  IOASID,
  VSVA_UAPI,
];
if (BEHAVIOURS.length !== rows || new Set(BEHAVIOURS.map((b) => b.index)).size !== rows) {
  throw new Error('kernel.ts: every behaviour row must be listed in BEHAVIOURS exactly once');
}

export function behaviourById(id: string): Behaviour | undefined {
  return BEHAVIOURS.find((b) => b.id === id);
}

/** The choice in force for a kernel, honouring a scenario's named overrides (checked at load). */
export function behaviourChoice<C extends string>(kernel: KernelVersion, overrides: Readonly<Record<string, string>>, b: Behaviour<C>): C {
  const o = overrides[b.id];
  return o !== undefined && (b.choices as readonly string[]).includes(o) ? (o as C) : b.kernels[kernel];
}

/**
 * Every row's choice for a machine, by row index. An override naming no row or no choice
 * of its row is a dmadbg bug here: the scenario checker refuses it with its JSON path first.
 */
export function resolveBehaviours(kernel: KernelVersion, overrides: Readonly<Record<string, string>>): readonly string[] {
  for (const [id, choice] of Object.entries(overrides)) {
    const b = behaviourById(id);
    if (!b) throw new Error(`unknown kernel behaviour "${id}"`);
    if (!(b.choices as readonly string[]).includes(choice)) throw new Error(`"${choice}" is not a choice for ${id} (one of: ${b.choices.join(', ')})`);
  }
  const out: string[] = [];
  for (const b of BEHAVIOURS) out[b.index] = behaviourChoice(kernel, overrides, b);
  return out;
}
