/**
 * Device kinds. Each kind is one strict object in the discriminated union on `kind`;
 * a model issue adds its kinds here.
 */
import { z } from 'zod';
import { Addr, BdfText, ByteValue, Count, DELAY_OP, DmaMaskBits, Duration, Name, Offset, Size } from './common.ts';
import { MtkEngine } from './mtk.ts';
import { V7sSelftest } from './v7s-selftest.ts';
import { S3cmci } from './s3cmci.ts';
import { PciEndpoint } from './pci.ts';

const bufOrAddr = {
  buf: Name.optional().describe('name of a buffer in memory.buffers'),
  offset: Offset.optional().describe('byte offset into the buffer'),
  addr: Addr.optional().describe('raw physical address instead of a buffer'),
};

export const EngineOp = z.discriminatedUnion('op', [
  z
    .strictObject({ op: z.literal('write'), ...bufOrAddr, len: Size, pattern: ByteValue.default(0xa5) })
    .describe('dma_map_single (from-device), the engine writes `len` bytes of `pattern`, dma_unmap_single. dma-direct: the DMA address is the physical one; a buffer beyond dmaMask bounces through SWIOTLB, and with no pool the map fails'),
  z
    .strictObject({ op: z.literal('read'), ...bufOrAddr, len: Size })
    .describe('dma_map_single (to-device), the engine reads `len` bytes (a checksum in the record), dma_unmap_single; the same mask rule as write'),
  z
    .strictObject({
      op: z.literal('copy'),
      src: Name.describe('source buffer'),
      dst: Name.describe('destination buffer'),
      len: Size,
    })
    .describe('maps src (to-device) and dst (from-device), the engine copies `len` bytes, both are unmapped'),
  z.strictObject({ op: z.literal('delay'), ns: Duration }).describe(DELAY_OP),
]);

export const DmaEngine = z
  .strictObject({
    kind: z.literal('dma-engine'),
    name: Name,
    dmaMask: DmaMaskBits.default(64).describe('DMA addressing limit in bits'),
    start: Duration.default(0).describe('virtual time of the first operation'),
    period: Duration.default(1000).describe('virtual time between rounds'),
    jitter: Duration.default(0).describe('extra random delay per round, 0..jitter, from the seed'),
    repeat: z.number().int().min(1).max(10_000_000).default(1).describe('rounds of the op list'),
    ops: z.array(EngineOp).min(1),
  })
  .describe('a DMA engine with no IOMMU in front: its driver maps each op\'s buffer with dma_map_single (dma-direct), the engine transfers, the driver unmaps; the op list runs `repeat` times, `period` plus a seeded `jitter` apart');

export const SvaDeviceOp = z.discriminatedUnion('op', [
  z
    .strictObject({ op: z.literal('read'), va: Addr.describe('process virtual address'), len: Size })
    .describe('reads `len` bytes at a process virtual address, tagged with its PASID: the ATC, else a walk of the CPU page table (setting the accessed bit), else a page request the IOMMU driver answers with handle_mm_fault. Before the bind (sva.bindings `at`) or after an unbind there is no PASID: it faults'),
  z
    .strictObject({ op: z.literal('write'), va: Addr.describe('process virtual address'), len: Size, pattern: ByteValue.default(0xa5) })
    .describe('writes `len` bytes of `pattern` at a process virtual address, as read (the walk also sets the dirty bit; a read-only VMA fails the page request)'),
  z.strictObject({ op: z.literal('delay'), ns: Duration }).describe(DELAY_OP),
]);

/** A device sharing a process's address space; sva.bindings picks its process and IOMMU. */
export const SvaDevice = z
  .strictObject({
    kind: z.literal('sva-device'),
    name: Name,
    dmaMask: DmaMaskBits.default(64).describe('DMA addressing limit in bits'),
    start: Duration.default(0).describe('virtual time of the first access'),
    period: Duration.default(1000).describe('virtual time between rounds'),
    jitter: Duration.default(0).describe('extra random delay per round, 0..jitter, from the seed'),
    repeat: z.number().int().min(1).max(10_000_000).default(1).describe('rounds of the op list'),
    ops: z.array(SvaDeviceOp).min(1),
  })
  .describe('a device sharing a process\'s address space (SVA, PASID): it needs a binding in sva.bindings, which picks the process and the IOMMU (amd-v2 or intel-svm) whose mm notifier keeps its ATC coherent');

