/**
 * The `amd` section: AMD IOMMUs, the devices behind them (their PCI function and IOMMU),
 * the driver's options (amd_iommu=fullflush, NP-cache), the PCI MEM BAR windows reserved in
 * every DMA domain, a timeline of kernel-side operations (domains, attach/detach, the IOMMU
 * API as VFIO drives it, raw device accesses) and injected allocation failures.
 */
import { z } from 'zod';
import { Addr, BdfText, ByteValue, Duration, Name, Offset, Size } from './common.ts';

const at = Duration.describe('virtual time the operation runs at');

export const AmdOp = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('domain-alloc'),
    at,
    domain: Name.describe('name for the new protection domain'),
    type: z.enum(['unmanaged', 'dma']).default('unmanaged').describe('"unmanaged" (iommu_domain_alloc, as VFIO) or "dma"'),
  }).describe('amd_iommu_domain_alloc: a protection domain with its own I/O page table, for attach and the IOMMU API ops'),
  z
    .strictObject({ op: z.literal('domain-free'), at, domain: Name.describe('domain to free (its devices are detached first)') })
    .describe('amd_iommu_domain_free: the devices still attached are detached, then the domain and its page table go'),
  z
    .strictObject({ op: z.literal('attach'), at, dev: Name.describe('a device in amd.devices'), domain: Name.describe('domain name ("dma-GROUP" for a default domain)') })
    .describe('amd_iommu_attach_device: detach from the current domain, attach to this one'),
  z
    .strictObject({ op: z.literal('detach'), at, dev: Name })
    .describe('iommu_detach_device: back to the group default domain (the IOMMU core re-attaches it)'),
  z
    .strictObject({
      op: z.literal('iommu-map'),
      at,
      domain: Name,
      iova: Addr.describe('IOVA (4 KiB aligned)'),
      buf: Name.describe('buffer the IOVA maps'),
      offset: Offset.default(0).describe('byte offset into the buffer (4 KiB aligned)'),
      size: Size.describe('bytes (a multiple of 4 KiB)'),
      prot: z.enum(['r', 'w', 'rw']).default('rw').describe('IOMMU_READ / IOMMU_WRITE'),
    })
    .describe('iommu_map: split into supported page sizes, amd_iommu_map each'),
  z
    .strictObject({ op: z.literal('iommu-unmap'), at, domain: Name, iova: Addr, size: Size })
    .describe('iommu_unmap: amd_iommu_unmap, then iotlb_sync (domain_flush_tlb_pde + domain_flush_complete)'),
  z
    .strictObject({ op: z.literal('dev-read'), at, dev: Name, iova: Addr.describe('bus address the device reads'), len: Size })
    .describe('the device reads a bus address through its IOMMU: its DTE\'s domain, the IOTLB, else the I/O page table; nothing mapped there logs an IO_PAGE_FAULT event'),
  z
    .strictObject({ op: z.literal('dev-write'), at, dev: Name, iova: Addr.describe('bus address the device writes'), len: Size, pattern: ByteValue.default(0xa5) })
    .describe('the device writes a bus address through its IOMMU, as dev-read (a read-only mapping faults too)'),
  z
    .strictObject({ op: z.literal('cpu-fill'), at, buf: Name, offset: Offset.default(0), len: Size.optional().describe('default: to the end of the buffer'), pattern: ByteValue })
    .describe('the CPU writes a buffer (someone else reusing a freed page)'),
]);
export type AmdOpIn = z.output<typeof AmdOp>;

export const AmdDevice = z.strictObject({
  dev: Name.describe('a bus-master or virtio-blk device in devices[] (DMA ops), or an sva-device bound to amd-v2 (its PASID flushes go through the command buffer)'),
  bdf: BdfText.describe('its PCI function, "0000:01:00.0" (the requester id the IOMMU sees is bus:dev.fn)'),
  iommu: Name.optional().describe('the IOMMU it sits behind (default: the first)'),
  driver: z.string().min(1).optional().describe('the driver name dev_err prints before the PCI name (default: the device name)'),
  group: Name.optional().describe('IOMMU group: devices in one group share its default DMA domain "dma-GROUP" (default: the device name)'),
  alias: BdfText.optional().describe('a DMA alias requester id (a bridge the device sits behind): its DTE is written too'),
  ats: z.boolean().default(false).describe('ATS enabled: device IOTLB flushes (INVALIDATE_IOTLB_PAGES) follow the IOMMU flushes'),
  qdep: z.number().int().min(0).max(255).default(32).describe('ATS invalidate queue depth'),
});

export const AmdSection = z.strictObject({
  iommus: z
    .array(z.strictObject({ name: Name.describe('e.g. "iommu0"'), devid: BdfText.default('00:00.2').describe("the IOMMU's own PCI function") }))
    .min(1)
    .max(8)
    .default([{ name: 'iommu0', devid: '00:00.2' }])
    .describe('AMD IOMMUs (IVHD units), in index order'),
  devices: z.array(AmdDevice).min(1).describe('devices behind the IOMMUs: they map through amd_iommu_dma_ops and translate through their IOMMU'),
  fullflush: z.boolean().default(false).describe('amd_iommu=fullflush: strict unmap (flush and wait before the IOVA is freed); default lazy (the flush queue)'),
  npCache: z.boolean().default(false).describe('amd_iommu_np_cache: the IOMMU caches non-present entries, so map flushes the new pages'),
  iotlbEntries: z.number().int().min(1).max(1024).default(64).describe('IOTLB entries per IOMMU'),
  irqLatency: Duration.default(1000).describe('virtual time from an event-log entry to the driver polling the log'),
  barWindows: z
    .array(z.strictObject({ start: Addr, size: Size }))
    .default([])
    .describe('PCI MEM BAR windows: init_reserved_iova_ranges reserves them in every DMA domain'),
  ops: z.array(AmdOp).default([]).describe('kernel-side operations at given times'),
  inject: z
    .strictObject({
      mapPageEnomem: z
        .array(z.number().int().min(0))
        .default([])
        .describe('iommu_map_page calls (0-based, counted from boot) that fail with -ENOMEM, as when alloc_pte\'s GFP_ATOMIC page allocation fails'),
    })
    .default({ mapPageEnomem: [] }),
});
export type AmdSectionOut = z.output<typeof AmdSection>;
