/**
 * View model of the AMD panel: the device the stop is about (its DTE, decoded), the walk of
 * the stop's address through its I/O page table with the raw 64-bit words, each IOMMU's
 * command-buffer tail and event log, and the protection domains with their dev_iommu[]
 * counts. Numbers only; the panel writes the text.
 */
import type { AmdCmdStatus, AmdDteStatus, AmdEventStatus, Words4Status } from '../../sim/iommu/amd/status.ts';

/** The model's own shapes where the panel shows them as they are. */
export type Words4 = Words4Status;
export type AmdDteView = Omit<AmdDteStatus, 'iotlb'>;
export type AmdCmdView = AmdCmdStatus;
export type AmdEventView = AmdEventStatus;

export interface AmdDeviceView {
  readonly name: string;
  readonly bdf: string;
  readonly iommu: string;
  readonly domain?: string;
  readonly domainId?: number;
  readonly dte: AmdDteView;
}

export interface AmdWalkView {
  readonly level: number;
  readonly index: number;
  /** PA of the entry and its word as two halves. */
  readonly addr: number;
  readonly lo: number;
  readonly hi: number;
  readonly present: boolean;
  /** Next-level field (bits 11:9). */
  readonly next: number;
  /** The next table (a PDE) or the page (a leaf). */
  readonly target: number;
  readonly leafSize?: number;
  readonly ir: boolean;
  readonly iw: boolean;
}

export interface AmdIommuView {
  readonly name: string;
  readonly cmdHead: number;
  readonly cmdTail: number;
  readonly cmds: readonly AmdCmdView[];
  readonly evtHead: number;
  readonly evtTail: number;
  readonly events: readonly AmdEventView[];
  readonly iotlbValid: number;
  readonly iotlbSize: number;
  readonly faults: number;
}

export interface AmdDomainView {
  readonly name: string;
  readonly id: number;
  readonly type: string;
  readonly mode: number;
  readonly devIommu: readonly number[];
  readonly devCnt: number;
  readonly freed: boolean;
}

export interface AmdView {
  readonly release: string;
  readonly lazy: boolean;
  readonly device?: AmdDeviceView;
  /** The address walked (the stop's iova/addr), and the walk; empty without a translation. */
  readonly walkIova?: number;
  readonly walk: readonly AmdWalkView[];
  readonly iommus: readonly AmdIommuView[];
  readonly domains: readonly AmdDomainView[];
}
