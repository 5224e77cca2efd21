/**
 * Device kinds. Each kind is one strict object in the discriminated union on `kind`;
 * a model issue adds its kinds here.
 */
import { z } from 'zod';
import { Addr, BdfText, ByteValue, Count, DmaMaskBits, Duration, Name, Offset, Size } from './common.ts';
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
  z.strictObject({ op: z.literal('write'), ...bufOrAddr, len: Size, pattern: ByteValue.default(0xa5) }),
  z.strictObject({ op: z.literal('read'), ...bufOrAddr, len: Size }),
  z.strictObject({
    op: z.literal('copy'),
    src: Name.describe('source buffer'),
    dst: Name.describe('destination buffer'),
    len: Size,
  }),
  z.strictObject({ op: z.literal('delay'), ns: Duration }),
]);

export const DmaEngine = z.strictObject({
  kind: z.literal('dma-engine'),
  name: Name,
  dmaMask: DmaMaskBits.default(64).describe('DMA addressing limit in bits'),
  start: Duration.default(0).describe('virtual time of the first operation'),
  period: Duration.default(1000).describe('virtual time between rounds'),
  jitter: Duration.default(0).describe('extra random delay per round, 0..jitter, from the seed'),
  repeat: z.number().int().min(1).max(10_000_000).default(1).describe('rounds of the op list'),
  ops: z.array(EngineOp).min(1),
});

export const SvaDeviceOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('read'), va: Addr.describe('process virtual address'), len: Size }),
  z.strictObject({ op: z.literal('write'), va: Addr.describe('process virtual address'), len: Size, pattern: ByteValue.default(0xa5) }),
  z.strictObject({ op: z.literal('delay'), ns: Duration }),
]);

/** A device sharing a process's address space; sva.bindings picks its process and IOMMU. */
export const SvaDevice = z.strictObject({
  kind: z.literal('sva-device'),
  name: Name,
  dmaMask: DmaMaskBits.default(64).describe('DMA addressing limit in bits'),
  start: Duration.default(0).describe('virtual time of the first access'),
  period: Duration.default(1000).describe('virtual time between rounds'),
  jitter: Duration.default(0).describe('extra random delay per round, 0..jitter, from the seed'),
  repeat: z.number().int().min(1).max(10_000_000).default(1).describe('rounds of the op list'),
  ops: z.array(SvaDeviceOp).min(1),
});

const Direction = z.enum(['to-device', 'from-device', 'bidirectional']);
const Handle = Name.describe('name of a mapping (group) made by an earlier "map" op');

export const BusOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('cpu-fill'), buf: Name, offset: Offset.optional(), len: Size, pattern: ByteValue }),
  z.strictObject({ op: z.literal('cpu-read'), buf: Name, offset: Offset.optional(), len: Size, at: z.string().min(1).describe('label shown in the record') }),
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
  }),
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
  }),
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
  z.strictObject({ op: z.literal('dev-write'), handle: Handle, index: Count.default(0), offset: Offset.default(0), len: Size, pattern: ByteValue }),
  z.strictObject({ op: z.literal('dev-read'), handle: Handle, index: Count.default(0), offset: Offset.default(0), len: Size }),
  z.strictObject({ op: z.literal('sync-for-cpu'), handle: Handle, index: Count.default(0) }),
  z.strictObject({ op: z.literal('sync-for-device'), handle: Handle, index: Count.default(0) }),
  z.strictObject({ op: z.literal('delay'), ns: Duration }),
]);

export const BusMaster = z.strictObject({
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
});

export const BlkRequest = z.strictObject({
  op: z.enum(['read', 'write']),
  sector: z.number().int().min(0).describe('first 512-byte sector'),
  buf: Name.describe('buffer the data goes to (read) or comes from (write)'),
  offset: Offset.optional(),
  len: Size.describe('request bytes (a multiple of 512)'),
});

export const VirtioBlk = z.strictObject({
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
});

export const Device = z.discriminatedUnion('kind', [DmaEngine, BusMaster, VirtioBlk, SvaDevice, MtkEngine, V7sSelftest, S3cmci, PciEndpoint]);
export type DeviceIn = z.output<typeof Device>;
export const DEVICE_KINDS = Device.options.map((o) => o.shape.kind.value);
