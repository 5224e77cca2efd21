/**
 * View model of the VT-d panel: the DMAR units (mode, registers, fault records), each
 * device's root / context / PASID entries (the words and their decoding), and the
 * second-level walk of the stop's IOVA in each device's domain. Plain data derived from the
 * model's status (src/sim/iommu/intel/status.ts); the TUI only renders it.
 */
import type { VtdDeviceStatus, VtdDomainStatus, VtdUnitStatus } from '../../sim/iommu/intel/status.ts';
import type { VtdPteDecoded } from '../../sim/pgtable/vtd/bits.ts';

export type { VtdDeviceStatus, VtdDomainStatus, VtdUnitStatus, VtdPteDecoded };

export interface VtdWalkStepView {
  readonly level: number;
  readonly index: number;
  readonly addr: number;
  readonly pte: number;
  readonly decoded: VtdPteDecoded;
}

export interface VtdWalkView {
  readonly iova: number;
  readonly domain: string;
  readonly levels: number;
  readonly steps: readonly VtdWalkStepView[];
}

export interface VtdView {
  readonly units: readonly VtdUnitStatus[];
  readonly domains: readonly VtdDomainStatus[];
  readonly devices: readonly VtdDeviceStatus[];
  /** The device the stop's record names (index in `devices`), or -1. */
  readonly current: number;
  /** Per device: the walk of the stop's IOVA in its domain (absent without an IOVA or a domain). */
  readonly walks: readonly (VtdWalkView | undefined)[];
}
