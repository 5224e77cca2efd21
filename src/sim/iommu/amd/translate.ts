/**
 * A device's DMA through its AMD IOMMU, as the hardware does it: the device table entry
 * for its requester id (V, TV, mode, root, IR/IW, domain ID), the IOTLB tagged by domain ID
 * (a hit is checked by the stale-translation checker), else a walk of the I/O page table
 * (next-level 0 or 7 ends it at a leaf), permissions from the leaf's IR/IW. A translation
 * that fails writes an IO_PAGE_FAULT entry to the event log (event[0] = devid | PASID[19:16]
 * << 16, event[1] = domain ID | flags << 16 | 2 << 28, event[3]:event[2] = the address) and
 * the access is aborted; the driver reports it later (evtlog.ts). Provided as translatorKey('amd').
 */
import type { Machine } from '../../machine.ts';
import type { DeviceBase } from '../../devices/device.ts';
import type { Translation, Translator } from '../../devices/port.ts';
import { read32 } from '../../mem/phys.ts';
import { lastPteSeq, pteGeneration } from '../stale.ts';
import {
  DTE_HI_IR,
  DTE_HI_IW,
  DTE_LO_TV,
  DTE_LO_V,
  DTE_MODE_SHIFT,
  EVENT_FLAG_PE,
  EVENT_FLAG_PR,
  EVENT_FLAG_RW,
  EVENT_FLAGS_SHIFT,
  EVENT_TYPE_IO_FAULT,
  EVENT_TYPE_SHIFT,
  PTE_HI_IR,
  PTE_HI_IW,
} from './defs.ts';
import { dteWords } from './dte.ts';
import { amdLogEvent } from './hw.ts';
import { amdIotlbFill, amdIotlbLookup } from './iotlb.ts';
import { pmLevelIndex, ptePageSize, pteLevel, pteLevelPageSize, ptePresent } from './pgtable.ts';
import { amdStaleOnHit } from './stale.ts';
import { type AmdDevData, type AmdIommu, type AmdState, amdState } from './state.ts';
import { addrOf, hi32, lo32 } from './words.ts';

/** The device's iommu_dev_data by its device name (a scan of a handful of entries). */
function devIndex(s: AmdState, dev: DeviceBase): number {
  const devs = s.devs;
  for (let i = 0; i < devs.length; i++) if (devs[i].name === dev.name) return i;
  throw new Error(`device ${dev.name} is not behind an AMD IOMMU`);
}

function fault(m: Machine, iommu: AmdIommu, dd: AmdDevData, domid: number, addr: number, flags: number, out: Translation): false {
  iommu.faults++;
  amdLogEvent(m, iommu, [dd.devid, (domid | (flags << EVENT_FLAGS_SHIFT) | (EVENT_TYPE_IO_FAULT << EVENT_TYPE_SHIFT)) >>> 0, lo32(addr), hi32(addr)]);
  out.fault = 'IO_PAGE_FAULT';
  return false;
}

const W = [0, 0];
/** The walk's words, scratch only (the fill copies them into the entry). */
const PATH: number[] = [];

export const amdTranslate: Translator = (m, dev, addr, write, out) => {
  const s = amdState(m);
  const i = devIndex(s, dev);
  const ok = translate(m, s, s.devs[i], dev.name, addr, write, out);
  if (s.live[i].length) checkAccess(m, s, i, addr, write, ok ? out.pa : null);
  return ok;
};

/**
 * The dma-mismatch checker: a device access at an address the DMA API returned as a success
 * must reach the buffer mapped there. Two live mappings can claim one address (after map_sg
 * mapped over IOVA 0): each that does not see its buffer is reported, once.
 */
