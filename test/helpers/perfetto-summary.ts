/**
 * Decode a Perfetto trace written by dmadbg with the same library (@bufbuild/protobuf and
 * the vendored schema) and summarise it the way a person reads the timeline: the tracks by
 * group, per track how many instants, slices and counter values, every slice with its span,
 * every flow as the chain of events it links, and each counter's values.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { TracePacket_SequenceFlags, TraceSchema, TrackEvent_Type } from '../../src/debugger/export/gen/perfetto/trace_subset_pb.ts';

export interface PerfettoSummary {
  tracks: string[];
  /** Per track: "TRACK: N instants, N slices, N counter values". */
  events: string[];
  slices: string[];
  flows: string[];
  counters: Record<string, number[]>;
  unbalanced: string[];
}

export function summarisePerfetto(bytes: Uint8Array): PerfettoSummary {
  const trace = fromBinary(TraceSchema, bytes);
  // A sequence starts with cleared incremental state (what Perfetto's own writers do).
  if (trace.packet[0]?.sequenceFlags !== TracePacket_SequenceFlags.SEQ_INCREMENTAL_STATE_CLEARED) throw new Error('the first packet does not clear the sequence state');
  const name = new Map<bigint, string>();
  const tracks: string[] = [];
  const events: Record<string, { instants: number; slices: number; counterValues: number }> = {};
  const slices: string[] = [];
  const open = new Map<bigint, { name: string; ts: bigint }[]>();
  const flowChains = new Map<bigint, string[]>();
  const counters: Record<string, number[]> = {};
  for (const p of trace.packet) {
    if (p.optionalTrustedPacketSequenceId.case !== 'trustedPacketSequenceId') throw new Error('packet without a sequence id');
    if (p.data.case === 'trackDescriptor') {
      const d = p.data.value;
      const parent = d.parentUuid ? name.get(d.parentUuid) : undefined;
      if (d.parentUuid && parent === undefined) throw new Error(`track ${d.name} names an unknown parent`);
      const full = parent !== undefined ? `${parent}/${d.name}${d.counter ? ' (counter)' : ''}` : d.name;
      if ([...name.values()].includes(full)) throw new Error(`track ${full} described twice`);
      name.set(d.uuid, full);
      if (parent !== undefined) tracks.push(full);
      continue;
    }
    if (p.data.case !== 'trackEvent') continue;
    const e = p.data.value;
    const track = name.get(e.trackUuid);
    if (track === undefined) throw new Error(`event on an undescribed track ${e.trackUuid}`);
    const tally = (events[track] ??= { instants: 0, slices: 0, counterValues: 0 });
    const label = e.nameField.case === 'name' ? e.nameField.value : '';
    const seq = e.debugAnnotations.find((a) => a.nameField.value === 'seq');
    const at = `${track}:${label}@${p.timestamp}${seq?.value.case === 'intValue' ? `#${seq.value.value}` : ''}`;
    switch (e.type) {
      case TrackEvent_Type.INSTANT:
        tally.instants++;
        for (const id of [...e.flowIds, ...e.terminatingFlowIds]) flowChains.set(id, [...(flowChains.get(id) ?? []), at]);
        break;
      case TrackEvent_Type.SLICE_BEGIN: {
        tally.slices++;
        const stack = open.get(e.trackUuid) ?? [];
        stack.push({ name: label, ts: p.timestamp });
        open.set(e.trackUuid, stack);
        break;
      }
      case TrackEvent_Type.SLICE_END: {
        const b = open.get(e.trackUuid)?.pop();
        if (!b) throw new Error(`slice end with no begin on ${track}`);
        slices.push(`${track}: ${b.name} [${b.ts}, ${p.timestamp}]`);
        break;
      }
      case TrackEvent_Type.COUNTER:
        tally.counterValues++;
        if (e.counterValueField.case !== 'counterValue') throw new Error('counter event without a value');
        (counters[track] ??= []).push(Number(e.counterValueField.value));
        break;
      default:
        throw new Error(`event of type ${e.type} on ${track}`);
    }
  }
  const unbalanced = [...open].flatMap(([uuid, s]) => s.map((x) => `${name.get(uuid)}: ${x.name}`));
  const flows = [...flowChains.values()].filter((c) => c.length > 1).map((c) => c.join(' -> '));
  const perTrack = Object.entries(events).map(([t, n]) => `${t}: ${n.instants} instants, ${n.slices} slices, ${n.counterValues} counter values`);
  return { tracks, events: perTrack, slices, flows, counters, unbalanced };
}
