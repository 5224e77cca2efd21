import { physAlloc } from '../../sim/mem/alloc.ts';
import { PAGE_SIZE } from '../../sim/mem/phys.ts';
import { IO_TLB_SIZE, SWIOTLB_MODEL, swiotlbStateCreate } from '../../sim/dma/swiotlb-state.ts';
import { ScenarioError } from '../problems.ts';
import type { BuildStep } from './context.ts';

/**
 * swiotlb_init (kernel/dma/swiotlb.c): io_tlb_nslabs slabs (the schema has already applied
 * setup_io_tlb_npages' ALIGN and the 64 MiB default), the pool from low memory
 * (memblock_alloc_low, page aligned). After the buffers, before the devices.
 */
export const buildSwiotlb: BuildStep = ({ m, s, file }) => {
  const cfg = s.swiotlb;
  if (!cfg) return;
  const nslabs = cfg.nslabs;
  const start = physAlloc(m.state.alloc, nslabs * IO_TLB_SIZE, { align: PAGE_SIZE, limit: cfg.below });
  if (start < 0) {
    throw new ScenarioError([{ file, path: 'swiotlb', message: `no free DRAM below 0x${cfg.below.toString(16)} for a ${nslabs * IO_TLB_SIZE}-byte swiotlb pool`, hint: 'fewer slabs (swiotlb.nslabs or "swiotlb": "N"), a smaller swiotlb.bytes, a higher swiotlb.below, or DRAM low' }]);
  }
  m.addModel(SWIOTLB_MODEL, swiotlbStateCreate(start, nslabs, cfg.force));
};
