/**
 * The stale-translation checker. In mtk-missing-flush the driver re-points a page with no
 * TLB invalidation, and the decoder's next read is served from the old IOTLB entry: the
 * checker must emit `stale-tlb` naming the `pte` record that changed the word. With the
 * flush done (the same ops, "flush": true) it must stay silent and the read must reach
 * the new buffer.
 */
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../../src/scenario/build/index.ts';
import { loadScenario } from '../../helpers/scenario.ts';
import { kinds, runAll } from './mtk-helpers.ts';

function run(flush: boolean) {
  const s = loadScenario('mtk-missing-flush');
  const devices = s.devices.map((d) =>
    d.kind === 'mtk-engine' ? { ...d, ops: d.ops.map((op) => (op.op === 'remap' ? { ...op, flush } : op)) } : d,
  );
  const built = buildMachine({ ...s, devices });
  return { recs: runAll(built.machine), buffers: built.buffers };
}

describe('stale-tlb checker', () => {
  it('fires on mtk-missing-flush and names the pte record that changed the entry', () => {
    const { recs, buffers } = run(false);
    const stale = kinds(recs, 'stale-tlb');
    expect(stale).toHaveLength(1);
    const changer = recs.find((r) => r.seq === stale[0].changedBy)!;
    expect(changer).toMatchObject({ kind: 'pte', addr: stale[0].pteAddr, new: stale[0].pte, old: '0x00000000' });
    expect(stale[0].cachedPa).toBe('0x' + buffers.get('bitstream')!.pa.toString(16));
    const dmaAfter = recs.filter((r) => r.kind === 'dma' && (r.seq as number) > (stale[0].seq as number));
    expect(dmaAfter[0]).toMatchObject({ hit: 'hit', pa: stale[0].cachedPa });
  });

  it('stays silent when the remap invalidates, and the read reaches the new buffer', () => {
    const { recs, buffers } = run(true);
    expect(kinds(recs, 'stale-tlb')).toEqual([]);
    const remapAt = recs.findIndex((r) => r.kind === 'unmap' && r.api === 'iommu_unmap');
    const next = recs.slice(remapAt).find((r) => r.kind === 'dma')!;
    expect(next).toMatchObject({ hit: 'miss', pa: '0x' + buffers.get('newframe')!.pa.toString(16) });
  });
});
