/**
 * The bus path of a multimedia engine's access: larb (powered? port MMU-enabled?) ->
 * SMI_BUS_SEL picks the mmu cell -> the cell's IOTLB (hit: the stale-translation checker
 * looks; miss: the hardware walks the v7s table) -> EMI. A translation fault latches in
 * the cell's fault group and the access goes to the protect buffer (IVRP) instead.
 * Provided as translatorKey('mtk') (a Translator); it fills the `dma` record's mmu, hit (and m4uPa, protect).
 */
import type { Machine } from '../../machine.ts';
import type { DeviceBase } from '../../devices/device.ts';
import type { Translation } from '../../devices/port.ts';
import { smiLarbPoweredIn, smiPortMmuEnabledIn } from '../../smi/power.ts';
import { type SmiLarbState, smiState } from '../../smi/state.ts';
import { type IotlbEntry, type IotlbFill, iotlbFill, iotlbLookup } from '../iotlb.ts';
import { iommuCore } from '../types.ts';
import { iotlbEntryCurrent, lastPteSeq, staleCheck } from '../stale.ts';
import { MTK_IOMMU_PLATS } from './plat.ts';
import { REG_MMU_IVRP_PADDR, REG_MMU_PT_BASE_ADDR } from './regs.ts';
import { m4uFaultLatch, m4uProtectPa, m4uRead } from './hw.ts';
import { hwWalk, hwWalkCreate } from './walk.ts';
import type { MtkMaster } from './ops.ts';
import { SZ_4G, MTK_IOMMU_4GB_MODE_REMAP_BASE } from './ops.ts';
import { type MtkCellState, type MtkM4uState, cellName, mtkState } from './state.ts';

const walkOut = hwWalkCreate(); // scratch only: never part of the machine state
/** What a miss fills the IOTLB with (iotlbFill copies it): scratch, so a miss allocates nothing. */
const fill: IotlbFill = { iova: 0, pa: 0, size: 0, ptePa: 0, pte: 0, l1Pa: 0, l1: 0, pteSeq: -1, gen: -1 };

/** In 4GB mode DRAM at CPU 1G..4G answers at 5G..8G on the M4U side (region E is 4G..5G). */
function emiPa(enable4GB: boolean, pa: number): number {
  return enable4GB && pa >= MTK_IOMMU_4GB_MODE_REMAP_BASE && pa < 2 * SZ_4G ? pa - SZ_4G : pa;
}

/** An access that reached EMI; `m4uPa` shows the 4GB-mode alias when it differs from the CPU PA. */
function served(out: Translation, enable4GB: boolean, m4uPa: number, cell: number, hit: boolean): boolean {
  const pa = emiPa(enable4GB, m4uPa);
  out.pa = pa;
  out.mmu = cellName(cell);
  out.hit = hit ? 'hit' : 'miss';
  if (pa !== m4uPa) out.m4uPa = m4uPa;
  return true;
}

function blocked(m: Machine, dev: DeviceBase & MtkMaster, addr: number, write: boolean, out: Translation): boolean {
  const larb = smiState(m).larbs[dev.larb];
  larb.blocked++;
  m.emit('larb-off-dma', { dev: dev.name, larb: dev.larb, port: dev.port, iova: addr, dir: write ? 'write' : 'read', refcount: larb.refcount, clocks: larb.clocks.join(',') || '-' });
  out.mmu = '-';
  out.hit = 'blocked';
  return false;
}

/**
 * The whole bus path: a hit (the common case) touches only the larb, the cell and its IOTLB
 * entry (busSelCell written out here). The function stays under V8's inlining limit (460
 * bytes of bytecode; it is ~420) so TurboFan folds it into the port's access loop: every
 * case but a plain hit (blocked, bypassed, a miss, an entry whose PTEs moved on, the
 * 4GB-mode alias) is a call out. Grow it past the limit and fast-forward loses ~10%.
 */
