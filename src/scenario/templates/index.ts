/**
 * Every template `dmadbg new --template ID` offers, in `--help` order. Adding one: a file
 * next to these exporting a Template, and a line here (the test then validates and runs it,
 * and docs/scenarios.md shows it under its model; `npm run schema` regenerates the doc).
 */
import type { Template } from './template.ts';
import { DMA_TEMPLATE } from './dma.ts';
import { MTK_TEMPLATE } from './mtk.ts';
import { V7S_TEMPLATE } from './v7s.ts';
import { SWIOTLB_TEMPLATE } from './swiotlb.ts';
import { VIRTIO_BLK_TEMPLATE } from './virtio-blk.ts';
import { SVA_TEMPLATE } from './sva.ts';
import { HIGHMEM_TEMPLATE } from './highmem.ts';
import { DMA_MMAP_TEMPLATE } from './dma-mmap.ts';
import { VTD_TEMPLATE } from './vtd.ts';
import { AMD_TEMPLATE } from './amd.ts';
import { P2P_TEMPLATE } from './p2p.ts';
import { HMM_TEMPLATE } from './hmm.ts';
import { SWARM_TEMPLATE } from './swarm.ts';

export type { Template } from './template.ts';

export const TEMPLATES: readonly Template[] = [
  DMA_TEMPLATE,
  MTK_TEMPLATE,
  V7S_TEMPLATE,
  VTD_TEMPLATE,
  AMD_TEMPLATE,
  SWIOTLB_TEMPLATE,
  VIRTIO_BLK_TEMPLATE,
  P2P_TEMPLATE,
  HMM_TEMPLATE,
  SVA_TEMPLATE,
  HIGHMEM_TEMPLATE,
  DMA_MMAP_TEMPLATE,
  SWARM_TEMPLATE,
];

/** Without --template and --from. */
export const DEFAULT_TEMPLATE = 'dma';

export function templateById(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
