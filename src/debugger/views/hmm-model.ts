/**
 * View model of the HMM panel: per mm, its struct hmm, the mirrors with their device page
 * tables beside what the CPU page table says now (stale entries marked), and the ranges
 * being snapshotted with their validity.
 */
import type { HmmMmStatus } from '../../sim/mm/hmm-status.ts';

export interface HmmView {
  readonly mms: readonly HmmMmStatus[];
}