export function mtkTranslate(m: Machine, d: DeviceBase, addr: number, write: boolean, out: Translation): boolean {
  const dev = d as DeviceBase & MtkMaster;
  const smi = smiState(m);
  const larbId = dev.larb;
  const port = dev.port;
  const larb = smi.larbs[larbId];
  if (!smiLarbPoweredIn(smi, larb)) return blocked(m, dev, addr, write, out);
  (write ? larb.portWrites : larb.portReads)[port]++;
  if (!larb.direct && !smiPortMmuEnabledIn(smi, larb, port)) return bypassed(addr, out);

  const s = mtkState(m);
  const inst = s.m4u[s.larbM4u[larbId]];
  const cell = (smi.common.busSel >>> (2 * larbId)) & 1; // busSelCell(...) & 1
  const c = inst.cells[cell];
  if (write) c.writes++;
  else c.reads++;
  const i = iotlbLookup(c.iotlb, addr);
  if (i < 0) return missed(m, dev, inst, c, cell, larb, addr, write, out);
  const e = c.iotlb.entries[i];
  if (e.gen !== iommuCore(m).pteGen) hitMaybeStale(m, inst, cell, dev, e, addr);
  const m4uPa = e.pa + (addr - e.iova);
  if (s.enable4GB) return served(out, true, m4uPa, cell, true);
  out.pa = m4uPa;
  out.mmu = cellName(cell);
  out.hit = 'hit';
  return true;
}

/** A hit on an entry filled before the last PTE write anywhere: the stale-translation checker looks. */
function hitMaybeStale(m: Machine, inst: MtkM4uState, cell: number, dev: DeviceBase, e: IotlbEntry, addr: number): void {
  if (!iotlbEntryCurrent(m, e)) staleCheck(m, { iommu: inst.name, mmu: cellName(cell), dev: dev.name }, e, addr);
}

/** A port whose MMU enable bit is clear: its traffic goes to EMI untranslated. */
function bypassed(addr: number, out: Translation): boolean {
  out.pa = addr;
  out.mmu = 'bypass';
  out.hit = '-';
  return true;
}

/** An IOTLB miss (iotlbLookup counted it): the hardware walks the table, fills or faults. */
function missed(m: Machine, dev: DeviceBase & MtkMaster, inst: MtkM4uState, c: MtkCellState, cell: number, larb: SmiLarbState, addr: number, write: boolean, out: Translation): boolean {
  const s = mtkState(m);
  c.walks++;
  const pgd = (m4uRead(inst, REG_MMU_PT_BASE_ADDR) & 0xffffff80) >>> 0;
  const w = hwWalk(m.state.mem, pgd, addr, MTK_IOMMU_PLATS[s.soc].paBits, walkOut);
  if (!w.ok) {
    m4uFaultLatch(m, inst, { cell, iova: addr, write, layer: w.layer, larb: dev.larb, port: dev.port, dev: dev.name });
    const key = `${dev.larb}.${dev.port}`;
    c.faultsByPort[key] = (c.faultsByPort[key] ?? 0) + 1;
    larb.portFaults[dev.port]++;
    out.protect = m4uProtectPa(m, inst, m4uRead(inst, REG_MMU_IVRP_PADDR));
    out.mmu = cellName(cell);
    out.hit = 'miss';
    out.fault = 'translation';
    return false;
  }
  fill.iova = w.iovaBase;
  fill.pa = w.pa;
  fill.size = w.size;
  fill.ptePa = w.ptePa;
  fill.pte = w.pte;
  fill.l1Pa = w.l1Pa;
  fill.l1 = w.l1;
  fill.pteSeq = lastPteSeq(m, w.ptePa);
  fill.gen = iommuCore(m).pteGen;
  iotlbFill(c.iotlb, fill);
  return served(out, s.enable4GB, w.pa + (addr - w.iovaBase), cell, false);
}
