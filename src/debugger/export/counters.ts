/**
 * Counter tracks, derived from the records:
 * - SWIOTLB slots in use: + nslots at swiotlb-map, - nslots at swiotlb-unmap;
 * - IOTLB occupancy per IOMMU instance: + 1 at each access that missed and was served (a
 *   table walk fills an entry), - the entries an invalidation dropped; never above
 *   entries-per-cell times the cells seen (replacement keeps a full IOTLB full);
 * - outstanding DMA API mappings per device: + 1 at a dma_map_*, - 1 at a dma_unmap_*.
 */
import type { TraceRecord } from '../../sim/core/trace.ts';
import type { Group } from './tracks.ts';

export interface CounterValue {
  readonly group: Group;
  readonly name: string;
  readonly value: number;
}

export class Counters {
  private slots = 0;
  private readonly devIommu = new Map<string, string>();
  private readonly iotlb = new Map<string, { entries: number; cells: Set<string> }>();
  private readonly mapped = new Map<string, number>();

  constructor(private readonly entriesPerCell?: number) {}

  private iotlbOf(inst: string) {
    let s = this.iotlb.get(inst);
    if (!s) this.iotlb.set(inst, (s = { entries: 0, cells: new Set() }));
    return s;
  }

  after(r: TraceRecord): CounterValue[] {
    switch (r.kind) {
      case 'swiotlb-map':
      case 'swiotlb-unmap':
        this.slots += r.kind === 'swiotlb-map' ? r.nslots : -r.nslots;
        return [{ group: 'SWIOTLB', name: 'swiotlb slots used', value: this.slots }];
      case 'attach':
        this.devIommu.set(r.dev, r.iommu);
        return [];
      case 'dma': {
        if (r.hit !== 'miss' || r.result !== 'ok') return [];
        const inst = this.devIommu.get(r.dev) ?? 'iommu';
        const s = this.iotlbOf(inst);
        if (r.mmu !== undefined) s.cells.add(r.mmu);
        const cap = this.entriesPerCell !== undefined ? this.entriesPerCell * Math.max(1, s.cells.size) : Infinity;
        const next = Math.min(cap, s.entries + 1);
        if (next === s.entries) return [];
        s.entries = next;
        return [{ group: 'IOMMUs', name: `${inst} IOTLB entries`, value: next }];
      }
      case 'tlb-inval': {
        const s = this.iotlbOf(r.iommu);
        if (!r.dropped) return [];
        s.entries = Math.max(0, s.entries - r.dropped);
        return [{ group: 'IOMMUs', name: `${r.iommu} IOTLB entries`, value: s.entries }];
      }
      case 'map':
      case 'unmap': {
        if (r.dev === undefined || !r.api.startsWith(r.kind === 'map' ? 'dma_map' : 'dma_unmap')) return [];
        if (r.kind === 'map' && r.result !== 'ok') return [];
        const n = Math.max(0, (this.mapped.get(r.dev) ?? 0) + (r.kind === 'map' ? 1 : -1));
        this.mapped.set(r.dev, n);
        return [{ group: 'devices', name: `${r.dev} mappings outstanding`, value: n }];
      }
      default:
        return [];
    }
  }
}
