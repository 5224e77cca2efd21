/**
 * Read-only views of the mtk model for `info iommu`, `info iotlb`, `info smi` and the
 * TUI's larb-bus panel: plain data derived from machine state, never written back.
 */
import type { Machine } from '../../machine.ts';
import { hex, hex32 } from '../../core/hex.ts';
import { read32 as readWord } from '../../mem/phys.ts';
import { SMI_PLATS, busSelCell } from '../../smi/plat.ts';
import { smiState } from '../../smi/state.ts';
import { iotlbValidCount } from '../iotlb.ts';
import { REG_MMU_FAULT_ST1, REG_MMU_PT_BASE_ADDR } from './regs.ts';
import { MTK_IOMMU_PLATS } from './plat.ts';
import { cellName, mtkState } from './state.ts';

export interface MtkCellView {
  readonly mmu: string;
  readonly reads: number;
  readonly writes: number;
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses) as a percentage with one decimal, or null before any lookup. */
  readonly hitRatePct: number | null;
  readonly walks: number;
  readonly faults: number;
  readonly iotlbValid: number;
  readonly iotlbSize: number;
  readonly faultsByPort: Readonly<Record<string, number>>;
}

export interface MtkIommuView {
  readonly soc: string;
  readonly driver: string;
  readonly enable4GB: boolean;
  readonly m4u: readonly {
    readonly name: string;
    readonly larbs: readonly number[];
    readonly ptBase: string;
    readonly faultSt1: string;
    readonly irqPending: boolean;
    readonly protect: string;
    readonly cells: readonly MtkCellView[];
  }[];
  readonly larbidRemap: readonly number[];
}

export function mtkIommuView(m: Machine): MtkIommuView {
  const s = mtkState(m);
  return {
    soc: s.soc,
    driver: s.driver,
    enable4GB: s.enable4GB,
    larbidRemap: MTK_IOMMU_PLATS[s.soc].larbidRemap,
    m4u: s.m4u.map((inst) => ({
      name: inst.name,
      larbs: inst.larbs,
      ptBase: hex32(inst.regs[REG_MMU_PT_BASE_ADDR >>> 2]),
      faultSt1: hex32(inst.regs[REG_MMU_FAULT_ST1 >>> 2]),
      irqPending: inst.irqPending,
      protect: hex(inst.protectBase),
      cells: inst.cells.map((c, i) => {
        const n = c.iotlb.hits + c.iotlb.misses;
        return {
          mmu: cellName(i),
          reads: c.reads,
          writes: c.writes,
          hits: c.iotlb.hits,
          misses: c.iotlb.misses,
          hitRatePct: n ? Math.round((1000 * c.iotlb.hits) / n) / 10 : null,
          walks: c.walks,
          faults: c.faults,
          iotlbValid: iotlbValidCount(c.iotlb),
          iotlbSize: c.iotlb.entries.length,
          faultsByPort: { ...c.faultsByPort },
        };
      }),
    })),
  };
}

export interface IotlbEntryView {
  readonly slot: number;
  readonly iova: string;
  readonly pa: string;
  readonly size: number;
  readonly pte: string;
  readonly ptePa: string;
  readonly lru: number;
  /** The page table no longer holds the word this entry was filled from. */
  readonly stale: boolean;
}

/** `info iotlb`: the valid entries of one cell, most recently used first. */
export function mtkIotlbView(m: Machine, m4u: number, cell: number): IotlbEntryView[] {
  const inst = mtkState(m).m4u[m4u];
  const mem = m.state.mem;
  const out: IotlbEntryView[] = [];
  inst.cells[cell].iotlb.entries.forEach((e, slot) => {
    if (!e.valid) return;
    const stale = readWord(mem, e.ptePa) !== e.pte || readWord(mem, e.l1Pa) !== e.l1;
    out.push({ slot, iova: hex(e.iova), pa: hex(e.pa), size: e.size, pte: hex32(e.pte), ptePa: hex(e.ptePa), lru: e.lru, stale });
  });
  return out.sort((a, b) => b.lru - a.lru);
}

export interface LarbView {
  readonly id: number;
  readonly name: string;
  readonly m4u: string;
  readonly mmu: string;
  readonly direct: boolean;
  readonly power: 'on' | 'off';
  readonly refcount: number;
  readonly clocks: readonly string[];
  readonly blocked: number;
  readonly ports: readonly { port: number; m4uId: number; mmuEnabled: boolean; attached: boolean; reads: number; writes: number; faults: number }[];
}

export interface SmiView {
  readonly soc: string;
  /** EMI <- mmu0/mmu1 <- GALS <- common <- larbs, as the larb-bus panel draws it. */
  readonly topology: readonly string[];
  readonly common: { readonly power: 'on' | 'off'; readonly refcount: number; readonly clocks: readonly string[]; readonly busSel: string; readonly gals: boolean };
  readonly larbs: readonly LarbView[];
}

/** `info smi` and the larb-bus panel. */
export function smiView(m: Machine): SmiView {
  const smi = smiState(m);
  const s = mtkState(m);
  const plat = SMI_PLATS[smi.soc];
  const larbs: LarbView[] = smi.larbs.map((l) => {
    const inst = s.m4u[s.larbM4u[l.id]];
    return {
      id: l.id,
      name: l.name,
      m4u: inst.name,
      mmu: cellName(busSelCell(smi.common.busSel, l.id) & 1),
      direct: l.direct,
      power: l.refcount > 0 ? 'on' : 'off',
      refcount: l.refcount,
      clocks: [...l.clocks],
      blocked: l.blocked,
      ports: Array.from({ length: l.ports }, (_, port) => ({
        port,
        m4uId: (l.id << 5) | port,
        mmuEnabled: l.direct || ((l.regs[0x380 + 4 * port] ?? 0) & 1) === 1 || ((l.regs[0xf00] ?? 0) & (1 << port)) !== 0,
        attached: (l.mmu & (1 << port)) !== 0,
        reads: l.portReads[port],
        writes: l.portWrites[port],
        faults: l.portFaults[port],
      })),
    };
  });
  const topology = [
    'EMI',
    ...s.m4u.map((i) => `${i.name}: mmu0, mmu1`),
    plat.hasGals ? 'GALS (gals0, gals1)' : 'no GALS',
    'smi-common',
    ...larbs.map((l) => `larb${l.id} (${l.name})${l.direct ? ' direct' : ''} -> ${l.m4u}.${l.mmu}`),
  ];
  return {
    soc: smi.soc,
    topology,
    common: { power: smi.common.refcount > 0 ? 'on' : 'off', refcount: smi.common.refcount, clocks: [...smi.common.clocks], busSel: hex32(smi.common.busSel), gals: plat.hasGals },
    larbs,
  };
}
