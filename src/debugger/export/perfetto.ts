/**
 * A recording as a native Perfetto trace (perfetto.protos.Trace, written with
 * @bufbuild/protobuf from the vendored subset in proto/perfetto/trace_subset.proto), for
 * ui.perfetto.dev:
 *
 * - one track per device, IOMMU instance, IOMMU domain, SMI block, SWIOTLB pool, mm and
 *   kernel actor (./tracks.ts), grouped as processes;
 * - every record an instant on its track, its fields as args;
 * - slices where virtual time gives a duration (./spans.ts): a mapping's life, a bounce
 *   buffer's, a block request, a fault until its report, a larb powered on;
 * - flows (./flows.ts): dma_map_* -> each access through the mapping -> dma_unmap_*;
 *   faulting access -> the driver's report -> its kernel log lines; mmu notifier call ->
 *   ATC invalidation -> the device's next page request;
 * - counters (./counters.ts): SWIOTLB slots used, IOTLB occupancy, outstanding mappings.
 *
 * Timestamps are the records' virtual nanoseconds. Packets are encoded in batches, each a
 * Trace message whose bytes are its `packet` entries (field 1, length-delimited), so any
 * number of records streams through in constant memory and the concatenation is one Trace.
 */
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import type { TraceRecord } from '../../sim/core/trace.ts';
import { kindSpec } from '../../sim/trace-kinds.ts';
import { recordArgs } from './args.ts';
import { Counters } from './counters.ts';
import { Flows } from './flows.ts';
import { Spans } from './spans.ts';
import { GROUPS, type Group, placeRecord } from './tracks.ts';
import { CounterDescriptor_Unit, TraceSchema, TracePacket_SequenceFlags, type TracePacketSchema, TrackEvent_Type, type TrackEventSchema } from './gen/perfetto/trace_subset_pb.ts';

export interface PerfettoOptions {
  /** IOTLB entries per mmu cell (mtk.iotlbEntries): the occupancy counter never passes it. */
  readonly iotlbEntries?: number;
}

export interface ExportStats {
  records: number;
  packets: number;
  tracks: number;
  slices: number;
  instants: number;
  flows: number;
  counterValues: number;
}

type TrackEventInit = MessageInitShape<typeof TrackEventSchema>;
const SEQUENCE_ID = 1;

/** Packets encoded together: one Trace message per batch, concatenated (still one Trace). */
const BATCH_PACKETS = 512;

/** The instant's name: the kind, with what tells records of a kind apart at a glance. */
function instantName(r: TraceRecord): string {
  switch (r.kind) {
    case 'dma':
      return `dma ${r.dir}${r.result === 'fault' ? ' fault' : ''}`;
    case 'map':
    case 'unmap':
    case 'sync':
      return r.api;
    case 'klog':
      return r.text;
    case 'reg':
      return `${r.op} ${r.reg}`;
    case 'mm':
    case 'dev-op':
    case 'pasid':
      return `${r.kind} ${r.op}`;
    case 'notifier':
      return `notifier ${r.op}`;
    case 'blk-req':
      return `blk-req ${r.phase}`;
    default:
      return r.kind;
  }
}

