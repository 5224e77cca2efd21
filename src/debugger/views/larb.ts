/** The larb-bus panel's view: the SMI topology with bus selection, power and counters. */
import type { Machine } from '../../sim/machine.ts';
import { MTK_MODEL } from '../../sim/iommu/mtk/state.ts';
import { type MtkCellName, mtkIommuStatus, smiStatus } from '../../sim/iommu/mtk/status.ts';
import { SMI_MODEL } from '../../sim/smi/state.ts';
import type { LarbView, M4uView, MmuCellView } from './larb-model.ts';

const CELLS: readonly MtkCellName[] = ['mmu0', 'mmu1'];

export function larbView(m: Machine, currentLarb: number | undefined): LarbView | undefined {
  if (!m.hasModel(MTK_MODEL) || !m.hasModel(SMI_MODEL)) return undefined;
  const smi = smiStatus(m);
  const iommu = mtkIommuStatus(m);
  // Each M4U instance with its own cells (mt2712 has two M4Us, each with mmu0/mmu1).
  const m4us: M4uView[] = iommu.m4u.map((i) => ({
    name: i.name,
    cells: CELLS.map((id): MmuCellView => {
      const all = i.cells.filter((c) => c.mmu === id);
      return {
        id,
        traffic: all.reduce((a, c) => a + c.reads + c.writes, 0),
        iotlbHits: all.reduce((a, c) => a + c.hits, 0),
        iotlbMisses: all.reduce((a, c) => a + c.misses, 0),
        faults: all.reduce((a, c) => a + c.faults, 0),
      };
    }),
  }));
  return {
    soc: smi.soc,
    busSelReg: smi.common.busSel,
    commonClock: smi.common.clocks.length > 0,
    commonPower: smi.common.powered,
    m4us,
    larbs: smi.larbs.map((l) => ({
      id: l.id,
      name: `larb${l.id} ${l.name}`,
      m4u: l.m4u,
      // mt8183 larbs reach smi-common through a GALS bridge with its own "gals" clock
      // (mtk-smi.c: larb clock list); direct-to-common larbs (IPU0, IPU1, CCU) have none.
      ...(smi.hasGals && !l.direct ? { gals: `larb${l.id}.gals` } : {}),
      busSel: l.mmu === 'mmu1' ? 1 : 0,
      cell: l.mmu,
      // A direct larb has no clocks of its own: it runs on smi-common's while powered.
      clock: l.direct ? l.powered : l.clocks.length > 0,
      power: l.powered,
      faults: l.ports.reduce((a, p) => a + p.faults, 0),
      ports: l.ports.map((p) => ({ id: p.port, name: `port${p.port}${p.attached ? '' : ' (no iommu)'}`, traffic: p.reads + p.writes, faults: p.faults })),
    })),
    ...(currentLarb !== undefined ? { currentLarb } : {}),
  };
}
