/**
 * Every trace record kind and its fields, in the order they appear after seq, t and
 * kind. docs/trace.md documents exactly these (a test checks), `--until-kind` accepts
 * exactly these, and breakpoints complete from them. Each model adds its own list.
 */
import { MM_KINDS } from './mm/kinds.ts';
import { IOMMU_KINDS } from './iommu/kinds.ts';
import { MTK_KINDS } from './iommu/mtk/kinds.ts';
import { PGTABLE_KINDS } from './pgtable/kinds.ts';
import { DMA_KINDS } from './dma/kinds.ts';

export interface TraceKindDoc {
  readonly kind: string;
  readonly summary: string;
  readonly fields: Readonly<Record<string, string>>;
}

export const CORE_KINDS: readonly TraceKindDoc[] = [
  {
    kind: 'dma',
    summary: 'A device access reached memory (or faulted), one record per 4 KiB page chunk.',
    fields: {
      dev: 'device name',
      addr: 'bus address the device used (IOVA when translated)',
      len: 'bytes in this chunk',
      dir: '"read" (device reads memory) or "write"',
      result: '"ok" or "fault"',
      pa: 'physical address reached (absent on fault)',
      pasid: 'SVA devices: the PASID of the access (-1 when unbound)',
      atc: 'SVA devices: "hit" (device IOTLB) or "miss" (translation request, IOMMU walk)',
      reason: 'SVA devices: why the access faulted',
      mmu: 'IOMMU translators: the mmu cell that served it ("mmu0", "mmu1"), "bypass" (port MMU off) or "-" (blocked)',
      hit: 'IOMMU translators: IOTLB "hit" or "miss" (a table walk), "blocked", "-"',
      fault: 'IOMMU translators: fault type when result is "fault"',
      protect: 'mtk: PA of the protect buffer the faulting access went to instead',
      m4uPa: 'mtk 4GB mode: the address the M4U put on the bus (the 5G..8G alias of pa)',
    },
  },
  {
    kind: 'map',
    summary: 'A driver mapped a buffer for DMA.',
    fields: {
      api: 'kernel function, e.g. "dma_map_single", "iommu_map"',
      dev: 'device name (DMA API records)',
      domain: 'IOMMU domain (IOMMU records)',
      iova: 'dma address handed to the device (absent on error)',
      pa: 'physical address of the buffer',
      size: 'bytes',
      dir: '"to-device", "from-device" or "bidirectional"',
      prot: 'IOMMU prot flags, e.g. "R|W"',
      result: '"ok" or "error"',
      reason: 'why the mapping failed (on error); iommu_map: the kernel\'s pr_err text, e.g. "iommu: unaligned: ..."',
    },
  },
  {
    kind: 'unmap',
    summary: 'A driver unmapped a DMA mapping.',
    fields: {
      api: 'kernel function',
      dev: 'device name',
      domain: 'IOMMU domain',
      iova: 'dma address',
      size: 'bytes (iommu_unmap: bytes it unmapped, 0 when it refused)',
      dir: 'direction',
      reason: 'iommu_unmap refused the request: the kernel\'s pr_err text, e.g. "iommu: unaligned: ..."',
    },
  },
  {
    kind: 'dev-op',
    summary: 'A device finished a compound operation (a copy), with a checksum of the result.',
    fields: { dev: 'device name', op: 'operation', src: 'source PA', dst: 'destination PA', len: 'bytes', sum: 'FNV-1a of the destination after the copy' },
  },
  {
    kind: 'dev-done',
    summary: 'A device finished its workload.',
    fields: { dev: 'device name', rounds: 'rounds completed' },
  },
];

export const TRACE_KINDS: readonly TraceKindDoc[] = [...CORE_KINDS, ...PGTABLE_KINDS, ...IOMMU_KINDS, ...MTK_KINDS, ...MM_KINDS, ...DMA_KINDS];

export const TRACE_KIND_NAMES: readonly string[] = TRACE_KINDS.map((k) => k.kind);
