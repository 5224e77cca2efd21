/**
 * View model of the larb-bus panel: the MediaTek SMI topology as plain data.
 * Bus accesses flow port -> larb -> (GALS) -> SMI common -> M4U cell (mmu0/mmu1, chosen
 * per larb by the bus-selection register) -> EMI.
 *
 * Wiring (lead, at merge): the debugger derives it from the smi and mtk models: the
 * larbs in id order with their GALS, the decoded bus_sel per larb, the per-cell counters
 * (translations, IOTLB hits/misses, faults), per-larb/port fault counts from the fault
 * records, and `currentLarb` from the current stop's record (`larb` field) when present.
 */
export type CellId = 'mmu0' | 'mmu1';

export interface MmuCellView {
  readonly id: CellId;
  /** Translations requested through this cell since start. */
  readonly traffic: number;
  readonly iotlbHits: number;
  readonly iotlbMisses: number;
  readonly faults: number;
}

export interface PortView {
  readonly id: number;
  readonly name: string;
  readonly traffic: number;
  readonly faults: number;
}

/** One M4U instance (mt2712 has two, each with its own larbs) and its two cells. */
export interface M4uView {
  readonly name: string; // "m4u0"
  readonly cells: readonly MmuCellView[];
}

export interface LarbItemView {
  readonly id: number;
  readonly name: string;
  /** The M4U instance the larb is bound to ("m4u0"). */
  readonly m4u: string;
  /** GALS bridge between this larb and SMI common, or undefined for a direct link. */
  readonly gals?: string;
  /** The larb's bus-selection bit as written and the cell it routes to. */
  readonly busSel: number;
  readonly cell: CellId;
  readonly clock: boolean;
  readonly power: boolean;
  readonly faults: number;
  readonly ports: readonly PortView[];
}

export interface LarbView {
  readonly soc: string; // "mt8183"
  /** The SMI common bus_sel register word. */
  readonly busSelReg: number;
  readonly commonClock: boolean;
  readonly commonPower: boolean;
  /** Every M4U instance in probe order; larbs name theirs in `m4u`. */
  readonly m4us: readonly M4uView[];
  readonly larbs: readonly LarbItemView[];
  /** Larb of the current stop (highlighted). */
  readonly currentLarb?: number;
}
