/**
 * The record kinds and fields breakpoints know: exactly the kinds the simulator defines
 * (src/sim/trace-kinds.ts), so `break KIND where FIELD…`, completion and did-you-mean can
 * neither offer a field no record carries nor miss one a model added.
 */
import { TRACE_KIND_NAMES, kindSpec } from '../sim/trace-kinds.ts';

/** The fields of a kind in trace order (undefined for an unknown kind). */
export function kindFields(kind: string): readonly string[] | undefined {
  const spec = kindSpec(kind);
  return spec && Object.keys(spec.fields);
}

export function knownKinds(): string[] {
  return [...TRACE_KIND_NAMES].sort();
}

/** `break` shorthands: word -> record kind (and the fields its filters may name). */
export const BREAK_SUGAR: Readonly<Record<string, string>> = {
  fault: 'fault',
  inval: 'tlb-inval',
  notifier: 'notifier',
  'swiotlb-full': 'swiotlb-full',
  coherency: 'coherency-violation',
  'stale-tlb': 'stale-tlb',
  'p2p-map': 'p2p-map',
  'hmm-fault': 'hmm-fault',
  'hmm-invalidate': 'hmm-invalidate',
};
