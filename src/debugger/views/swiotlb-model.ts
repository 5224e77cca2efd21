/**
 * View model of the SWIOTLB panel: the bounce-buffer pool as the kernel keeps it
 * (kernel/dma/swiotlb.c: io_tlb_list free-run counts, io_tlb_index search cursor).
 *
 * Wiring (lead, at merge): the debugger copies the swiotlb model's arrays: `owner` per
 * slot from the model's orig-addr bookkeeping (index into `owners`, -1 free), `list`
 * from io_tlb_list, `index` from io_tlb_index, `maxMappingSize` from
 * swiotlb_max_mapping_size() (kernel-dependent), and `lastFailed` from the last
 * `swiotlb-full` record.
 */
export interface SwiotlbView {
  /** Pool base PA and number of slots (IO_TLB_SHIFT = 11: 2 KiB each). */
  readonly start: number;
  readonly nslabs: number;
  readonly slotSize: number;
  /** IO_TLB_SEGSIZE: a mapping never crosses a segment (128 slots). */
  readonly segSize: number;
  /** Per slot: index into `owners`, or -1 when free. */
  readonly owner: ArrayLike<number>;
  /** Per slot: the kernel's free-run count io_tlb_list[i] (0 when used). */
  readonly list: ArrayLike<number>;
  readonly owners: readonly string[];
  /** io_tlb_index: where the next search starts. */
  readonly index: number;
  /** dma_max_mapping_size() through swiotlb, bytes. */
  readonly maxMappingSize: number;
  /** The last request that found no room. */
  readonly lastFailed?: { readonly dev: string; readonly size: number; readonly nslots: number };
}
