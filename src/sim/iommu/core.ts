/**
 * The generic IOMMU API (drivers/iommu/iommu.c, v5.0 and v5.4): domain allocation,
 * attach/detach, iommu_map / iommu_unmap splitting a range into the page sizes the
 * domain supports, iova_to_phys and report_iommu_fault. Drivers do the hardware part.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { protString } from '../pgtable/prot.ts';
import { iommuIotlbGatherInit } from '../pgtable/arm-v7s/tlb.ts';
import { iovaDomainInit } from './iova.ts';
import { IOMMU_MODEL, type IommuCoreState, type IommuDomain, type IommuOps, iommuCore, iommuOpsKey } from './types.ts';

export function iommuCoreInit(m: Machine): IommuCoreState {
  if (!m.hasModel(IOMMU_MODEL)) {
    const s: IommuCoreState = { domains: [], devDomain: {}, pteSeq: new Map(), pteGen: 0, stale: 0 };
    m.state.models[IOMMU_MODEL] = s;
  }
  return iommuCore(m);
}

const opsOf = (m: Machine, dom: IommuDomain): IommuOps => m.service<IommuOps>(iommuOpsKey(dom.driver));

/** iommu_domain_alloc(); the IOVA space is the aperture [start, limit). */
export function iommuDomainAlloc(
  m: Machine,
  a: { driver: string; name: string; pgsizeBitmap: number; start: number; limit: number },
): IommuDomain {
  const core = iommuCoreInit(m);
  const dom: IommuDomain = {
    id: core.domains.length,
    name: a.name,
    type: 'dma',
    driver: a.driver,
    devs: [],
    iovad: iovaDomainInit(a.start, a.limit),
    pgsizeBitmap: a.pgsizeBitmap,
    faultHandler: false,
    faults: 0,
  };
  core.domains.push(dom);
  return dom;
}

export function iommuDomainOf(m: Machine, dev: string): IommuDomain | undefined {
  const core = iommuCore(m);
  const id = core?.devDomain[dev];
  return id === undefined ? undefined : core.domains[id];
}

export function iommuAttachDevice(m: Machine, dom: IommuDomain, dev: string): number {
  const ret = opsOf(m, dom).attachDev(m, dom, dev);
  if (ret === 0) {
    dom.devs.push(dev);
    iommuCore(m).devDomain[dev] = dom.id;
  }
  return ret;
}

export function iommuDetachDevice(m: Machine, dom: IommuDomain, dev: string): void {
  opsOf(m, dom).detachDev(m, dom, dev);
  dom.devs = dom.devs.filter((d) => d !== dev);
  delete iommuCore(m).devDomain[dev];
}

const IOMMU_C = 'drivers/iommu/iommu.c';
const F_IOMMU_MAP = kfunc('iommu_map', IOMMU_C, ['iova', 'paddr', 'size', 'prot']);
const F_IOMMU_UNMAP = kfunc('iommu_unmap', IOMMU_C, ['iova', 'size']);
/** report_iommu_fault(domain, dev, iova, flags): a driver's ISR calls it (IOMMU_FAULT_READ 0, _WRITE 1). */
export const F_REPORT_IOMMU_FAULT = kfunc('report_iommu_fault', IOMMU_C, ['iova', 'flags']);

/** iommu_pgsize(): the biggest supported page that fits the size and both alignments. */
export function iommuPgsize(bitmap: number, iova: number, pa: number, size: number): number {
  for (let s = 2 ** 30; s >= 4096; s /= 2) {
    if ((bitmap & s) !== 0 && s <= size && iova % s === 0 && pa % s === 0) return s;
  }
  return 0;
}

/** iommu_map(): one ops->map per page; on failure, unmap what was mapped. */
export function iommuMap(m: Machine, dom: IommuDomain, a: { iova: number; pa: number; size: number; prot: number }): number {
  const k = m.kstack.enter(F_IOMMU_MAP, a.iova, a.pa, a.size, a.prot);
  const ops = opsOf(m, dom);
  let done = 0;
  let ret = 0;
  while (done < a.size) {
    const pgsize = iommuPgsize(dom.pgsizeBitmap, a.iova + done, a.pa + done, a.size - done);
    if (pgsize === 0) {
      ret = -22; // -EINVAL: unaligned
      break;
    }
    ret = ops.map(m, dom, a.iova + done, a.pa + done, pgsize, a.prot);
    if (ret !== 0) break;
    done += pgsize;
  }
  const result = ret === 0 ? 'ok' : 'error';
  m.emit('map', { api: 'iommu_map', domain: dom.name, iova: a.iova, pa: a.pa, size: a.size, prot: protString(a.prot), result, reason: ret ? `errno ${-ret}` : undefined });
  if (ret !== 0 && done > 0) iommuUnmap(m, dom, { iova: a.iova, size: done });
  m.kstack.leave(k);
  return ret;
}

/** iommu_unmap(): ops->unmap per page into one gather, then ops->iotlb_sync once. */
export function iommuUnmap(m: Machine, dom: IommuDomain, a: { iova: number; size: number }, api = 'iommu_unmap'): number {
  const k = m.kstack.enter(F_IOMMU_UNMAP, a.iova, a.size);
  const ops = opsOf(m, dom);
  const gather = iommuIotlbGatherInit();
  let done = 0;
  while (done < a.size) {
    const pgsize = iommuPgsize(dom.pgsizeBitmap, a.iova + done, 0, a.size - done);
    if (pgsize === 0) break;
    const n = ops.unmap(m, dom, a.iova + done, pgsize, gather);
    if (n === 0) break;
    done += n;
  }
  ops.iotlbSync(m, dom, gather);
  m.emit('unmap', { api, domain: dom.name, iova: a.iova, size: done });
  m.kstack.leave(k);
  return done;
}

export function iommuIovaToPhys(m: Machine, dom: IommuDomain, iova: number): number {
  return opsOf(m, dom).iovaToPhys(m, dom, iova);
}

export function iommuFlushIotlbAll(m: Machine, dom: IommuDomain): void {
  opsOf(m, dom).flushIotlbAll(m, dom);
}

/**
 * report_iommu_fault(): hands the fault to the domain's handler; with none installed it
 * returns -ENOSYS and the driver prints its rate-limited error. Returns what the driver saw.
 */
export function reportIommuFault(dom: IommuDomain): 'handled' | 'unhandled' {
  dom.faults++;
  return dom.faultHandler ? 'handled' : 'unhandled';
}
