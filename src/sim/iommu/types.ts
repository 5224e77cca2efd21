/**
 * The generic IOMMU core's state (drivers/iommu/iommu.c): domains with their devices and
 * IOVA space, the fault counters report_iommu_fault feeds, and what the stale-translation
 * checker remembers about `pte` records. Drivers (mtk now; vtd and amd later) plug in
 * through IommuOps, a service named iommuOpsKey(driver).
 */
import type { Machine } from '../machine.ts';
import type { IommuIotlbGather } from '../pgtable/arm-v7s/types.ts';
import type { IovaDomain } from './iova.ts';
import { modelKey, serviceFamily } from '../core/keys.ts';

export interface IommuDomain {
  id: number;
  /** Trace label, e.g. "mtk-dom0". */
  name: string;
  /** IOMMU_DOMAIN_DMA is the only type the mtk driver supports. */
  type: 'dma' | 'unmanaged' | 'identity';
  /** Driver whose IommuOps serve this domain. */
  driver: string;
  devs: string[];
  iovad: IovaDomain;
  /** geometry.aperture_end: the last IOVA the domain can translate. */
  apertureEnd: number;
  /** pgsize_bitmap after the page-table format trimmed it. */
  pgsizeBitmap: number;
  /** A fault handler installed with iommu_set_fault_handler (none in the kernel's mtk users). */
  faultHandler: boolean;
  faults: number;
}

export interface IommuCoreState {
  domains: IommuDomain[];
  /** Device name -> domain id. */
  devDomain: Record<string, number>;
  /** PTE word address -> seq of the last `pte` record that wrote it (for stale-tlb). */
  pteSeq: Map<number, number>;
  /** Count of `pte` records seen: an entry checked at this generation needs no re-read. */
  pteGen: number;
  /** stale-tlb records emitted so far. */
  stale: number;
}

export const IOMMU_MODEL = modelKey<IommuCoreState>('iommu');

/** struct iommu_ops, the parts the core calls. Functions only; state stays in m.state. */
export interface IommuOps {
  readonly name: string;
  attachDev(m: Machine, dom: IommuDomain, dev: string): number;
  detachDev(m: Machine, dom: IommuDomain, dev: string): void;
  map(m: Machine, dom: IommuDomain, iova: number, pa: number, size: number, prot: number): number;
  unmap(m: Machine, dom: IommuDomain, iova: number, size: number, gather: IommuIotlbGather): number;
  iotlbSync(m: Machine, dom: IommuDomain, gather: IommuIotlbGather): void;
  flushIotlbAll(m: Machine, dom: IommuDomain): void;
  iovaToPhys(m: Machine, dom: IommuDomain, iova: number): number;
}

/** The IommuOps of a driver, by the name its domains carry (`dom.driver`). */
export const iommuOpsKey = serviceFamily<IommuOps>('iommu-ops');

export function iommuCore(m: Machine): IommuCoreState {
  return m.model(IOMMU_MODEL);
}
