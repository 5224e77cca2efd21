/** The SWIOTLB panel's view: the kernel's slot arrays, copied at the stop. */
import type { Machine } from '../../sim/machine.ts';
import { SWIOTLB_MODEL, type SwiotlbState } from '../../sim/dma/swiotlb-state.ts';
import { swiotlbView as swiotlbInfo } from '../../sim/dma/swiotlb-view.ts';
import type { SwiotlbView } from './swiotlb-model.ts';

export function swiotlbView(m: Machine): SwiotlbView | undefined {
  if (!m.hasModel(SWIOTLB_MODEL)) return undefined;
  const st = m.model(SWIOTLB_MODEL);
  const info = swiotlbInfo(m);
  if (!info) return undefined;
  return {
    start: parseInt(info.start, 16),
    nslabs: st.nslabs,
    slotSize: 2048,
    segSize: 128,
    owner: Int32Array.from(st.owner),
    list: Uint32Array.from(st.list),
    owners: [...st.owners],
    index: info.cursor,
    maxMappingSize: info.maxMappingSize,
    ...(info.lastFull ? { lastFailed: { dev: info.lastFull.dev, size: info.lastFull.size, nslots: info.lastFull.nslots } } : {}),
  };
}
