/**
 * The `mtk` section: a MediaTek SoC's M4U and SMI (which SoC, optional M4U/larb split,
 * the translation-fault protect buffer, IOTLB size, IRQ latency, injected faults), and the
 * `mtk-engine` device kind: a multimedia engine on a larb port with a scripted workload.
 */
import { z } from 'zod';
import { MTK_SOCS, type MtkSoc } from '../../sim/smi/plat.ts';
import { Addr, ByteValue, DELAY_OP, Duration, Name, Offset, Size } from './common.ts';

export const MtkSection = z.strictObject({
  soc: z.enum(MTK_SOCS as [MtkSoc, ...MtkSoc[]]).describe('SoC: picks plat_data, larbs and ports, bus_sel'),
  m4u: z
    .array(z.strictObject({ larbs: z.array(z.number().int().min(0).max(15)).min(1).describe('software larb ids this M4U serves') }))
    .min(1)
    .max(2)
    .optional()
    .describe("M4U instances and their larbs; default: the SoC's dtsi"),
  protect: z
    .strictObject({
      addr: Addr.optional().describe('PA of the protect buffer (128-byte aligned); default: allocated below 4 GiB'),
      fill: ByteValue.optional().describe('initial contents of the 256-byte protect buffer'),
    })
    .default({}),
  iotlbEntries: z.number().int().min(1).max(256).default(64).describe('entries per mmu cell IOTLB'),
  irqLatency: Duration.default(100).describe('virtual time from a fault to the ISR'),
  inject: z
    .strictObject({
      rangeFlushTimeout: z
        .array(z.number().int().min(0))
        .default([])
        .describe('range invalidations (0-based, counted over all M4Us) whose CPE_DONE never rises'),
    })
    .default({ rangeFlushTimeout: [] }),
});
export type MtkSectionOut = z.output<typeof MtkSection>;

export const MTK_ENGINES = ['disp', 'vdec', 'venc', 'img', 'cam', 'ipu', 'ccu', 'mdp', 'jpeg'] as const;
const Dir = z.enum(['to-device', 'from-device', 'bidirectional']);

export const MtkEngineOp = z.discriminatedUnion('op', [
  z
    .strictObject({ op: z.literal('map'), as: Name.describe('handle later ops use'), buf: Name, offset: Offset.default(0), len: Size, dir: Dir })
    .describe('dma_map_single through the M4U (iommu-dma): an IOVA is allocated and iommu_map writes the v7s page-table entries; no larb power is needed'),
  z
    .strictObject({ op: z.literal('unmap'), map: Name })
    .describe('dma_unmap_single: iommu_unmap of the whole mapping, the range TLB flush (INVLD_START/END, then a CPE_DONE poll), the IOVA freed'),
  z
    .strictObject({ op: z.literal('alloc'), as: Name.describe('handle later ops (and a process\'s dev-mmap) use'), len: Size })
    .describe('dma_alloc_attrs: pages from the page allocator mapped through the M4U (iommu_dma_alloc)'),
  z
    .strictObject({ op: z.literal('read'), map: Name, offset: Offset.default(0), len: Size })
    .describe('the engine reads at the mapping\'s IOVA + offset through its larb port. The kernel requires the larb powered (a larb-get before: runtime-PM count above 0), else the access is refused (larb-off-dma); then the port\'s MMU enable sends it to the M4U cell bus_sel picks: an IOTLB hit or a v7s table walk, and no valid entry is a translation fault'),
  z
    .strictObject({ op: z.literal('write'), map: Name, offset: Offset.default(0), len: Size, pattern: ByteValue.default(0xa5) })
    .describe('the engine writes `len` bytes of `pattern` at the mapping\'s IOVA + offset, as read (larb powered first)'),
  z
    .strictObject({ op: z.literal('access'), iova: Addr.describe('raw IOVA, mapped or not'), len: Size, dir: z.enum(['read', 'write']), pattern: ByteValue.default(0x5a) })
    .describe('a read or write at a raw IOVA, mapped or not (a driver bug, a stale address): the larb rule of read; an unmapped IOVA faults, the access goes to the protect buffer and the ISR reports it irqLatency later'),
  z.strictObject({ op: z.literal('iommu-unmap'), map: Name, offset: Offset, len: Size }).describe('driver unmaps part of a mapping with iommu_unmap'),
  z
    .strictObject({
      op: z.literal('remap'),
      map: Name,
      offset: Offset,
      len: Size,
      buf: Name.describe('buffer the range points at afterwards'),
      bufOffset: Offset.default(0),
      flush: z.boolean().default(true).describe('false: the driver bug of rewriting PTEs with no TLB invalidation at all'),
    })
    .describe('driver re-points part of a mapping at another buffer (iommu_unmap + iommu_map)'),
  z
    .strictObject({ op: z.literal('larb-get') })
    .describe('mtk_smi_larb_get (pm_runtime_get_sync of the larb): the first reference resumes smi-common and the larb (clocks, SMI_BUS_SEL on mt8183, config_port writing the ports\' MMU enables). The kernel requires it before the engine does DMA'),
  z
    .strictObject({ op: z.literal('larb-put') })
    .describe('mtk_smi_larb_put: the last reference suspends the larb (clocks off, its registers lost), then smi-common; a put without a get is recorded as unbalanced'),
  z.strictObject({ op: z.literal('delay'), ns: Duration }).describe(DELAY_OP),
]);

export const MtkEngine = z
  .strictObject({
    kind: z.literal('mtk-engine'),
    name: Name,
    engine: z.enum(MTK_ENGINES).describe('engine type (label)'),
    larb: z.number().int().min(0).max(15).describe('software (dt-binding) larb id'),
    port: z.number().int().min(0).max(31).describe('port in the larb: MTK_M4U_ID(larb, port)'),
    start: Duration.default(0),
    period: Duration.default(1000),
    repeat: z.number().int().min(1).max(10_000_000).default(1),
    ops: z.array(MtkEngineOp).min(1),
  })
  .describe('a multimedia engine (display, video codec, camera, ...) on a larb port, attached to the M4U\'s domain at probe: its driver maps buffers through the M4U, and its DMA goes larb -> SMI common (bus_sel picks the M4U cell on mt8183) -> M4U. Needs the `mtk` section');
export type MtkEngineIn = z.output<typeof MtkEngine>;
