/**
 * Every trace record kind, defined once. Each model keeps its kinds' specs next to its code
 * (`*_KINDS` in <model>/kinds.ts); this registry collects them. From here come the record
 * types (`TraceRecord`, what `emit` accepts), the encoder and decoder (./trace/codec.ts),
 * docs/trace.md and the trace JSON Schema (./trace-doc.ts), `--until-kind`, and the
 * breakpoint vocabulary (src/debugger/kinds.ts).
 */
import { MM_KINDS } from './mm/kinds.ts';
import { IOMMU_KINDS } from './iommu/kinds.ts';
import { MTK_KINDS } from './iommu/mtk/kinds.ts';
import { VTD_KINDS } from './iommu/intel/kinds.ts';
import { AMD_KINDS } from './iommu/amd/kinds.ts';
import { PGTABLE_KINDS } from './pgtable/kinds.ts';
import { DMA_DIRECTIONS, DMA_KINDS } from './dma/kinds.ts';
import { KMEM_KINDS } from './kmem/kinds.ts';
import { MMC_KINDS } from './mmc/kinds.ts';
import { DEV_MMAP_KINDS } from './mm/dev-mmap-kinds.ts';
import { PCI_KINDS } from './pci/kinds.ts';
import { HMM_KINDS } from './mm/hmm-kinds.ts';
import { IOASID_KINDS } from './iommu/ioasid-kinds.ts';
import { VSVA_KINDS } from './iommu/intel/vsva-kinds.ts';
import { fnv32, hex, int, oneOf, str } from './trace/field.ts';
import { type KindSpec, type RecordFrom, kind } from './trace/spec.ts';
import type { FieldsOf } from './trace/spec.ts';

/** The KERN_* levels of printk, most severe first (include/linux/kern_levels.h). */
export const KLOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

export const CORE_KINDS = [
  kind('dma', 'A device access reached memory (or faulted), one record per 4 KiB page chunk.', {
    dev: str('device name'),
    addr: hex('bus address the device used (IOVA when translated)'),
    len: int('bytes in this chunk'),
    dir: oneOf(['read', 'write'], '"read" (device reads memory) or "write"'),
    result: oneOf(['ok', 'fault'], '"ok" or "fault"'),
    pa: hex('physical address reached (absent on fault)').opt(),
    pasid: int('SVA devices: the PASID of the access (-1 when unbound)').opt(),
    atc: oneOf(['hit', 'miss'], 'SVA devices: "hit" (device IOTLB) or "miss" (translation request, IOMMU walk)').opt(),
    reason: str('SVA devices: why the access faulted').opt(),
    mmu: oneOf(['mmu0', 'mmu1', 'bypass', '-'], 'IOMMU translators: the mmu cell that served it ("mmu0", "mmu1"), "bypass" (port MMU off) or "-" (blocked)').opt(),
    hit: oneOf(['hit', 'miss', 'blocked', '-'], 'IOMMU translators: IOTLB "hit" or "miss" (a table walk), "blocked", "-"').opt(),
    fault: str('IOMMU translators: fault type when result is "fault" (VT-d: the reason text of dmar.c\'s table)').opt(),
    faultReason: int('VT-d: the fault reason code the DMAR unit records (0x1..0xd, dmar.c dma_remap_fault_reasons)').opt(),
    protect: hex('mtk: PA of the protect buffer the faulting access went to instead').opt(),
    m4uPa: hex('mtk 4GB mode: the address the M4U put on the bus (the 5G..8G alias of pa)').opt(),
    via: str('PCI devices: where the request went: "peer via BDF" (the switch or port BDF turned it to the peer), "root complex", "iommu" (translated by the host bridge IOMMU), "device page table" (an HMM mirror)').opt(),
  }),
  kind('map', 'A driver mapped a buffer for DMA.', {
    api: str('kernel function, e.g. "dma_map_single", "iommu_map"'),
    dev: str('device name (DMA API records)').opt(),
    domain: str('IOMMU domain (IOMMU records)').opt(),
    iova: hex('dma address handed to the device (absent on error)').opt(),
    pa: hex('physical address of the buffer').opt(),
    size: int('bytes'),
    dir: oneOf(DMA_DIRECTIONS, '"to-device", "from-device" or "bidirectional"').opt(),
    prot: str('IOMMU prot flags, e.g. "R|W"').opt(),
    result: oneOf(['ok', 'error'], '"ok" or "error"'),
    reason: str('why the mapping failed (on error)').opt(),
  }),
  kind('unmap', 'A driver unmapped a DMA mapping.', {
    api: str('kernel function'),
    dev: str('device name').opt(),
    domain: str('IOMMU domain').opt(),
    iova: hex('dma address'),
    size: int('bytes (iommu_unmap: bytes it unmapped, 0 when it refused)'),
    dir: oneOf(DMA_DIRECTIONS, 'direction').opt(),
    reason: str('iommu_unmap refused the request: the kernel\'s pr_err text, e.g. "iommu: unaligned: ..."').opt(),
  }),
  kind('dev-op', 'A device finished a compound operation (a copy), with a checksum of the result.', {
    dev: str('device name'),
    op: str('operation'),
    src: hex('source PA'),
    dst: hex('destination PA').opt(),
    len: int('bytes'),
    sum: fnv32('FNV-1a of the destination after the copy'),
  }),
  kind('dev-done', 'A device finished its workload.', {
    dev: str('device name'),
    rounds: int('rounds completed'),
  }),
  kind('klog', "A line the kernel printed (printk), as the model's kernel call site prints it.", {
    level: oneOf(KLOG_LEVELS, 'KERN_* level: "emerg", "alert", "crit", "err", "warning", "notice", "info" or "debug"'),
    text: str('the message as the kernel prints it, with its dev_err/pr_err prefix (e.g. "mtk-iommu 10205000.iommu: "), without the timestamp'),
  }),
] as const;

export const TRACE_KINDS = [...CORE_KINDS, ...PGTABLE_KINDS, ...IOMMU_KINDS, ...MTK_KINDS, ...VTD_KINDS, ...AMD_KINDS, ...MM_KINDS, ...DMA_KINDS, ...KMEM_KINDS, ...MMC_KINDS, ...DEV_MMAP_KINDS, ...PCI_KINDS, ...HMM_KINDS, ...IOASID_KINDS, ...VSVA_KINDS] as const;

type Spec = (typeof TRACE_KINDS)[number];
/** Every record kind's name. */
export type KindName = Spec['kind'];
type SpecOf<K extends KindName> = Extract<Spec, { kind: K }>;
/** The fields a model passes to `m.emit(K, …)`. */
export type FieldsFor<K extends KindName> = FieldsOf<SpecOf<K>['fields']>;
/** A record of kind K as emitted and as decoded from its line. */
export type RecordOf<K extends KindName> = RecordFrom<SpecOf<K>>;
/** One trace record: the union of every kind, keyed by `kind`. */
export type TraceRecord = { [K in KindName]: RecordOf<K> }[KindName];

export const TRACE_KIND_NAMES: readonly KindName[] = TRACE_KINDS.map((k) => k.kind);

const BY_NAME = new Map<string, KindSpec>(TRACE_KINDS.map((k) => [k.kind, k]));

/** The spec of a kind by name (undefined for a name no model defines). */
export function kindSpec(name: string): KindSpec | undefined {
  return BY_NAME.get(name);
}

export function isKindName(name: string): name is KindName {
  return BY_NAME.has(name);
}
