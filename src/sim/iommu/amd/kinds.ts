/** Trace kinds of the AMD IOMMU DMA path (collected in src/sim/trace-kinds.ts). */
import { type TextCodec, bool, hex, hex32Text, hex64, hexU64, int, oneOf, str, text } from '../../trace/field.ts';
import { kind } from '../../trace/spec.ts';
import { CMD_NAMES, EVENT_NAMES } from './defs.ts';

/** Four u32 words (a command or an event-log entry) as the ring holds them. */
export type Words4 = readonly [number, number, number, number];

const WORDS = /^0x([0-9a-f]{8}) 0x([0-9a-f]{8}) 0x([0-9a-f]{8}) 0x([0-9a-f]{8})$/;
const words4: TextCodec<Words4> = {
  text: (w) => w.map(hex32Text).join(' '),
  parse: (s) => {
    const m = WORDS.exec(s);
    return [1, 2, 3, 4].map((i) => parseInt(m?.[i] ?? '0', 16)) as unknown as Words4;
  },
  shape: '"0x00000000 0x30000001 0x7ffff003 0x7fffffff" (data[0] .. data[3])',
  pattern: '^0x[0-9a-f]{8} 0x[0-9a-f]{8} 0x[0-9a-f]{8} 0x[0-9a-f]{8}$',
};

/** dev_iommu[] of a domain: "1,0" is one device behind iommu0 and none behind iommu1. */
const counts: TextCodec<readonly number[]> = {
  text: (c) => c.join(','),
  parse: (s) => (s === '' ? [] : s.split(',').map(Number)),
  shape: '"1,0" (one count per IOMMU, in index order)',
  pattern: '^(\\d+(,\\d+)*)?$',
};

const CMD_KIND_NAMES: readonly string[] = Object.values(CMD_NAMES);
const EVENT_KIND_NAMES: readonly string[] = [...Object.values(EVENT_NAMES), 'UNKNOWN'];

