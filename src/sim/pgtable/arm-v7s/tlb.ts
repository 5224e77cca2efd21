/**
 * TLB callback implementations for tests and the selftest: `recordingTlbOps` appends every
 * call to an array; `tracingTlbOps` emits a `pgtable-tlb` record per call and flags the
 * calls the kernel's selftest dummy ops would WARN about (size not in pgsize_bitmap).
 */
import type { Machine } from '../../machine.ts';
import type { FieldsFor } from '../../trace-kinds.ts';
import type { ArmV7sTlbOps, IommuIotlbGather } from './types.ts';

export type TlbCall =
  | { op: 'tlb_flush_all' }
  | { op: 'tlb_add_flush'; iova: number; size: number; granule: number; leaf: boolean }
  | { op: 'tlb_sync' }
  | { op: 'tlb_flush_walk'; iova: number; size: number; granule: number }
  | { op: 'tlb_flush_leaf'; iova: number; size: number; granule: number }
  | { op: 'tlb_add_page'; iova: number; granule: number };

/** Both kernels' callbacks, each appending its call to `calls`. */
export function recordingTlbOps(calls: TlbCall[]): ArmV7sTlbOps {
  const rec = (c: TlbCall): void => void calls.push(c);
  return {
    tlbFlushAll: () => rec({ op: 'tlb_flush_all' }),
    tlbAddFlush: (_m, iova, size, granule, leaf) => rec({ op: 'tlb_add_flush', iova, size, granule, leaf }),
    tlbSync: () => rec({ op: 'tlb_sync' }),
    tlbFlushWalk: (_m, iova, size, granule) => rec({ op: 'tlb_flush_walk', iova, size, granule }),
    tlbFlushLeaf: (_m, iova, size, granule) => rec({ op: 'tlb_flush_leaf', iova, size, granule }),
    tlbAddPage: (_m, _gather, iova, granule) => rec({ op: 'tlb_add_page', iova, granule }),
  };
}

/**
 * The selftest's dummy_tlb_* ops as trace records. `warn` is set where the kernel's dummy op
 * would WARN_ON(!(size & pgsize_bitmap)).
 */
export function tracingTlbOps(domain: string, pgsizeBitmap: number): ArmV7sTlbOps {
  type Op = FieldsFor<'pgtable-tlb'>['op'];
  const rec = (m: Machine, op: Op, f: { iova?: number; size?: number; granule?: number; leaf?: boolean }, size?: number): void => {
    const warn = size !== undefined && (size & pgsizeBitmap) === 0;
    m.emit('pgtable-tlb', { domain, op, ...f, warn: warn ? true : undefined });
  };
  const range = (iova: number, size: number, granule: number) => ({ iova, size, granule });
  return {
    tlbFlushAll: (m) => rec(m, 'tlb_flush_all', {}),
    tlbAddFlush: (m, iova, size, granule, leaf) =>
      rec(m, 'tlb_add_flush', { ...range(iova, size, granule), leaf }, size),
    tlbSync: (m) => rec(m, 'tlb_sync', {}),
    tlbFlushWalk: (m, iova, size, granule) => rec(m, 'tlb_flush_walk', range(iova, size, granule), size),
    tlbFlushLeaf: (m, iova, size, granule) => rec(m, 'tlb_flush_leaf', range(iova, size, granule), size),
    tlbAddPage: (m, _g, iova, granule) => rec(m, 'tlb_add_page', { iova, granule }, granule),
  };
}

/** An empty v5.4 struct iommu_iotlb_gather (iommu_iotlb_gather_init). */
export function iommuIotlbGatherInit(): IommuIotlbGather {
  return { start: Number.MAX_SAFE_INTEGER, end: 0, pgsize: 0 };
}
