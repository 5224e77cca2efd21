// The Perfetto export, decoded with the same library: tracks, slices, flows and counters
// of three scenarios against goldens of the decoded summary, plus what a reader relies on
// whatever the golden says (every slice ends, flows run map -> access -> unmap, counters
// come back to zero when everything was released).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, build, expectGoldenFile } from '../../helpers/scenario.ts';
import { summarisePerfetto } from '../../helpers/perfetto-summary.ts';
import { perfettoBytes } from '../../../src/debugger/export/perfetto.ts';
import { placeRecord } from '../../../src/debugger/export/tracks.ts';
import type { TraceRecord } from '../../../src/sim/core/trace.ts';

function exportOf(name: string, opts: { iotlbEntries?: number } = {}) {
  const { machine: m } = build(name);
  while (m.step()) {
    /* run to the end */
  }
  const records: TraceRecord[] = [];
  for (let i = 0; i < m.trace.count; i++) records.push(m.trace.record(i));
  return { records, summary: summarisePerfetto(perfettoBytes(records, opts)) };
}

const golden = (name: string) => join(ROOT, 'test', 'golden', 'perfetto', `${name}.summary.json`);

describe('perfetto export', () => {
  it('mtk-tf-protect: faults flow from the access to mtk_iommu_isr; the mapping from map through its access to unmap', () => {
    const { summary } = exportOf('mtk-tf-protect', { iotlbEntries: 64 });
    expect(summary.unbalanced).toEqual([]);
    // Three faulting accesses (the scenario's three out-of-mapping accesses), each reported
    // by the ISR irqLatency (100 ns) later, whose dev_err line ends the flow.
    const faults = summary.flows.filter((f) => f.includes('fault@'));
    expect(faults).toHaveLength(3);
    for (const f of faults) expect(f).toMatch(/^devices\/ovl0:dma (read|write) fault@(\d+)#\d+ -> IOMMUs\/m4u0:fault@\d+#\d+ -> kernel\/kernel log:mtk-iommu 10205000\.iommu: fault type=0x1 iova=0x\w+ pa=0x0 larb=0 port=0 layer=0 (read|write)@\d+#\d+$/);
    expect(summary.slices.filter((s) => s.includes('fault until reported')).map((s) => /\[(\d+), (\d+)\]/.exec(s)!.slice(1).map(Number)).map(([a, b]) => b - a)).toEqual([100, 100, 100]);
    const mapping = summary.flows.find((f) => f.startsWith('devices/ovl0:dma_map_single'));
    expect(mapping).toMatch(/-> devices\/ovl0:dma_unmap_single@\d+#\d+$/);
    expect(summary.counters['devices/ovl0 mappings outstanding (counter)']).toEqual([1, 0]);
    expectGoldenFile(golden('mtk-tf-protect'), JSON.stringify(summary, null, 1) + '\n');
  });

  it('sva-munmap: notifier -> ATC invalidation -> next page request, and each page request -> its failed access', () => {
    const { summary } = exportOf('sva-munmap');
    expect(summary.unbalanced).toEqual([]);
    const chain = summary.flows.find((f) => f.includes('atc-inval') && f.includes('page-request'));
    expect(chain).toMatch(/^processes\/mm app:notifier invalidate_range@15000#\d+ -> IOMMUs\/intel-svm:atc-inval@15000#\d+ -> IOMMUs\/intel-svm:page-request@\d+#\d+$/);
    expect(summary.flows.filter((f) => /^IOMMUs\/intel-svm:page-request@(\d+)#\d+ -> devices\/dsa0:dma (read|write) fault@\1#/.test(f))).toHaveLength(16);
    expectGoldenFile(golden('sva-munmap'), JSON.stringify(summary, null, 1) + '\n');
  });

  it('swiotlb-virtio-blk-fixed: bounce buffers and block requests as slices, slots used back to zero', () => {
    const { summary, records } = exportOf('swiotlb-virtio-blk-fixed');
    expect(summary.unbalanced).toEqual([]);
    const maps = records.filter((r) => r.kind === 'swiotlb-map').length;
    expect(summary.slices.filter((s) => s.startsWith('SWIOTLB/bounce buffers'))).toHaveLength(maps);
    const slots = summary.counters['SWIOTLB/swiotlb slots used (counter)'];
    expect(slots.at(-1)).toBe(0);
    expect(Math.max(...slots)).toBeGreaterThan(0);
    expect(summary.slices.filter((s) => / requests: (read|write) sector/.test(s)).length).toBe(records.filter((r) => r.kind === 'blk-req' && r.phase === 'submit').length);
    expectGoldenFile(golden('swiotlb-virtio-blk-fixed'), JSON.stringify(summary, null, 1) + '\n');
  });

  it('a kind no table knows is placed by its fields (dev, iommu, mm, domain), else on a kernel track', () => {
    const rec = (kind: string, fields: Record<string, unknown>) => ({ seq: 0, t: 0, kind, ...fields }) as unknown as TraceRecord;
    expect(placeRecord(rec('vtd-fault', { dev: 'nic0', iommu: 'dmar0' }))).toEqual({ group: 'devices', track: 'nic0' });
    expect(placeRecord(rec('vtd-qi', { iommu: 'dmar0' }))).toEqual({ group: 'IOMMUs', track: 'dmar0' });
    expect(placeRecord(rec('hmm-range', { mm: 3 }))).toEqual({ group: 'processes', track: 'mm 3' });
    expect(placeRecord(rec('amd-ptw', { domain: 'dom1' }))).toEqual({ group: 'IOMMUs', track: 'domain dom1' });
    expect(placeRecord(rec('cpu-map', {}))).toEqual({ group: 'kernel', track: 'cpu-map' });
  });
});
