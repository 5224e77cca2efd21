/** The larb-bus panel's view: the SMI topology with bus selection, power and counters. */
import type { Machine } from '../../sim/machine.ts';
import { MTK_MODEL } from '../../sim/iommu/mtk/state.ts';
import { mtkIommuView, smiView } from '../../sim/iommu/mtk/view.ts';
import type { CellId, LarbView, MmuCellView } from './larb-model.ts';

export function larbView(m: Machine, currentLarb: number | undefined): LarbView | undefined {
  if (!m.hasModel(MTK_MODEL) || !m.hasModel('smi')) return undefined;
  const smi = smiView(m);
  const iommu = mtkIommuView(m);
  // Cells of every M4U instance, summed by cell name (mt2712 has two M4Us, each mmu0/mmu1).
  const cells: MmuCellView[] = (['mmu0', 'mmu1'] as CellId[]).map((id) => {
    const all = iommu.m4u.flatMap((i) => i.cells.filter((c) => c.mmu === id));
    return {
      id,
      traffic: all.reduce((a, c) => a + c.reads + c.writes, 0),
      iotlbHits: all.reduce((a, c) => a + c.hits, 0),
      iotlbMisses: all.reduce((a, c) => a + c.misses, 0),
      faults: all.reduce((a, c) => a + c.faults, 0),
    };
  });
  return {
    soc: smi.soc,
    busSelReg: parseInt(smi.common.busSel, 16),
    commonClock: smi.common.clocks.length > 0,
    commonPower: smi.common.power === 'on',
    cells,
    larbs: smi.larbs.map((l) => ({
      id: l.id,
      name: l.name,
      ...(smi.common.gals && !l.direct ? { gals: l.clocks.includes('gals') ? 'gals' : 'gals0/1' } : {}),
      busSel: l.mmu === 'mmu1' ? 1 : 0,
      cell: l.mmu as CellId,
      clock: l.clocks.length > 0 || l.direct,
      power: l.power === 'on',
      faults: l.ports.reduce((a, p) => a + p.faults, 0),
      ports: l.ports.map((p) => ({ id: p.port, name: `port${p.port}${p.attached ? '' : ' (no iommu)'}`, traffic: p.reads + p.writes, faults: p.faults })),
    })),
    ...(currentLarb !== undefined ? { currentLarb } : {}),
  };
}
