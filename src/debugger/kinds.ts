/**
 * The record kinds breakpoints know: those in TRACE_KINDS (the models built so far) plus
 * the ones ARCHITECTURE.md promises for the models still being built, so `break fault`
 * works the day the M4U model lands. When a model adds its kind to TRACE_KINDS, the
 * fields there are used (merged with these).
 */
import { TRACE_KINDS } from '../sim/trace-kinds.ts';

const PLANNED: Record<string, readonly string[]> = {
  fault: ['iommu', 'mmu', 'type', 'iova', 'write', 'larb', 'port', 'dev', 'reported', 'domain', 'pasid', 'st1', 'layer', 'pa', 'intId', 'larbRaw'],
  'tlb-inval': ['iommu', 'scope', 'start', 'end', 'pasid', 'domain', 'cells', 'dropped'],
  notifier: ['mm', 'op', 'start', 'end', 'subscriber'],
  pte: ['domain', 'level', 'index', 'old', 'new', 'addr', 'iova'],
  'swiotlb-map': ['dev', 'orig', 'tlb', 'slot', 'nslots', 'size', 'dir'],
  'swiotlb-unmap': ['dev', 'orig', 'tlb', 'slot', 'nslots', 'size', 'dir'],
  'swiotlb-sync': ['dev', 'orig', 'tlb', 'slot', 'nslots', 'size', 'dir'],
  'swiotlb-full': ['dev', 'orig', 'size', 'nslots', 'dir', 'largest', 'largestBytes', 'free', 'cursor'],
  'atc-inval': ['dev', 'pasid', 'start', 'end'],
  'bus-sel': ['reg', 'off', 'value', 'routes'],
  'stale-tlb': ['iommu', 'mmu', 'dev', 'iova', 'cachedPa', 'pteAddr', 'cachedPte', 'pte', 'changedBy', 'filledAfter'],
  'coherency-violation': ['dev', 'pasid', 'va', 'write', 'stale', 'current', 'changedBy', 'filledBy'],
  dma: ['dev', 'addr', 'iova', 'len', 'dir', 'result', 'pa', 'mmu', 'hit'],
  map: ['api', 'dev', 'domain', 'iova', 'pa', 'size', 'prot', 'dir', 'result', 'reason'],
  unmap: ['api', 'dev', 'domain', 'iova', 'pa', 'size', 'dir'],
};

export function kindFields(kind: string): readonly string[] | undefined {
  const doc = TRACE_KINDS.find((k) => k.kind === kind);
  const planned = PLANNED[kind];
  if (!doc && !planned) return undefined;
  return [...new Set([...(planned ?? []), ...(doc ? Object.keys(doc.fields) : [])])];
}

export function knownKinds(): string[] {
  return [...new Set([...TRACE_KINDS.map((k) => k.kind), ...Object.keys(PLANNED)])].sort();
}

/** `break` shorthands: word -> record kind (and the fields its filters may name). */
export const BREAK_SUGAR: Readonly<Record<string, string>> = {
  fault: 'fault',
  inval: 'tlb-inval',
  notifier: 'notifier',
  'swiotlb-full': 'swiotlb-full',
  coherency: 'coherency-violation',
  'stale-tlb': 'stale-tlb',
};
