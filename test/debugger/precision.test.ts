/**
 * The debugger stops exactly where it is asked and shows the machine as it was there.
 *
 * - `break fault` on mt8183-bus-sel stops at the faulting access, before the ISR: the IOTLB
 *   still holds what the access found and FAULT_ST1 is latched; `break fault-irq` stops at
 *   the ISR's report, after which the ISR clears FAULT_ST1 and flushes the IOTLB.
 * - For 200 random (scenario, seq) pairs, `goto SEQ` leaves the machine in the very state a
 *   fresh run halted right after record SEQ has, whatever the session did before.
 * - `stepi` N times then `reverse-stepi` N times comes back to the identical state.
 */
import { readdirSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { modelViews } from '../../src/debugger/views/index.ts';
import { intBelow, intBetween, prngFromSeed } from '../../src/sim/core/prng.ts';
import type { TraceRecord } from '../../src/sim/core/trace.ts';
import type { MachineState } from '../../src/sim/machine.ts';
import { build, SCENARIOS } from '../helpers/scenario.ts';

const SCENARIO_NAMES = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.json') && f !== 'schema.json')
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

/**
 * Where two machine states first differ ("" when they are the same): plain data, arrays,
 * typed arrays (compared as bytes), Maps and Sets. Hand-written because a generic deep
 * equality over megabytes of memory pages is slow, and v8's serialised bytes differ for
 * equal states (an integer may be stored as a double).
 */
function stateDiff(a: unknown, b: unknown, path = 'state'): string {
  if (Object.is(a, b) || (typeof a === 'number' && a === b)) return '';
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${String(a)} != ${String(b)}`;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return `${path}: typed array vs other`;
    const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    return x.equals(y) ? '' : `${path}: bytes differ`;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return `${path}: map sizes differ`;
    for (const [k, v] of a) {
      if (!b.has(k)) return `${path}: key ${String(k)} missing`;
      const d = stateDiff(v, b.get(k), `${path}.get(${String(k)})`);
      if (d) return d;
    }
    return '';
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return `${path}: set sizes differ`;
    for (const v of a) if (!b.has(v)) return `${path}: ${String(v)} missing`;
    return '';
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return `${path}: keys ${ka.join(',')} vs ${kb.join(',')}`;
  for (const k of ka) {
    const d = stateDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return '';
}

function expectSameState(got: MachineState, want: MachineState, what: string): void {
  expect(stateDiff(got, want), what).toBe('');
}

/** The machine a fresh run has right after record `seq` was emitted (halted inside its event). */
function freshAt(name: string, seq: number) {
  const m = build(name).machine;
  m.haltTest = (r) => r.seq === seq;
  while (!m.halted && m.step());
  m.haltTest = undefined;
  expect(m.halted, `${name}: record ${seq} was emitted`).toBe(true);
  return m.state;
}

/**
 * The IOTLB pages an mmu cell holds after `records`, derived from the trace alone: a
 * translated access that missed fills its page (mtk_iommu: the M4U walks the table and
 * caches the leaf), an invalidation covering the cell drops the range (or everything).
 */
function iotlbFromTrace(records: readonly TraceRecord[], cell: string): number[] {
  const pages = new Set<number>();
  for (const r of records) {
    if (r.kind === 'dma' && r.mmu === cell && r.result === 'ok' && r.hit === 'miss') pages.add(r.addr - (r.addr % 4096));
    if (r.kind === 'tlb-inval' && (r.cells ?? '').split(',').includes(cell)) {
      if (r.scope === 'all') pages.clear();
      else for (const p of [...pages]) if (r.start !== undefined && r.end !== undefined && p >= r.start && p < r.end) pages.delete(p);
    }
  }
  return [...pages].sort((a, b) => a - b);
}

describe('mt8183-bus-sel: the fault in two stages', () => {
  it('break fault stops at the faulting access, with the IOTLB and FAULT_ST1 as the hardware left them', () => {
    const s = new Session(build('mt8183-bus-sel'));
    s.exec('break fault');
    const r = s.exec('continue');
    // The vdec read of the unmapped 0x7f000000 through mmu1 (larb1 is on mmu1: bus_sel 0x4414).
    expect(r.stop).toMatchObject({ reason: 'breakpoint', record: { kind: 'dma', dev: 'vdec0', addr: 0x7f000000, result: 'fault', mmu: 'mmu1' } });
    const at = r.stop!.at!;
    expect(s.machine.state.traceCount).toBe(at + 1);
    // FAULT_ST1: drivers/iommu/mtk_iommu.c (v5.4) F_REG_MMU1_FAULT_MASK is GENMASK(13, 7):
    // mmu1's translation fault (F_INT_TRANSLATION_FAULT, bit 0 of its group) is BIT(7).
    expect(s.exec('info iommu').lines.join('\n')).toMatch(/FAULT_ST1 0x00000080 \(irq pending\)/);
    // The IOTLB panel: mmu1 holds every page a miss filled and no invalidation dropped.
    const want = iotlbFromTrace(s.records(0, at + 1), 'mmu1');
    expect(want.length).toBeGreaterThanOrEqual(2);
    const tlb = modelViews(s).iotlb!.tlbs.find((t) => t.name === 'm4u0.mmu1 IOTLB')!;
    expect(tlb.entries.map((e) => e.iova).sort((a, b) => a - b)).toEqual(want);
    expect(s.exec('info iotlb').lines.join('\n')).toMatch(new RegExp(`m4u0\\.mmu1 IOTLB: ${want.length} valid`));
    // The walk panel follows the faulting IOVA; the larb panel the device's larb.
    expect(modelViews(s).larb?.currentLarb).toBe(1);
  });

  it('break fault-irq stops at the ISR report; the ISR then clears FAULT_ST1 and flushes the IOTLB', () => {
    const s = new Session(build('mt8183-bus-sel'));
    s.exec('break fault-irq');
    const r = s.exec('continue');
    expect(r.stop).toMatchObject({ reason: 'breakpoint', record: { kind: 'fault', iommu: 'm4u0', mmu: 'mmu1', st1: 0x80, iova: 0x7f000000, larbRaw: 7, larb: 1 } });
    const at = r.stop!.at!;
    // Stopped at the report itself: FAULT_ST1 is still set, the IOTLB not flushed yet.
    expect(s.exec('info iommu').lines.join('\n')).toMatch(/FAULT_ST1 0x00000080/);
    const before = iotlbFromTrace(s.records(0, at + 1), 'mmu1');
    expect(modelViews(s).iotlb!.tlbs.find((t) => t.name === 'm4u0.mmu1 IOTLB')!.entries).toHaveLength(before.length);
    // Finish the ISR (the rest of its event): mtk_iommu_isr writes F_INT_CLR_BIT and flushes.
    s.exec('step');
    expect(s.exec('info iommu').lines.join('\n')).toMatch(/FAULT_ST1 0x00000000/);
    expect(modelViews(s).iotlb!.tlbs.find((t) => t.name === 'm4u0.mmu1 IOTLB')!.entries).toHaveLength(0);
    // The access came first: reverse-continue with both breakpoints lands on it.
    s.exec('break fault');
    expect(s.exec('reverse-continue').stop).toMatchObject({ id: 1, record: { kind: 'fault' } });
    expect(s.exec('reverse-continue').stop).toMatchObject({ id: 2, record: { kind: 'dma', result: 'fault' } });
  });
});

describe('goto SEQ is the machine right after record SEQ', () => {
  it('200 random (scenario, seq) pairs equal a fresh run halted there', () => {
    const prng = prngFromSeed(12);
    const sessions = new Map<string, Session>();
    const counts = new Map<string, number>();
    for (const name of SCENARIO_NAMES) {
      const m = build(name).machine;
      while (m.step());
      counts.set(name, m.state.traceCount);
    }
    for (let i = 0; i < 200; i++) {
      const name = SCENARIO_NAMES[intBelow(prng, SCENARIO_NAMES.length)];
      let s = sessions.get(name);
      // Small checkpoint intervals, so gotos restore and replay from many places.
      if (!s) sessions.set(name, (s = new Session(build(name), { checkpoints: { interval: 3, max: 6 } })));
      // Move somewhere else first, sometimes into the middle of an event.
      const pre = intBelow(prng, 3);
      if (pre === 1) s.exec(`goto @${intBelow(prng, 8)}`);
      else if (pre === 2) s.exec(`stepi ${intBetween(prng, 1, 5)}`);
      const seq = intBelow(prng, counts.get(name)!);
      const r = s.exec(`goto ${seq}`);
      expect(r.error, `${name} goto ${seq}`).toBeUndefined();
      expect(r.stop).toMatchObject({ at: seq, record: { seq } });
      expectSameState(s.machine.state, freshAt(name, seq), `${name} goto ${seq}`);
    }
  });

  it('stepi N times then reverse-stepi N times returns to the identical state', () => {
    const prng = prngFromSeed(34);
    for (const name of SCENARIO_NAMES) {
      const s = new Session(build(name), { checkpoints: { interval: 4, max: 8 } });
      const m = build(name).machine;
      while (m.step());
      const total = m.state.traceCount;
      for (let k = 0; k < 3; k++) {
        const seq = intBelow(prng, Math.max(1, total - 25));
        s.exec(`goto ${seq}`);
        const state = deserialize(serialize(s.machine.state)) as MachineState;
        // Never past the last record (some scenarios have only a dozen).
        const n = intBetween(prng, 1, Math.max(1, Math.min(20, total - 1 - seq)));
        const seen: number[] = [];
        for (let j = 0; j < n; j++) seen.push(s.exec('stepi').stop!.at!);
        // Each stepi is the very next record, inside events and across their ends.
        expect(seen, name).toEqual(Array.from({ length: n }, (_, j) => seq + 1 + j));
        for (let j = 0; j < n; j++) expect(s.exec('reverse-stepi').error).toBeUndefined();
        expect(s.at, name).toBe(seq);
        expectSameState(s.machine.state, state, `${name} from ${seq}, ${n} stepi`);
        // The counted forms do the same in one motion.
        expect(s.exec(`stepi ${n}`).stop?.at).toBe(seq + n);
        s.exec(`reverse-stepi ${n}`);
        expectSameState(s.machine.state, state, `${name} from ${seq}, stepi ${n}`);
      }
    }
  });

  it('reverse-stepi before record 0 is the start; stepi from between events is the next record', () => {
    const s = new Session(build('demo-dma-engine'));
    expect(s.exec('stepi').stop?.at).toBe(0);
    expect(s.exec('reverse-stepi').stop).toMatchObject({ events: 0 });
    expect(s.exec('reverse-stepi').lines).toEqual(['Already at the start (event 0).']);
    s.exec('step 2');
    const c = s.machine.state.traceCount;
    expect(s.exec('stepi').stop?.at).toBe(c);
    s.exec('step');
    expect(s.exec('reverse-stepi').stop?.at).toBe(s.machine.state.traceCount - 1);
  });
});
