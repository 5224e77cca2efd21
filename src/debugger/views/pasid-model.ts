/**
 * View model of the PASID panel: every PASID space (VT-d's IDR, each kernel's IOASIDs with
 * the allocator in charge), the devices bound to guest PASIDs, and the last guest
 * invalidation's path to the host (the request, the checks, the descriptors).
 */
import type { PasidStatusAll } from '../../sim/iommu/ioasid-status.ts';

export interface InvalidationPathView {
  readonly seq: number;
  /** The decoded request, a short line each: who, what, where. */
  readonly request: readonly string[];
  readonly result: number;
  /** What happened on the way: klog lines, a refusal, each descriptor. */
  readonly steps: readonly { readonly text: string; readonly bad: boolean }[];
}

export interface PasidView {
  readonly spaces: PasidStatusAll;
  readonly lastInvalidation?: InvalidationPathView;
}
