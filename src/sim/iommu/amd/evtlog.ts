/**
 * The driver's side of the event log (drivers/iommu/amd_iommu.c): the interrupt thread
 * polls from head to tail (iommu_poll_events), decodes each entry (iommu_print_event) and
 * reports an IO_PAGE_FAULT (amd_iommu_report_page_fault) with dev_err on the faulting
 * pci_dev while its ratelimit allows, else pr_err with device=bus:dev.fn under
 * printk_ratelimit. The domain field is decoded differently by the two releases:
 * - v5.0.1: pasid = PPR_PASID(*(u64 *)&event[0]) = (event[1] bits 13:10) << 16 | event[0] bits 31:16
 *   (the PPR log's layout, so an IO_PAGE_FAULT's domain ID is lost: usually 0x0000);
 * - v5.4.1: pasid = (event[0] & EVENT_DOMID_MASK_HI) | (event[1] & EVENT_DOMID_MASK_LO).
 * An IO_PAGE_FAULT returns before the memset, so its entry stays in the ring as written.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { write32 } from '../../mem/phys.ts';
import {
  EVENT_ENTRY_SIZE,
  EVENT_FLAGS_MASK,
  EVENT_FLAGS_SHIFT,
  EVENT_NAMES,
  EVENT_TYPE_IO_FAULT,
  EVENT_TYPE_SHIFT,
  EVT_BUFFER_SIZE,
} from './defs.ts';
import { devidText, amdRingEntry } from './hw.ts';
import { devErrPrefix } from './dma-ops.ts';
import { type AmdIommu, amdState } from './state.ts';
import { ratelimit } from '../../core/ratelimit.ts';
import type { KernelRelease } from '../../kernel.ts';
import { SZ_4G } from './words.ts';

const AMD_C = 'drivers/iommu/amd_iommu.c';
const F_INT_THREAD = kfunc('amd_iommu_int_thread', AMD_C);
const F_POLL = kfunc('iommu_poll_events', AMD_C);
const F_PRINT = kfunc('iommu_print_event', AMD_C, ['type', 'devid', 'address', 'flags']);
const F_REPORT = kfunc('amd_iommu_report_page_fault', AMD_C, ['devid', 'domain_id', 'address', 'flags']);

/** The domain/PASID field of an event as a release decodes it. */
export function eventDomain(release: KernelRelease, w: readonly number[]): number {
  if (release === 'v5.4') return (w[0] & 0xf_0000) | (w[1] & 0xffff);
  // PPR_PASID(x) = (PPR_PASID2(x) << 16) | PPR_PASID1(x); x = event[1]:event[0]
  return (((w[1] >>> 10) & 0xf) << 16) | ((w[0] >>> 16) & 0xffff);
}

export interface DecodedEvent {
  readonly type: number;
  readonly devid: number;
  readonly domain: number;
  readonly flags: number;
  readonly address: number | bigint;
}

/** iommu_print_event's field extraction. */
export function decodeEvent(release: KernelRelease, w: readonly number[]): DecodedEvent {
  const hi = w[3] >>> 0;
  return {
    type: (w[1] >>> EVENT_TYPE_SHIFT) & 0xf,
    devid: w[0] & 0xffff,
    domain: eventDomain(release, w),
    flags: (w[1] >>> EVENT_FLAGS_SHIFT) & EVENT_FLAGS_MASK,
    address: hi < 0x20_0000 ? (w[2] >>> 0) + hi * SZ_4G : (BigInt(hi) << 32n) | BigInt(w[2] >>> 0),
  };
}

const x4 = (n: number): string => n.toString(16).padStart(4, '0');

/** The line amd_iommu_report_page_fault prints, either form. */
export function ioPageFaultText(e: DecodedEvent, withDevice: boolean): string {
  const dev = withDevice ? `device=${devidText(e.devid)} ` : '';
  return `Event logged [IO_PAGE_FAULT ${dev}domain=0x${x4(e.domain)} address=0x${e.address.toString(16)} flags=0x${x4(e.flags)}]`;
}

function reportPageFault(m: Machine, iommu: AmdIommu, slot: number, w: readonly number[], e: DecodedEvent): void {
  const s = amdState(m);
  const k = m.kstack.enter(F_REPORT, e.devid, e.domain, typeof e.address === 'number' ? e.address : -1, e.flags);
  // pci_get_domain_bus_and_slot(0, bus, devfn): only PCI segment 0 is searched.
  const dd = s.devs.find((d) => d.segment === 0 && d.devid === e.devid);
  let printed: 'dev_err' | 'pr_err' | 'suppressed';
  let text: string | undefined;
  if (dd && ratelimit(m, dd.rs, 'amd_iommu_report_page_fault')) {
    printed = 'dev_err';
    text = devErrPrefix(m, dd) + ioPageFaultText(e, false);
  } else if (ratelimit(m, s.printkRs, 'amd_iommu_report_page_fault')) {
    printed = 'pr_err';
    text = 'AMD-Vi: ' + ioPageFaultText(e, true);
  } else printed = 'suppressed';
  const faulted = s.devs.find((d) => d.devid === e.devid && d.iommu === iommu.index);
  m.emit('amd-event', {
    iommu: iommu.name, slot, type: EVENT_NAMES[e.type], devid: devidText(e.devid), domain: e.domain, address: e.address, flags: e.flags,
    dw: [w[0], w[1], w[2], w[3]], dev: faulted?.name, printed,
  });
  if (text) m.emit('klog', { level: 'err', text });
  m.kstack.leave(k);
}

/** iommu_print_event(iommu, entry). */
function printEvent(m: Machine, iommu: AmdIommu, slot: number): void {
  const s = amdState(m);
  const w = amdRingEntry(m, iommu.evtBase, slot);
  const e = decodeEvent(s.release, w);
  const k = m.kstack.enter(F_PRINT, e.type, e.devid, typeof e.address === 'number' ? e.address : -1, e.flags);
  if (e.type === EVENT_TYPE_IO_FAULT) {
    reportPageFault(m, iommu, slot, w, e);
    m.kstack.leave(k);
    return;
  }
  const name = EVENT_NAMES[e.type] ?? 'UNKNOWN';
  m.emit('amd-event', { iommu: iommu.name, slot, type: name, devid: devidText(e.devid), domain: e.domain, address: e.address, flags: e.flags, dw: [w[0], w[1], w[2], w[3]], printed: 'dev_err' });
  const at = iommu.evtBase + slot * EVENT_ENTRY_SIZE;
  for (let i = 0; i < 4; i++) write32(m.state.mem, at + 4 * i, 0);
  m.kstack.leave(k);
}

/** The event-log interrupt's thread: iommu_poll_events, head to tail, then write head back. */
export function amdEvtIrq(m: Machine, iommuIndex: number): void {
  const iommu = amdState(m).iommus[iommuIndex];
  iommu.evtIrq = false;
  const k = m.kstack.enter(F_INT_THREAD);
  const p = m.kstack.enter(F_POLL);
  let head = iommu.evtHead;
  const tail = iommu.evtTail;
  while (head !== tail) {
    printEvent(m, iommu, head / EVENT_ENTRY_SIZE);
    head = (head + EVENT_ENTRY_SIZE) % EVT_BUFFER_SIZE;
  }
  iommu.evtHead = head;
  m.kstack.leave(p);
  m.kstack.leave(k);
}
