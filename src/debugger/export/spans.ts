/**
 * Slices: what has a duration in virtual time, from the record that begins it to the
 * record that ends it. Overlapping slices of one kind go on lanes (a device's mappings
 * overlap; Perfetto nests slices on one track by time, so each lane holds one at a time).
 *
 * - a DMA API mapping's life: dma_map_* -> dma_unmap_* of the same device and address;
 * - a SWIOTLB bounce buffer's: swiotlb-map -> swiotlb-unmap of the same slot address;
 * - a block request: blk-req submit -> complete;
 * - a fault until the driver reports it: the faulting access -> the device's next record
 *   of a kind marked as a fault report (the IRQ latency; mtk's ISR, a page request);
 * - a larb powered on: larb-power resume -> suspend;
 * - an M4U range TLB flush: the write of INVALIDATE -> the CPE_DONE poll that waits for it
 *   (mtk_iommu_tlb_add_flush_nosync / mtk_iommu_tlb_sync; zero length where the model
 *   completes it at once, the poll's args say how long it waited when it timed out).
 */
import type { TraceRecord } from '../../sim/core/trace.ts';
import { kindSpec } from '../../sim/trace-kinds.ts';
import type { Group } from './tracks.ts';

export interface SliceStart {
  readonly track: bigint;
  readonly name: string;
  readonly category: string;
}

interface Lanes {
  readonly group: Group;
  readonly base: string;
  readonly busy: boolean[];
}

interface Open {
  readonly lanes: Lanes;
  readonly lane: number;
  readonly track: bigint;
}

interface Begin {
  readonly key: string;
  readonly group: Group;
  readonly lanes: string;
  readonly name: string;
  readonly category: string;
}

const rec = (r: TraceRecord) => r as unknown as Readonly<Record<string, unknown>>;

/** The slice record r begins, if any. */
function begins(r: TraceRecord): Begin | undefined {
  switch (r.kind) {
    case 'map':
      if (r.dev === undefined || r.result !== 'ok' || r.iova === undefined || !r.api.startsWith('dma_map')) return undefined;
      return { key: `map ${r.dev} ${r.iova}`, group: 'devices', lanes: `${r.dev} mappings`, name: `${r.api} ${r.size}`, category: 'mapping' };
    case 'swiotlb-map':
      return { key: `bounce ${r.tlb}`, group: 'SWIOTLB', lanes: 'bounce buffers', name: `bounce ${r.size} (${r.dev})`, category: 'swiotlb' };
    case 'blk-req':
      return r.phase === 'submit' ? { key: `blk ${r.dev} ${r.req}`, group: 'devices', lanes: `${r.dev} requests`, name: `${r.op} sector ${r.sector}`, category: 'block' } : undefined;
    case 'dma':
      return r.result === 'fault' ? { key: `fault ${r.dev}`, group: 'devices', lanes: `${r.dev} faults`, name: 'fault until reported', category: 'fault' } : undefined;
    case 'larb-power':
      return r.op === 'resume' ? { key: `power ${r.block}`, group: 'SMI', lanes: `${r.block} power`, name: 'powered on', category: 'power' } : undefined;
    case 'reg':
      // Only a range invalidation (F_MMU_INV_RANGE, 0x1) is waited for; a flush-all
      // (F_ALL_INVLD, 0x2) is not polled (drivers/iommu/mtk_iommu.c).
      return r.op === 'write' && r.reg === 'INVALIDATE' && r.val === 0x1 ? { key: `flush ${r.block}`, group: 'IOMMUs', lanes: `${r.block} TLB flush`, name: 'TLB flush until CPE_DONE', category: 'tlb' } : undefined;
    default:
      return undefined;
  }
}

/** The key of the slice record r ends, if any. */
function ends(r: TraceRecord): string | undefined {
  switch (r.kind) {
    case 'unmap':
      return r.dev !== undefined ? `map ${r.dev} ${r.iova}` : undefined;
    case 'swiotlb-unmap':
      return `bounce ${r.tlb}`;
    case 'blk-req':
      return r.phase === 'complete' ? `blk ${r.dev} ${r.req}` : undefined;
    case 'larb-power':
      return r.op === 'suspend' ? `power ${r.block}` : undefined;
    case 'reg':
      return r.op === 'poll' && r.reg === 'CPE_DONE' ? `flush ${r.block}` : undefined;
    default: {
      const dev = rec(r).dev;
      return kindSpec(r.kind)?.stage === 'report' && dev !== undefined ? `fault ${String(dev)}` : undefined;
    }
  }
}

export class Spans {
  private readonly lanes = new Map<string, Lanes>();
  private readonly opened = new Map<string, Open>();
  private readonly lastReport = new Map<string, number>();

  constructor(private readonly trackOf: (g: Group, name: string) => bigint) {}

  /** Slices record r ends (their tracks). */
  before(r: TraceRecord): { track: bigint }[] {
    const key = ends(r);
    const o = key !== undefined ? this.opened.get(key) : undefined;
    if (!o || key === undefined) return [];
    this.opened.delete(key);
    o.lanes.busy[o.lane] = false;
    return [{ track: o.track }];
  }

  /** Slices record r begins (a key already open, e.g. a second fault before the report, begins nothing). */
  after(r: TraceRecord): SliceStart[] {
    const dev = rec(r).dev;
    if (kindSpec(r.kind)?.stage === 'report' && typeof dev === 'string') this.lastReport.set(dev, r.t);
    const b = begins(r);
    if (!b || this.opened.has(b.key)) return [];
    // A fault whose report came first (at the same time) has nothing left to wait for.
    if (r.kind === 'dma' && this.lastReport.get(r.dev) === r.t) return [];
    const id = `${b.group}\0${b.lanes}`;
    let lanes = this.lanes.get(id);
    if (!lanes) this.lanes.set(id, (lanes = { group: b.group, base: b.lanes, busy: [] }));
    let lane = lanes.busy.indexOf(false);
    if (lane < 0) lane = lanes.busy.length;
    lanes.busy[lane] = true;
    const track = this.trackOf(b.group, lane === 0 ? b.lanes : `${b.lanes} (${lane + 1})`);
    this.opened.set(b.key, { lanes, lane, track });
    return [{ track, name: b.name, category: b.category }];
  }

  /** Slices still open, in the order they began; forgets them. */
  open(): { track: bigint }[] {
    const out = [...this.opened.values()].map((o) => ({ track: o.track }));
    this.opened.clear();
    return out;
  }
}
