/** Stub: bodies land next. */
import type { ArmV7sTlbOps, IommuIotlbGather } from './types.ts';

export type TlbCall =
  | { op: 'tlb_flush_all' }
  | { op: 'tlb_add_flush'; iova: number; size: number; granule: number; leaf: boolean }
  | { op: 'tlb_sync' }
  | { op: 'tlb_flush_walk'; iova: number; size: number; granule: number }
  | { op: 'tlb_flush_leaf'; iova: number; size: number; granule: number }
  | { op: 'tlb_add_page'; iova: number; granule: number };

export function iommuIotlbGatherInit(): IommuIotlbGather {
  return { start: Number.MAX_SAFE_INTEGER, end: 0, pgsize: 0 };
}
export function recordingTlbOps(_calls: TlbCall[]): ArmV7sTlbOps {
  throw new Error('not yet');
}