function checkAccess(m: Machine, s: AmdState, di: number, addr: number, write: boolean, reached: number | null): void {
  const dd = s.devs[di];
  const list = s.live[di];
  for (let i = 0; i < list.length; i++) {
    const l = list[i];
    if (addr < l.dma || addr >= l.dma + Math.max(l.size, 1)) continue;
    const expected = l.pa + (addr - l.dma);
    if (reached === expected) continue;
    s.checks++;
    m.emit('dma-mismatch', { dev: dd.name, addr, dir: write ? 'write' : 'read', expected, reached, api: l.api, mappedBy: l.seq });
    list.splice(i--, 1);
  }
}

function translate(m: Machine, s: AmdState, dd: AmdDevData, devName: string, addr: number, write: boolean, out: Translation): boolean {
  const iommu = s.iommus[dd.iommu];
  if (write) iommu.writes++;
  else iommu.reads++;
  const d = dteWords(s, dd.devid);
  // V = 0, or TV = 0: no translation information; the access passes untranslated.
  if (!(d[0] & DTE_LO_V) || !(d[0] & DTE_LO_TV)) {
    out.pa = addr;
    out.hit = '-';
    return true;
  }
  const domid = d[2] & 0xffff;
  const mode = (d[0] >>> DTE_MODE_SHIFT) & 7;
  const rw = write ? EVENT_FLAG_RW : 0;
  const dteOk = (d[1] & (write ? DTE_HI_IW : DTE_HI_IR)) !== 0;
  if (mode === 0) {
    // Translation disabled: IR/IW decide (clear_dte_entry leaves both 0: DMA blocked).
    if (!dteOk) return fault(m, iommu, dd, domid, addr, rw, out);
    out.pa = addr;
    out.hit = '-';
    return true;
  }
  const i = amdIotlbLookup(iommu.iotlb, domid, addr);
  if (i >= 0) {
    const e = iommu.iotlb.entries[i];
    out.hit = 'hit';
    if (!dteOk || !(write ? e.iw : e.ir)) return fault(m, iommu, dd, domid, addr, rw | EVENT_FLAG_PR | EVENT_FLAG_PE, out);
    amdStaleOnHit(m, iommu, e, devName, addr);
    out.pa = e.pa + (addr - e.iova);
    return true;
  }
  out.hit = 'miss';
  iommu.walks++;
  const mem = m.state.mem;
  const path = PATH;
  path.length = 0;
  let level = mode - 1;
  let table = addrOf(d[0], d[1]);
  let size = 0;
  let lo = 0;
  let hi = 0;
  for (;;) {
    const at = table + 8 * pmLevelIndex(level, addr);
    lo = W[0] = read32(mem, at);
    hi = W[1] = read32(mem, at + 4);
    path.push(at, lo, hi);
    if (!ptePresent(lo)) return fault(m, iommu, dd, domid, addr, rw, out);
    const next = pteLevel(lo);
    if (next === 0) {
      size = pteLevelPageSize(level);
      break;
    }
    if (next === 7) {
      size = ptePageSize(lo, hi);
      break;
    }
    // A next level at or above this one is malformed; the hardware reports a page-table error.
    if (next - 1 >= level) return fault(m, iommu, dd, domid, addr, rw | EVENT_FLAG_PR, out);
    level = next - 1;
    table = addrOf(lo, hi);
  }
  const ir = (hi & PTE_HI_IR) !== 0;
  const iw = (hi & PTE_HI_IW) !== 0;
  if (!dteOk || !(write ? iw : ir)) return fault(m, iommu, dd, domid, addr, rw | EVENT_FLAG_PR | EVENT_FLAG_PE, out);
  const leafPa = addrOf(lo, hi);
  const base = leafPa - (leafPa % size);
  const iovaBase = addr - (addr % size);
  amdIotlbFill(iommu.iotlb, {
    domid, iova: iovaBase, pa: base, size, ir, iw, path, pteSeq: lastPteSeq(m, path[path.length - 3]), gen: pteGeneration(m), filledBy: m.state.traceCount,
  });
  out.pa = base + (addr - iovaBase);
  return true;
}
