/**
 * Constants of the AMD IOMMU as drivers/iommu/amd_iommu_types.h defines them (v5.0.1 and
 * v5.4.1 agree on every value here) and amd_iommu.c's own (IOVA_START_PFN, the reserved
 * MSI and HyperTransport windows, AMD_IOMMU_PGSIZES, LOOP_TIMEOUT).
 *
 * 64-bit words (PTEs, DTE quadwords, event and command addresses) are handled as two u32
 * halves, `lo` (bits 31:0) and `hi` (bits 63:32): bit 61 of a PTE is bit 29 of `hi`.
 */

// ---- I/O page table (amd_iommu_types.h: PM_*, IOMMU_PTE_*, PAGE_MODE_*) -------------------

export const PAGE_MODE_NONE = 0;
export const PAGE_MODE_3_LEVEL = 3;
export const PAGE_MODE_6_LEVEL = 6;
/** Next-level 7 in a PTE: one of a series of replicated large-page PTEs. */
export const PAGE_MODE_7_LEVEL = 7;

/** IOMMU_PTE_PR, bit 0 (lo). */
export const PTE_PR = 1;
/** PM_LEVEL_ENC: the next-level field, bits 11:9 (lo). */
export const PTE_LEVEL_SHIFT = 9;
/** IOMMU_PTE_U (59), _FC (60), _IR (61), _IW (62) as bits of `hi`. */
export const PTE_HI_U = 1 << 27;
export const PTE_HI_FC = 1 << 28;
export const PTE_HI_IR = 1 << 29;
export const PTE_HI_IW = 1 << 30;
/** PM_ADDR_MASK 0x000FFFFFFFFFF000: bits 51:12, i.e. lo & 0xFFFFF000 and hi & 0xFFFFF. */
export const PTE_LO_ADDR = 0xffff_f000;
export const PTE_HI_ADDR = 0x000f_ffff;

/** IOMMU_PROT_IR / IOMMU_PROT_IW (dir2prot, amd_iommu_map). */
export const IOMMU_PROT_IR = 1;
export const IOMMU_PROT_IW = 2;

/** AMD_IOMMU_PGSIZES = ~0xFFF & ~(2 << 38): every power of two from 4 KiB except 512 GiB. */
export const AMD_IOMMU_PGSIZE_512G_HOLE = 2 ** 39;

// ---- Device table entry (DTE_FLAG_*, DEV_ENTRY_*, DEV_DOMID_MASK) -------------------------

/** data[0]: V (bit 0), TV (bit 1), mode (bits 11:9), IR (61), IW (62). */
export const DTE_LO_V = 1;
export const DTE_LO_TV = 2;
export const DTE_MODE_SHIFT = 9;
export const DTE_HI_IR = 1 << 29;
export const DTE_HI_IW = 1 << 30;
/** data[1]: domain ID bits 15:0; DTE_FLAG_IOTLB (bit 32 of data[1]) = bit 0 of its hi half. */
export const DTE1_HI_IOTLB = 1;
/** DTE_FLAG_MASK (0x3ff << 32): what clear_dte_entry keeps of data[1]. */
export const DTE1_HI_FLAG_MASK = 0x3ff;
export const MAX_DOMAIN_ID = 65536;

// ---- Command buffer (CMD_*) ----------------------------------------------------------------

