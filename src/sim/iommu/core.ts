/**
 * The generic IOMMU API (drivers/iommu/iommu.c, v5.0 and v5.4): domain allocation,
 * attach/detach, iommu_map / iommu_unmap splitting a range into the page sizes the
 * domain supports, iova_to_phys and report_iommu_fault. Drivers do the hardware part.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { printk } from '../core/printk.ts';
import { hex } from '../core/hex.ts';
import { protString } from '../pgtable/prot.ts';
import { iommuIotlbGatherInit } from '../pgtable/arm-v7s/tlb.ts';
import { initIovaDomain, iovaQuirksFor } from './iova.ts';
import { staleCheckerInstall } from './stale.ts';
import { IOMMU_MODEL, type IommuCoreState, type IommuDomain, type IommuOps, iommuCore, iommuOpsKey } from './types.ts';
import { emitMapReused, emitUnmapReused } from '../trace/reused.ts';

/**
 * The core's state and the stale-translation checker, once per machine at build, before
 * any IOMMU driver sets up (scenario/build/iommu.ts).
 */
export function iommuCoreInit(m: Machine): IommuCoreState {
  const s = m.addModel<IommuCoreState>(IOMMU_MODEL, { domains: [], devDomain: {}, pteSeq: new Map(), pteGen: 0, stale: 0 });
  staleCheckerInstall(m);
  return s;
}

const opsOf = (m: Machine, dom: IommuDomain): IommuOps => m.service(iommuOpsKey(dom.driver));

/** iommu_domain_alloc(); the IOVA space is the aperture [start, limit). */
export function iommuDomainAlloc(
  m: Machine,
  a: { driver: string; name: string; pgsizeBitmap: number; start: number; limit: number },
  // limit: one past the aperture's last byte (geometry.aperture_end + 1)
): IommuDomain {
  const core = iommuCore(m);
  const dom: IommuDomain = {
    id: core.domains.length,
    name: a.name,
    type: 'dma',
    driver: a.driver,
    devs: [],
    // iommu_dma_init_domain(): granule = smallest page, base pfn at least 1.
    iovad: initIovaDomain(4096, Math.max(1, Math.floor(a.start / 4096)), iovaQuirksFor(m.config.kernel)),
    apertureEnd: a.limit - 1,
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

/** min_pagesz = 1 << __ffs(domain->pgsize_bitmap): the smallest page the domain maps. */
export function iommuMinPagesz(bitmap: number): number {
  let min = 1;
  while (min <= bitmap && Math.floor(bitmap / min) % 2 === 0) min *= 2;
  return min;
}

/** %pa of a 64-bit phys_addr_t: 0x and 16 hex digits. */
function pa64(pa: number): string {
  return '0x' + Math.floor(pa / 2 ** 32).toString(16).padStart(8, '0') + (pa % 2 ** 32).toString(16).padStart(8, '0');
}

/**
 * iommu_map(): iova, paddr and size must all be multiples of min_pagesz, or it prints
 * "iommu: unaligned: ..." and returns -EINVAL before any ops->map. Then one ops->map per
 * page; on failure, unmap what was mapped.
 */
export function iommuMap(m: Machine, dom: IommuDomain, a: { iova: number; pa: number; size: number; prot: number }): number {
  const k = m.kstack.enter(F_IOMMU_MAP, a.iova, a.pa, a.size, a.prot);
  const ops = opsOf(m, dom);
  const min = iommuMinPagesz(dom.pgsizeBitmap);
  if (a.iova % min || a.pa % min || a.size % min) {
    // pr_err("unaligned: iova 0x%lx pa %pa size 0x%zx min_pagesz 0x%x\n"), pr_fmt "iommu: "
    const reason = `iommu: unaligned: iova ${hex(a.iova)} pa ${pa64(a.pa)} size ${hex(a.size)} min_pagesz ${hex(min)}`;
    printk(m, 'err', reason);
    m.emit('map', { api: 'iommu_map', domain: dom.name, iova: a.iova, pa: a.pa, size: a.size, prot: protString(a.prot), result: 'error', reason });
    m.kstack.leave(k);
    return -22; // -EINVAL
  }
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
  if (m.quiet.map) m.skip();
  else if (m.reuses('map')) emitMapReused(m, 'iommu_map', undefined, dom.name, a.iova, a.pa, a.size, undefined, protString(a.prot), result, ret ? `errno ${-ret}` : undefined);
  else m.emit('map', { api: 'iommu_map', domain: dom.name, iova: a.iova, pa: a.pa, size: a.size, prot: protString(a.prot), result, reason: ret ? `errno ${-ret}` : undefined });
  if (ret !== 0 && done > 0) iommuUnmap(m, dom, { iova: a.iova, size: done });
  m.kstack.leave(k);
  return ret;
}

/**
 * iommu_unmap(): iova and size must be multiples of min_pagesz, or __iommu_unmap prints
 * "iommu: unaligned: ..." and returns 0 before any ops->unmap. Then ops->unmap per page
 * into one gather, then ops->iotlb_sync once.
 */
export function iommuUnmap(m: Machine, dom: IommuDomain, a: { iova: number; size: number }, api = 'iommu_unmap'): number {
  const k = m.kstack.enter(F_IOMMU_UNMAP, a.iova, a.size);
  const ops = opsOf(m, dom);
  const gather = iommuIotlbGatherInit();
  const min = iommuMinPagesz(dom.pgsizeBitmap);
  if (a.iova % min || a.size % min) {
    // __iommu_unmap: pr_err("unaligned: iova 0x%lx size 0x%zx min_pagesz 0x%x\n")
    const reason = `iommu: unaligned: iova ${hex(a.iova)} size ${hex(a.size)} min_pagesz ${hex(min)}`;
    printk(m, 'err', reason);
    // v5.0 __iommu_unmap returns before its own iotlb_sync; v5.4 iommu_unmap still calls
    // iommu_tlb_sync on the empty gather after __iommu_unmap returns.
    if (m.config.kernel !== 'v5.0') ops.iotlbSync(m, dom, gather);
    m.emit('unmap', { api, domain: dom.name, iova: a.iova, size: 0, reason });
    m.kstack.leave(k);
    return 0;
  }
  let done = 0;
  while (done < a.size) {
    const pgsize = iommuPgsize(dom.pgsizeBitmap, a.iova + done, 0, a.size - done);
    if (pgsize === 0) break;
    const n = ops.unmap(m, dom, a.iova + done, pgsize, gather);
    if (n === 0) break;
    done += n;
  }
  ops.iotlbSync(m, dom, gather);
  if (m.quiet.unmap) m.skip();
  else if (m.reuses('unmap')) emitUnmapReused(m, api, undefined, dom.name, a.iova, done, undefined, undefined);
  else m.emit('unmap', { api, domain: dom.name, iova: a.iova, size: done });
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
