/**
 * The mtk model's state as plain typed data for the debugger (`info iommu`, `info iotlb`,
 * `info smi`, the larb-bus and IOTLB panels): numbers and names, never text. Derived from
 * machine state, never written back; src/debugger formats it.
 */
import type { Machine } from '../../machine.ts';
import { read32 as readWord } from '../../mem/phys.ts';
import { F_MMU_EN, SMI_PLATS, busSelCell } from '../../smi/plat.ts';
import { smiState } from '../../smi/state.ts';
import { iotlbValidCount } from '../iotlb.ts';
import { REG_MMU_FAULT_ST1, REG_MMU_PT_BASE_ADDR } from './regs.ts';
import { MTK_IOMMU_PLATS } from './plat.ts';
import { type MtkDriverGen, cellName, mtkState } from './state.ts';

export type MtkCellName = 'mmu0' | 'mmu1';

export interface MtkCellStatus {
  readonly mmu: MtkCellName;
  readonly reads: number;
  readonly writes: number;
  readonly hits: number;
  readonly misses: number;
  readonly walks: number;
  readonly faults: number;
  readonly iotlbValid: number;
  readonly iotlbSize: number;
  /** "larb.port" -> faults this cell latched for it. */
  readonly faultsByPort: Readonly<Record<string, number>>;
}

export interface MtkM4uStatus {
  readonly name: string;
  readonly larbs: readonly number[];
  /** REG_MMU_PT_BASE_ADDR and REG_MMU_FAULT_ST1 as the hardware holds them. */
  readonly ptBase: number;
  readonly faultSt1: number;
  readonly irqPending: boolean;
  /** PA of the translation-fault protect buffer. */
  readonly protectBase: number;
  readonly cells: readonly MtkCellStatus[];
}

export interface MtkIommuStatus {
  readonly soc: string;
  readonly driver: MtkDriverGen;
  readonly enable4GB: boolean;
  readonly larbidRemap: readonly number[];
  readonly m4u: readonly MtkM4uStatus[];
}

export function mtkIommuStatus(m: Machine): MtkIommuStatus {
  const s = mtkState(m);
  return {
    soc: s.soc,
    driver: s.driver,
    enable4GB: s.enable4GB,
    larbidRemap: MTK_IOMMU_PLATS[s.soc].larbidRemap,
    m4u: s.m4u.map((inst) => ({
      name: inst.name,
      larbs: inst.larbs,
      ptBase: inst.regs[REG_MMU_PT_BASE_ADDR >>> 2] >>> 0,
      faultSt1: inst.regs[REG_MMU_FAULT_ST1 >>> 2] >>> 0,
      irqPending: inst.irqPending,
      protectBase: inst.protectBase,
      cells: inst.cells.map((c, i) => ({
        mmu: cellName(i) as MtkCellName,
        reads: c.reads,
        writes: c.writes,
        hits: c.iotlb.hits,
        misses: c.iotlb.misses,
        walks: c.walks,
        faults: c.faults,
        iotlbValid: iotlbValidCount(c.iotlb),
        iotlbSize: c.iotlb.capacity,
        faultsByPort: { ...c.faultsByPort },
      })),
    })),
  };
}

export interface IotlbEntryStatus {
  readonly slot: number;
  readonly iova: number;
  readonly pa: number;
  readonly size: number;
  /** The leaf PTE word the entry was filled from, and where it lives. */
  readonly pte: number;
  readonly ptePa: number;
  readonly lru: number;
  /** The page table no longer holds the words this entry was filled from. */
  readonly stale: boolean;
}

/** The valid entries of one cell's IOTLB, most recently used first. */
export function mtkIotlbEntries(m: Machine, m4u: number, cell: number): IotlbEntryStatus[] {
  const inst = mtkState(m).m4u[m4u];
  const mem = m.state.mem;
  const out: IotlbEntryStatus[] = [];
  inst.cells[cell].iotlb.entries.forEach((e, slot) => {
    if (!e.valid) return;
    const stale = readWord(mem, e.ptePa) !== e.pte || readWord(mem, e.l1Pa) !== e.l1;
    out.push({ slot, iova: e.iova, pa: e.pa, size: e.size, pte: e.pte, ptePa: e.ptePa, lru: e.lru, stale });
  });
  return out.sort((a, b) => b.lru - a.lru);
}

export interface SmiPortStatus {
  readonly port: number;
  /** MTK_M4U_ID(larb, port) */
  readonly m4uId: number;
  readonly mmuEnabled: boolean;
  readonly attached: boolean;
  readonly reads: number;
  readonly writes: number;
  readonly faults: number;
}

export interface SmiLarbStatus {
  readonly id: number;
  readonly name: string;
  /** The M4U instance it sits behind and the cell SMI_BUS_SEL routes it to. */
  readonly m4u: string;
  readonly mmu: MtkCellName;
  readonly direct: boolean;
  readonly powered: boolean;
  readonly refcount: number;
  readonly clocks: readonly string[];
  /** Accesses refused while the larb was off. */
  readonly blocked: number;
  readonly ports: readonly SmiPortStatus[];
}

export interface SmiStatus {
  readonly soc: string;
  readonly hasGals: boolean;
  readonly m4u: readonly string[];
  readonly common: { readonly powered: boolean; readonly refcount: number; readonly clocks: readonly string[]; readonly busSel: number };
  readonly larbs: readonly SmiLarbStatus[];
}

export function smiStatus(m: Machine): SmiStatus {
  const smi = smiState(m);
  const s = mtkState(m);
  const larbs: SmiLarbStatus[] = smi.larbs.map((l) => ({
    id: l.id,
    name: l.name,
    m4u: s.m4u[s.larbM4u[l.id]].name,
    mmu: cellName(busSelCell(smi.common.busSel, l.id) & 1) as MtkCellName,
    direct: l.direct,
    powered: l.refcount > 0,
    refcount: l.refcount,
    clocks: [...l.clocks],
    blocked: l.blocked,
    ports: Array.from({ length: l.ports }, (_, port) => ({
      port,
      m4uId: (l.id << 5) | port,
      mmuEnabled: l.direct || (l.nonsecCon[port] & F_MMU_EN) !== 0 || (l.mmuEn & (1 << port)) !== 0,
      attached: (l.mmu & (1 << port)) !== 0,
      reads: l.portReads[port],
      writes: l.portWrites[port],
      faults: l.portFaults[port],
    })),
  }));
  return {
    soc: smi.soc,
    hasGals: SMI_PLATS[smi.soc].hasGals,
    m4u: s.m4u.map((i) => i.name),
    common: { powered: smi.common.refcount > 0, refcount: smi.common.refcount, clocks: [...smi.common.clocks], busSel: smi.common.busSel >>> 0 },
    larbs,
  };
}