export const CMD_COMPL_WAIT = 0x01;
export const CMD_INV_DEV_ENTRY = 0x02;
export const CMD_INV_IOMMU_PAGES = 0x03;
export const CMD_INV_IOTLB_PAGES = 0x04;
export const CMD_INV_IRT = 0x05;
export const CMD_COMPLETE_PPR = 0x07;
export const CMD_INV_ALL = 0x08;
export const CMD_COMPL_WAIT_STORE_MASK = 0x01;
export const CMD_INV_IOMMU_PAGES_SIZE_MASK = 0x01;
export const CMD_INV_IOMMU_PAGES_PDE_MASK = 0x02;
export const CMD_INV_IOMMU_PAGES_GN_MASK = 0x04;
/** CMD_INV_IOMMU_ALL_PAGES_ADDRESS 0x7FFF_FFFF_FFFF_FFFF, as the builders write it (& PAGE_MASK). */
export const ALL_PAGES_LO = 0xffff_f000;
export const ALL_PAGES_HI = 0x7fff_ffff;
/** CMD_BUFFER_SIZE 8192: 512 entries of 16 bytes. */
export const CMD_BUFFER_SIZE = 8192;
export const CMD_BUFFER_ENTRIES = 512;
export const CMD_ENTRY_SIZE = 16;

export const CMD_NAMES: Readonly<Record<number, string>> = {
  [CMD_COMPL_WAIT]: 'COMPLETION_WAIT',
  [CMD_INV_DEV_ENTRY]: 'INVALIDATE_DEVTAB_ENTRY',
  [CMD_INV_IOMMU_PAGES]: 'INVALIDATE_IOMMU_PAGES',
  [CMD_INV_IOTLB_PAGES]: 'INVALIDATE_IOTLB_PAGES',
  [CMD_INV_IRT]: 'INVALIDATE_INTERRUPT_TABLE',
  [CMD_COMPLETE_PPR]: 'COMPLETE_PPR_REQUEST',
  [CMD_INV_ALL]: 'INVALIDATE_IOMMU_ALL',
};

// ---- Event log (EVENT_*, MMIO_EVT_*) ---------------------------------------------------------

export const EVENT_TYPE_SHIFT = 28;
export const EVENT_TYPE_ILL_DEV = 0x1;
export const EVENT_TYPE_IO_FAULT = 0x2;
export const EVENT_FLAGS_SHIFT = 16;
export const EVENT_FLAGS_MASK = 0xfff;
export const EVT_BUFFER_SIZE = 8192;
export const EVT_BUFFER_ENTRIES = 512;
export const EVENT_ENTRY_SIZE = 16;
/** The IO_PAGE_FAULT flag bits (AMD IOMMU spec; the kernel prints the field raw). */
export const EVENT_FLAG_RW = 0x020;
export const EVENT_FLAG_PR = 0x010;
export const EVENT_FLAG_PE = 0x040;

export const EVENT_NAMES: Readonly<Record<number, string>> = {
  0x1: 'ILLEGAL_DEV_TABLE_ENTRY',
  0x2: 'IO_PAGE_FAULT',
  0x3: 'DEV_TAB_HARDWARE_ERROR',
  0x4: 'PAGE_TAB_HARDWARE_ERROR',
  0x5: 'ILLEGAL_COMMAND_ERROR',
  0x6: 'COMMAND_HARDWARE_ERROR',
  0x7: 'IOTLB_INV_TIMEOUT',
  0x8: 'INVALID_DEVICE_REQUEST',
  0x9: 'INVALID_PPR_REQUEST',
};

/** MMIO offsets (MMIO_CMD_HEAD_OFFSET ...), shown by `info amd`. */
export const MMIO_CMD_HEAD = 0x2000;
export const MMIO_CMD_TAIL = 0x2008;
export const MMIO_EVT_HEAD = 0x2010;
export const MMIO_EVT_TAIL = 0x2018;

// ---- amd_iommu.c ---------------------------------------------------------------------------

/** LOOP_TIMEOUT: polls of 1 us before "Completion-Wait loop timed out" / "Command buffer timeout". */
export const LOOP_TIMEOUT = 100_000;
/** IOVA_START_PFN: pfn 0 is never handed out, so IOVA 0 is never mapped by dma_ops_alloc_iova. */
export const IOVA_START_PFN = 1;
export const MSI_RANGE_START = 0xfee0_0000;
export const MSI_RANGE_END = 0xfeef_ffff;
export const HT_RANGE_START = 0xfd_0000_0000;
export const HT_RANGE_END = 0xff_ffff_ffff;