export const AMD_KINDS = [
  kind('amd-pte', 'The AMD driver wrote an I/O page-table entry (64-bit; stores that change the word).', {
    domain: str('protection domain name'),
    domid: int('domain ID'),
    level: int('0-based level of the table holding the entry (0: 4 KiB PTEs, 1: 2 MiB, 2: 1 GiB ...)'),
    index: int('slot within its 512-entry table'),
    old: hex64('previous entry'),
    new: hex64('entry written (PR bit 0, next level 11:9, address 51:12, FC 60, IR 61, IW 62)'),
    addr: hex('physical address of the entry'),
    iova: hex('first IOVA the entry covers'),
    by: str('kernel function that wrote it (alloc_pte, iommu_map_page, iommu_unmap_page, increase_address_space ...)'),
  }),
  kind('amd-dte', 'A device table entry was written (set_dte_entry on attach/update, clear_dte_entry on detach).', {
    devid: str('the entry: bus:dev.fn of the requester id'),
    dev: str('the device (absent for an alias entry)').opt(),
    op: oneOf(['set', 'clear'], '"set" or "clear"'),
    domid: int('domain ID in data[1] bits 15:0'),
    mode: int('paging mode in data[0] bits 11:9 (0: no translation)'),
    data0: hex64('data[0]: page-table root, mode, V (bit 0), TV (bit 1), IR (61), IW (62)'),
    data1: hex64('data[1]: domain ID (15:0), IOTLB enable (bit 32)'),
  }),
  kind('amd-cmd', 'The driver queued a command in an IOMMU command buffer; the IOMMU executes it in order.', {
    iommu: str('IOMMU, e.g. "iommu0"'),
    slot: int('entry index in the 512-entry ring'),
    cmd: oneOf(CMD_KIND_NAMES, 'the opcode (data[1] bits 31:28): COMPLETION_WAIT, INVALIDATE_DEVTAB_ENTRY, INVALIDATE_IOMMU_PAGES, INVALIDATE_IOTLB_PAGES, ...'),
    dw: text('the four command words', words4),
    domid: int('INVALIDATE_IOMMU_PAGES: domain ID').opt(),
    devid: str('INVALIDATE_DEVTAB_ENTRY / INVALIDATE_IOTLB_PAGES: bus:dev.fn').opt(),
    address: hexU64('address field (page aligned; 0x7ffffffffffff000 with S set: everything)').opt(),
    s: bool('S bit: a range (here: all pages) rather than one page').opt(),
    pde: bool('PDE bit: page-directory entries too').opt(),
    by: str('kernel function that queued it'),
  }),
  kind(
    'amd-event',
    'The driver read an event-log entry (iommu_poll_events -> iommu_print_event): the report stage of an IOMMU fault, after its dma record.',
    {
      iommu: str('IOMMU'),
      slot: int('entry index in the 512-entry event log'),
      type: oneOf(EVENT_KIND_NAMES, 'event code (event[1] bits 31:28): IO_PAGE_FAULT, ILLEGAL_DEV_TABLE_ENTRY, ...'),
      devid: str('bus:dev.fn (event[0] bits 15:0)'),
      domain: int('the domain/PASID field as this kernel decodes it (v5.0: the PPR layout, v5.4: event[1] 15:0 | event[0] 19:16)'),
      address: hexU64('event[3]:event[2]'),
      flags: hex('event[1] bits 27:16 (GN 0, NX 1, US 2, I 3, PR 4, RW 5, PE 6, RZ 7, TR 8; the kernel prints it raw)'),
      dw: text('the four entry words', words4),
      dev: str('the device that faulted (the simulator knows it)').opt(),
      printed: oneOf(['dev_err', 'pr_err', 'suppressed'], 'how amd_iommu_report_page_fault printed it: "dev_err" (the pci_dev, its ratelimit allowing), "pr_err" with device= (no pci_dev in segment 0, or that ratelimit spent), or "suppressed" by printk_ratelimit'),
    },
    { stage: 'report' },
  ),
  kind('amd-domain', 'A protection domain was allocated, freed, or its page table grew a level.', {
    op: oneOf(['alloc', 'free', 'grow'], '"alloc", "free" or "grow" (increase_address_space)'),
    domain: str('domain name'),
    id: int('domain ID (lowest free in the bitmap)'),
    type: oneOf(['dma', 'unmanaged'], '"dma" (dma_ops_domain_alloc) or "unmanaged" (IOMMU API)'),
    mode: int('paging mode (levels)'),
    root: hex('PA of the top-level table'),
  }),
  kind('amd-dev', 'A device was attached to or detached from a protection domain (do_attach / do_detach).', {
    op: oneOf(['attach', 'detach'], '"attach" or "detach"'),
    dev: str('device name'),
    devid: str('bus:dev.fn'),
    iommu: str('the IOMMU the device sits behind'),
    domain: str('domain name'),
    id: int('domain ID'),
    devIommu: text("the domain's dev_iommu[] after the call: which IOMMUs its flushes reach", counts),
    devCnt: int('dev_cnt after the call'),
  }),
  kind('amd-iova', 'The AMD dma-ops IOVA allocator: dma_ops_alloc_iova, free, queue_iova and the flush queue draining.', {
    op: oneOf(['alloc', 'free', 'queue', 'flush'], '"alloc", "free" (free_iova_fast), "queue" (queue_iova, lazy unmap) or "flush" (the flush queue drained)'),
    domain: str('domain name'),
    pfn: hex('page frame (IOVA >> 12) allocated, freed or queued; alloc: 0 when it failed').opt(),
    pages: int('pages (alloc: rounded up to a power of two)').opt(),
    limit: hex('alloc: the highest pfn it may return').opt(),
    via: oneOf(['rcache', 'tree', 'fail'], 'alloc: served by the per-CPU range cache, the rbtree, or failed').opt(),
    why: oneOf(['timer', 'full'], 'flush: the 10 ms timer fired or the 256-entry queue was full').opt(),
    freed: int('flush: queued ranges freed').opt(),
    waitedNs: int('flush: how long the oldest freed range waited since its unmap (the stale window)').opt(),
  }),
  kind('dma-mismatch', 'Checker: a device accessed a dma address the DMA API returned as a success, and the IOMMU did not take it to the buffer the driver mapped there.', {
    dev: str('device name'),
    addr: hex('dma address accessed'),
    dir: oneOf(['read', 'write'], '"read" or "write"'),
    expected: hex('PA the driver mapped at this address'),
    reached: hex('PA the access reached (null: it faulted)').orNull(),
    api: str('the mapping call that returned this address'),
    mappedBy: int('seq of that map record'),
  }),
] as const;