const Direction = z.enum(['to-device', 'from-device', 'bidirectional']);
const Handle = Name.describe('name of a mapping (group) made by an earlier "map" op');

export const BusOp = z.discriminatedUnion('op', [
  z
    .strictObject({ op: z.literal('cpu-fill'), buf: Name, offset: Offset.optional(), len: Size, pattern: ByteValue })
    .describe('the driver\'s CPU writes `pattern` over the buffer. After dma_map of a bounced to-device mapping the device sees it only after sync-for-device'),
  z
    .strictObject({ op: z.literal('cpu-read'), buf: Name, offset: Offset.optional(), len: Size, at: z.string().min(1).describe('label shown in the record') })
    .describe('the driver\'s CPU reads the buffer (the record has a checksum and the first byte): what a bounced device wrote is there only after sync-for-cpu or unmap'),
  z.strictObject({
    op: z.literal('map'),
    handle: Name.describe('name for this mapping group'),
    buf: Name,
    offset: Offset.optional(),
    len: Size,
    dir: Direction,
    count: z.number().int().min(1).max(65536).default(1).describe('mappings, `stride` bytes apart'),
    stride: Size.optional().describe('bytes between mappings (default len)'),
    api: z
      .enum(['single', 'page', 'sg'])
      .default('single')
      .describe('dma_map_single or dma_map_page per mapping, or one dma_map_sg over all of them'),
    sgPage: z
      .enum(['own', 'buffer'])
      .default('own')
      .describe('sg: "own" sets each entry with sg_set_buf (its own page, offset < 4 KiB); "buffer" gives every entry the buffer\'s first page (a compound page) and s->offset from it, as skb frags of compound pages have'),
  }).describe('maps the buffer for the device (handle `handle`) through its DMA ops: dma-direct bounces through SWIOTLB what dmaMask cannot reach (everything under swiotlb=force); behind VT-d or AMD the IOMMU driver allocates an IOVA and writes its page table. A failed map (no pool, pool full, no IOVA) leaves the entry unmapped and the device never gets its address'),
  z
    .strictObject({
      op: z.literal('map-resource'),
      handle: Name.describe('name for this mapping'),
      peer: Name.optional().describe("a device whose MMIO BAR (its `bar`) the range lies in"),
      addr: Addr.optional().describe('raw physical (MMIO) address instead of a peer'),
      offset: Offset.default(0).describe('byte offset into the peer BAR'),
      len: Size,
      dir: Direction,
    })
    .describe('dma_map_resource of an MMIO range, e.g. another device\'s doorbell (peer-to-peer)'),
  z.strictObject({
    op: z.literal('unmap'),
    handle: Handle,
    every: z.number().int().min(1).default(1).describe('unmap entries i with i % every == phase'),
    phase: z.number().int().min(0).default(0),
    flush: z.boolean().default(true).describe('false: the driver bug of unmapping with no IOTLB invalidation (VT-d)'),
    len: Size.optional().describe('the driver bug of unmapping with another size than was mapped (dma-debug reports it with dma-api-debug=on); default: the mapped size'),
  }).describe('dma_unmap_single/page of entries i with i % every == phase (dma_unmap_sg of all for an sg mapping); a bounced from-device or bidirectional mapping is copied back to the buffer here; behind an IOMMU the IOVA is unmapped and flushed (at once when strict, else through the flush queue)'),
  z
    .strictObject({
      op: z.literal('access'),
      addr: Addr.describe('bus address the device puts on the wire, mapped or not'),
      len: Size,
      dir: z.enum(['read', 'write']),
      pattern: ByteValue.default(0x5a).describe('byte a write carries'),
    })
    .describe('a raw device access (a buggy or stale address; faults show the IOMMU\'s view)'),
  z.strictObject({ op: z.literal('pci-remove') }).describe('PCI hot-remove of the function (echo 1 > .../remove): the IOMMU driver detaches it'),
  z.strictObject({ op: z.literal('pci-rescan') }).describe('the function comes back (echo 1 > /sys/bus/pci/rescan)'),
  z
    .strictObject({ op: z.literal('dev-write'), handle: Handle, index: Count.default(0), offset: Offset.default(0), len: Size, pattern: ByteValue })
    .describe('the device writes at the DMA address of mapping `index` + offset (into the bounce slot when it bounced; through the IOMMU when one translates it)'),
  z
    .strictObject({ op: z.literal('dev-read'), handle: Handle, index: Count.default(0), offset: Offset.default(0), len: Size })
    .describe('the device reads at the DMA address of mapping `index` + offset, as dev-write'),
  z
    .strictObject({ op: z.literal('sync-for-cpu'), handle: Handle, index: Count.default(0) })
    .describe('dma_sync_single_for_cpu: a bounced from-device or bidirectional mapping is copied to the buffer; the kernel requires it before the CPU reads what the device wrote'),
  z
    .strictObject({ op: z.literal('sync-for-device'), handle: Handle, index: Count.default(0) })
    .describe('dma_sync_single_for_device: a bounced to-device or bidirectional mapping is copied to the bounce slot; the kernel requires it before the device reads what the CPU wrote after map'),
  z.strictObject({ op: z.literal('delay'), ns: Duration }).describe(DELAY_OP),
]);

