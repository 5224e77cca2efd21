// The bus master's dma_map_sg path: all entries mapped or none (dma_direct_map_sg unwinds
// the mapped ones with SKIP_CPU_SYNC), and dma_unmap_sg over the same entries.
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/load.ts';
import { buildMachine } from '../../../src/scenario/build/index.ts';

type Rec = Record<string, unknown>;

function scenario(ops: unknown[], pool = '1M'): Record<string, unknown> {
  return {
    version: 1,
    name: 't',
    description: 't',
    memory: {
      dram: [{ base: '0x40000000', size: '0x100000000' }],
      buffers: [{ name: 'b', size: '1M', above: '0x100000000' }],
    },
    swiotlb: { bytes: pool },
    devices: [{ kind: 'bus-master', name: 'nic32', dmaMask: 32, ops }],
  };
}

function run(ops: unknown[], pool?: string): Rec[] {
  const r = parseScenarioText(JSON.stringify(scenario(ops, pool)), 't.json');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const m = buildMachine(r.scenario).machine;
  while (m.step());
  const recs: Rec[] = [];
  for (let i = 0; i < m.trace.count; i++) recs.push(JSON.parse(m.trace.line(i)) as Rec);
  return recs;
}

describe('bus-master dma_map_sg', () => {
  it('maps every entry, and dma_unmap_sg frees them all', () => {
    const recs = run([
      { op: 'map', handle: 's', buf: 'b', len: '8K', count: 3, stride: '64K', dir: 'to-device', api: 'sg' },
      { op: 'dev-read', handle: 's', index: 2, len: '8K' },
      { op: 'unmap', handle: 's' },
    ]);
    expect(recs.filter((r) => r.kind === 'map').map((r) => [r.api, r.result])).toEqual([
      ['dma_map_sg', 'ok'],
      ['dma_map_sg', 'ok'],
      ['dma_map_sg', 'ok'],
    ]);
    expect(recs.filter((r) => r.kind === 'unmap').map((r) => r.api)).toEqual(['dma_unmap_sg', 'dma_unmap_sg', 'dma_unmap_sg']);
    expect(recs.filter((r) => r.kind === 'swiotlb-unmap')).toHaveLength(3);
  });

  it('an entry that does not fit unwinds the earlier ones without copying back', () => {
    // A 256 KiB pool is one segment: the first 200 KiB entry takes 100 slots, the second
    // finds 28. dma_direct_map_sg unmaps the first with DMA_ATTR_SKIP_CPU_SYNC.
    const ops = [
      { op: 'map', handle: 's', buf: 'b', len: '200K', count: 2, dir: 'from-device', api: 'sg' },
      { op: 'dev-write', handle: 's', len: 16, pattern: 1 },
      { op: 'unmap', handle: 's' },
    ];
    const recs = run(ops, '256K');
    expect(recs.map((r) => r.kind)).toEqual([
      'swiotlb-map',
      'map',
      'swiotlb-full',
      'klog',
      'klog',
      'map',
      'unmap',
      'swiotlb-unmap',
      'dev-done',
    ]);
    // kernel/dma/swiotlb.c swiotlb_tbl_map_single (v5.4.1), not_found: dev_warn "swiotlb buffer
    // is full (sz: %zd bytes), total %lu (slots), used %lu (slots)" — 256 KiB is 128 slots of
    // 2 KiB, 100 used by the first entry. Then kernel/dma/direct.c report_addr: dev_err_once
    // "overflow %pad+%zu of DMA mask %llx bus mask %llx" with the entry's own address (the
    // buffer starts at 4 GiB, the second entry 200 KiB in) and the 32-bit mask.
    expect(recs[3]).toMatchObject({ level: 'warning', text: 'bus-master nic32: swiotlb buffer is full (sz: 204800 bytes), total 128 (slots), used 100 (slots)' });
    expect(recs[4]).toMatchObject({ level: 'err', text: 'bus-master nic32: overflow 0x0000000100032000+204800 of DMA mask ffffffff bus mask 0' });
    expect(recs[7]).toMatchObject({ slot: 0, nslots: 100, copied: 0 });
    expect(recs[2]).toMatchObject({ nslots: 100, largest: 28, free: 28 });
  });

  it('dma_unmap_sg takes every entry: "every" on an sg handle is refused', () => {
    const r = parseScenarioText(
      JSON.stringify(
        scenario([
          { op: 'map', handle: 's', buf: 'b', len: '4K', count: 2, dir: 'to-device', api: 'sg' },
          { op: 'unmap', handle: 's', every: 2 },
        ]),
      ),
      't.json',
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0].path).toBe('devices[0].ops[1].every');
  });
});