export class PerfettoExport {
  readonly stats: ExportStats = { records: 0, packets: 0, tracks: 0, slices: 0, instants: 0, flows: 0, counterValues: 0 };
  private readonly groups = new Map<Group, bigint>();
  private readonly tracks = new Map<string, bigint>();
  private nextUuid = 1n;
  private lastT = 0;
  private readonly spans: Spans;
  private readonly flows = new Flows();
  private readonly counters: Counters;

  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    opts: PerfettoOptions = {},
  ) {
    this.spans = new Spans((g, name) => this.track(g, name));
    this.counters = new Counters(opts.iotlbEntries);
  }

  private pending: MessageInitShape<typeof TracePacketSchema>[] = [];

  private packet(p: MessageInitShape<typeof TracePacketSchema>): void {
    // The first packet starts the sequence with a clean state, as Perfetto's own writers do.
    const first = this.stats.packets === 0 ? { sequenceFlags: TracePacket_SequenceFlags.SEQ_INCREMENTAL_STATE_CLEARED } : {};
    this.pending.push({ ...p, ...first, optionalTrustedPacketSequenceId: { case: 'trustedPacketSequenceId', value: SEQUENCE_ID } });
    this.stats.packets++;
    if (this.pending.length >= BATCH_PACKETS) this.flush();
  }

  /**
   * Encode the pending packets as one Trace message: its bytes are `packet` entries (field 1,
   * length-delimited), so batches written one after another read as one Trace.
   */
  private flush(): void {
    if (!this.pending.length) return;
    this.sink(toBinary(TraceSchema, create(TraceSchema, { packet: this.pending })));
    this.pending = [];
  }

  private group(g: Group): bigint {
    let uuid = this.groups.get(g);
    if (uuid === undefined) {
      uuid = this.nextUuid++;
      this.groups.set(g, uuid);
      const pid = GROUPS.indexOf(g) + 1;
      this.packet({ data: { case: 'trackDescriptor', value: { uuid, name: g, process: { pid, processName: g } } } });
    }
    return uuid;
  }

  /** A track's uuid, its descriptor written before its first event. */
  track(g: Group, name: string, counter = false): bigint {
    const key = `${g}\0${name}`;
    let uuid = this.tracks.get(key);
    if (uuid === undefined) {
      const parentUuid = this.group(g);
      uuid = this.nextUuid++;
      this.tracks.set(key, uuid);
      this.stats.tracks++;
      this.packet({
        data: {
          case: 'trackDescriptor',
          value: { uuid, parentUuid, name, ...(counter ? { counter: { unit: CounterDescriptor_Unit.COUNT } } : {}) },
        },
      });
    }
    return uuid;
  }

  private event(t: number, e: TrackEventInit): void {
    this.packet({ timestamp: BigInt(t), data: { case: 'trackEvent', value: e } });
  }

  /** Add the next record (records come in seq order). */
  add(r: TraceRecord): void {
    this.stats.records++;
    this.lastT = r.t;
    // Slices that this record ends close first, so an access and its mapping's end nest.
    for (const s of this.spans.before(r)) {
      this.event(r.t, { type: TrackEvent_Type.SLICE_END, trackUuid: s.track, debugAnnotations: recordArgs(r, 'end.') });
    }
    const place = placeRecord(r);
    const link = this.flows.of(r, kindSpec(r.kind)?.stage === 'report');
    this.event(r.t, {
      type: TrackEvent_Type.INSTANT,
      trackUuid: this.track(place.group, place.track),
      nameField: { case: 'name', value: instantName(r) },
      categories: [r.kind],
      flowIds: link.flowIds,
      terminatingFlowIds: link.terminatingFlowIds,
      debugAnnotations: recordArgs(r),
    });
    this.stats.instants++;
    this.stats.flows = this.flows.count;
    for (const s of this.spans.after(r)) {
      this.event(r.t, { type: TrackEvent_Type.SLICE_BEGIN, trackUuid: s.track, nameField: { case: 'name', value: s.name }, categories: [s.category], debugAnnotations: recordArgs(r) });
      this.stats.slices++;
    }
    for (const c of this.counters.after(r)) {
      this.event(r.t, { type: TrackEvent_Type.COUNTER, trackUuid: this.track(c.group, c.name, true), counterValueField: { case: 'counterValue', value: BigInt(c.value) } });
      this.stats.counterValues++;
    }
  }

  /** Close the slices still open (a mapping never unmapped) at the last record's time. */
  end(): ExportStats {
    for (const s of this.spans.open()) {
      this.event(this.lastT, {
        type: TrackEvent_Type.SLICE_END,
        trackUuid: s.track,
        debugAnnotations: [{ nameField: { case: 'name', value: 'end' }, value: { case: 'stringValue', value: 'still open when the trace ends' } }],
      });
    }
    this.flush();
    return this.stats;
  }
}

/** The whole trace in one buffer (tests, small exports). */
export function perfettoBytes(records: Iterable<TraceRecord>, opts: PerfettoOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const x = new PerfettoExport((b) => parts.push(b), opts);
  for (const r of records) x.add(r);
  x.end();
  return Buffer.concat(parts);
}
