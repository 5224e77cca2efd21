// `--until-kind`, breakpoints and the docs read TRACE_KINDS; a record kind or field the
// models emit but the list does not name would be invisible to all three. Run every
// SWIOTLB scenario (both kernels) and check each record against DMA_KINDS/CORE_KINDS.
import { describe, expect, it } from 'vitest';
import { runRecords } from '../../helpers/scenario.ts';
import { TRACE_KINDS } from '../../../src/sim/trace-kinds.ts';
import { DMA_KINDS } from '../../../src/sim/dma/kinds.ts';

const SCENARIOS = ['swiotlb-virtio-blk-bug', 'swiotlb-virtio-blk-fixed', 'swiotlb-fragmentation', 'dma-mask-bounce', 'dma-debug-unmap'];

describe('trace kinds of the DMA models', () => {
  it('every record kind and field is documented', () => {
    const docs = new Map<string, (typeof TRACE_KINDS)[number]>(TRACE_KINDS.map((k) => [k.kind, k]));
    const seen = new Set<string>();
    for (const name of SCENARIOS) {
      for (const kernel of ['v5.0', 'v5.4'] as const) {
        for (const r of runRecords(name, { kernel })) {
          const doc = docs.get(String(r.kind));
          expect(doc, `kind ${String(r.kind)} in ${name}`).toBeDefined();
          seen.add(String(r.kind));
          for (const f of Object.keys(r)) {
            if (f === 'seq' || f === 't' || f === 'kind') continue;
            expect(Object.keys(doc!.fields), `${String(r.kind)}.${f} (${name})`).toContain(f);
          }
        }
      }
    }
    // Every DMA kind shows up in at least one scenario, so the list holds nothing stale.
    expect(DMA_KINDS.map((k) => k.kind).filter((k) => !seen.has(k))).toEqual([]);
  });

  it('kind names are unique', () => {
    const names = TRACE_KINDS.map((k) => k.kind);
    expect(new Set(names).size).toBe(names.length);
  });
});
