/**
 * Records emitted from a reused object (Machine.reuses / emitReused: a device's `dma` record,
 * swiotlb's and the map/unmap records, when only the trace store keeps them) are still every consumer's records: stepRecords gives
 * them decoded, in seq order among the records built as objects, and equal to what a machine
 * that built every record as an object gives; the trace is byte for byte the same.
 */
import { describe, expect, it } from 'vitest';
import { build } from '../../helpers/scenario.ts';
import type { Machine } from '../../../src/sim/machine.ts';
import type { TraceRecord } from '../../../src/sim/core/trace.ts';

/** Every step's records and the whole trace of a scenario (`objects`: a halt test that never halts keeps every record an object). */
function run(name: string, objects: boolean): { steps: TraceRecord[][]; lines: string[]; reused: boolean } {
  const m: Machine = build(name).machine;
  if (objects) m.haltTest = () => false;
  const reused = m.reuses('dma') && m.reuses('swiotlb-map');
  const steps: TraceRecord[][] = [];
  while (m.step()) steps.push([...m.stepRecords]);
  const lines: string[] = [];
  for (let seq = 0; seq < m.trace.count; seq++) lines.push(m.trace.line(seq));
  return { steps, lines, reused };
}

describe('records from a reused object', () => {
  // Each scenario with the reused kind it exercises: dma (port.ts), swiotlb-* (dma/swiotlb.ts),
  // map/unmap (trace/reused.ts: dma-direct, iommu_map/iommu_unmap).
  it.each([
    ['mt8183-bus-sel', 'dma'],
    ['demo-dma-engine', 'dma'],
    ['mtk-tf-protect', 'dma'],
    ['swiotlb-virtio-blk-bug', 'swiotlb-map'],
    ['swiotlb-fragmentation', 'swiotlb-unmap'],
    ['dma-mask-bounce', 'swiotlb-sync'],
    ['demo-dma-engine', 'map'],
    ['vtd-iova-alloc', 'unmap'],
  ] as const)('%s: step records and trace equal those of a machine that builds every record (%s reused)', (name, kind) => {
    const lean = run(name, false);
    const full = run(name, true);
    expect(lean.reused).toBe(true);
    expect(full.reused).toBe(false);
    expect(lean.lines).toEqual(full.lines);
    expect(lean.steps).toEqual(full.steps);
    // Not vacuous: the scenario's steps mix records of the reused kind with records built as objects.
    const mixed = lean.steps.some((s) => s.some((r) => r.kind === kind) && s.some((r) => r.kind !== kind && r.kind !== 'dma'));
    expect(mixed).toBe(true);
    for (const s of lean.steps) for (let i = 1; i < s.length; i++) expect(s[i].seq).toBe(s[i - 1].seq + 1);
  });

  it('a caller that empties stepRecords does not see those records again', () => {
    const m = build('demo-dma-engine').machine;
    let seen = 0;
    while (m.step()) {
      const n = m.stepRecords.length;
      seen += n;
      m.stepRecords.length = 0;
      expect(m.stepRecords.length).toBe(0);
    }
    // Every record was seen once: the ones before the first step belong to the build.
    expect(seen).toBeLessThanOrEqual(m.state.traceCount);
    expect(seen).toBeGreaterThan(0);
  });

  it('nothing is reused while records are not kept, watched, halted on or carry frame arguments', () => {
    const m = build('demo-dma-engine').machine;
    expect(m.reuses('dma')).toBe(true);
    m.keepTrace = false;
    expect(m.reuses('dma')).toBe(false);
    m.keepTrace = true;
    m.kstack.keepArgs = true;
    expect(m.reuses('dma')).toBe(false);
    m.kstack.keepArgs = false;
    m.fastForward(true);
    expect(m.reuses('dma')).toBe(false);
    m.fastForward(false);
    expect(m.reuses('dma')).toBe(true);
    m.haltTest = () => false;
    expect(m.reuses('dma')).toBe(false);
    m.haltTest = undefined;
    expect(m.reuses('dma')).toBe(true);
    m.watch('dma', () => {});
    expect(m.reuses('dma')).toBe(false);
    // A watcher on one kind leaves the others reused.
    expect(m.reuses('map')).toBe(true);
  });
});
