/**
 * Device table entries as drivers/iommu/amd_iommu.c writes them (set_dte_entry,
 * clear_dte_entry; v5.0.1 = v5.4.1 for what is modelled: no IOMMUv2 GCR3 fields, no PPR).
 * One table shared by every IOMMU (amd_iommu_dev_table); the kernel writes data[1] first,
 * then data[0].
 */
import type { Machine } from '../../machine.ts';
import { DTE1_HI_FLAG_MASK, DTE1_HI_IOTLB, DTE_HI_IR, DTE_HI_IW, DTE_LO_TV, DTE_LO_V, DTE_MODE_SHIFT, PAGE_MODE_NONE } from './defs.ts';
import { devidText } from './hw.ts';
import { type AmdDomain, type AmdState, amdState } from './state.ts';
import { hi32, lo32, w64 } from './words.ts';

/** The entry the hardware reads: init_device_table_dma leaves every entry V | TV (DMA blocked). */
export function dteWords(s: AmdState, devid: number): readonly number[] {
  return s.devTable[devid] ?? [DTE_LO_V | DTE_LO_TV, 0, 0, 0];
}

function emitDte(m: Machine, devid: number, op: 'set' | 'clear', d: readonly number[], dev: string | undefined): void {
  m.emit('amd-dte', {
    devid: devidText(devid), dev, op, domid: d[2] & 0xffff, mode: (d[0] >>> DTE_MODE_SHIFT) & 7, data0: w64(d[0], d[1]), data1: w64(d[2], d[3]),
  });
}

/** set_dte_entry(devid, domain, ats, ppr). */
export function setDteEntry(m: Machine, devid: number, dom: AmdDomain, ats: boolean, dev?: string): void {
  const s = amdState(m);
  const root = dom.mode !== PAGE_MODE_NONE ? dom.root : 0;
  const d0lo = ((lo32(root) & 0xffff_f000) | ((dom.mode & 7) << DTE_MODE_SHIFT) | DTE_LO_V | DTE_LO_TV) >>> 0;
  const d0hi = ((hi32(root) & 0x000f_ffff) | DTE_HI_IR | DTE_HI_IW) >>> 0;
  const old = dteWords(s, devid);
  // flags = data[1]; | DTE_FLAG_IOTLB if ats; domain ID into bits 15:0.
  const d1hi = (old[3] | (ats ? DTE1_HI_IOTLB : 0)) >>> 0;
  const d1lo = ((old[2] & ~0xffff) | dom.id) >>> 0;
  const d = [d0lo, d0hi, d1lo, d1hi];
  s.devTable[devid] = d;
  emitDte(m, devid, 'set', d, dev);
}

/**
 * clear_dte_entry(devid): data[0] = V | TV (mode 0, IR = IW = 0: the device's DMA is
 * blocked), data[1] keeps only DTE_FLAG_MASK (domain ID 0). amd_iommu_apply_erratum_63
 * only acts on entries with SysMgt = 01b, which nothing here sets.
 */
export function clearDteEntry(m: Machine, devid: number, dev?: string): void {
  const s = amdState(m);
  const old = dteWords(s, devid);
  const d = [DTE_LO_V | DTE_LO_TV, 0, 0, (old[3] & DTE1_HI_FLAG_MASK) >>> 0];
  s.devTable[devid] = d;
  emitDte(m, devid, 'clear', d, dev);
}