export const BusMaster = z
  .strictObject({
    kind: z.literal('bus-master'),
    name: Name,
    dmaMask: DmaMaskBits.default(32).describe('DMA addressing limit in bits'),
    segBoundaryMask: Addr.optional().describe('dma_get_seg_boundary (default 0xFFFFFFFF); mask+1 must be a power of two'),
    bdf: BdfText.optional().describe('PCI function ("0000:00:03.0"): behind a VT-d unit when the scenario has a `vtd` section'),
    requester: BdfText.optional().describe('requester id its DMA carries when it differs from bdf (e.g. a function-1 DMA quirk the kernel does not know)'),
    driver: z.string().min(1).optional().describe('driver name dev_err lines print (dev_driver_string); default "pci"'),
    bar: z
      .strictObject({ addr: Addr.describe('bus address of BAR0 (MMIO, outside DRAM)'), size: Size })
      .optional()
      .describe('an MMIO BAR other devices may target with map-resource; VT-d reserves it in every IOVA space'),
    start: Duration.default(0),
    ops: z.array(BusOp).min(1),
  })
  .describe('a device and its driver using the DMA API op by op (map, device accesses, syncs, CPU accesses, unmap), each op once, in order: through dma-direct, or through VT-d (a `bdf` and a `vtd` section) or AMD (listed in amd.devices)');

export const BlkRequest = z
  .strictObject({
    op: z.enum(['read', 'write']),
    sector: z.number().int().min(0).describe('first 512-byte sector'),
    buf: Name.describe('buffer the data goes to (read) or comes from (write)'),
    offset: Offset.optional(),
    len: Size.describe('request bytes (a multiple of 512)'),
  })
  .describe('one block request: `len` bytes (whole 512-byte sectors, at most max_sectors = 2560) at `sector`, into (read) or out of (write) a buffer');

export const VirtioBlk = z
  .strictObject({
    kind: z.literal('virtio-blk'),
    name: Name,
    dmaMask: DmaMaskBits.default(64),
    iommuPlatform: z.boolean().default(true).describe('VIRTIO_F_IOMMU_PLATFORM negotiated: vring_use_dma_api() is true'),
    sizeMax: Size.optional().describe('VIRTIO_BLK_F_SIZE_MAX offered with this size_max'),
    segMax: z.number().int().min(1).max(1024).default(126).describe('VIRTIO_BLK_F_SEG_MAX (QEMU offers 126)'),
    indirect: z.boolean().default(true).describe('VIRTIO_RING_F_INDIRECT_DESC negotiated'),
    start: Duration.default(0),
    latency: Duration.default(20_000).describe('host time to serve a request'),
    gap: Duration.default(1000).describe('time between a completion and the next submission'),
    requests: z.array(BlkRequest).min(1),
  })
  .describe('virtio-blk and its driver (drivers/block/virtio_blk.c): with VIRTIO_F_IOMMU_PLATFORM each request\'s segments are mapped through the DMA API; v5.4 caps a segment with virtio_max_dma_size (SWIOTLB\'s 256 KiB when it bounces), v5.0 does not, and a segment SWIOTLB cannot take fails the request (an io-error record)');

export const Device = z.discriminatedUnion('kind', [DmaEngine, BusMaster, VirtioBlk, SvaDevice, MtkEngine, V7sSelftest, S3cmci, PciEndpoint]);
export type DeviceIn = z.output<typeof Device>;
export const DEVICE_KINDS = Device.options.map((o) => o.shape.kind.value);
