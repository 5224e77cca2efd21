/** The SWIOTLB panel's view: the kernel's slot arrays, copied at the stop. */
import type { Machine } from '../../sim/machine.ts';
import { swiotlbOf } from '../../sim/dma/swiotlb-state.ts';
import { swiotlbStatus } from '../../sim/dma/swiotlb-status.ts';
import type { SwiotlbView } from './swiotlb-model.ts';

export function swiotlbView(m: Machine): SwiotlbView | undefined {
  const st = swiotlbOf(m);
  const status = swiotlbStatus(m);
  if (!st || !status) return undefined;
  return {
    start: status.start,
    nslabs: status.nslabs,
    slotSize: status.slotSize,
    segSize: status.segSize,
    owner: Int32Array.from(st.owner),
    list: Uint32Array.from(st.list),
    owners: [...st.owners],
    index: status.cursor,
    maxMappingSize: status.maxMappingSize,
    ...(status.lastFull ? { lastFailed: { dev: status.lastFull.dev, size: status.lastFull.size, nslots: status.lastFull.nslots } } : {}),
  };
}
