// The DMA API calls beyond map/unmap: dma_map_sg's unwind, dma_alloc_coherent, and
// dma_max_mapping_size, whose answer decides virtio-blk's segment size in v5.4
// (kernel/dma/direct.c: dma_direct_max_mapping_size; kernel/dma/mapping.c).
import { describe, expect, it } from 'vitest';
import { type Scatterlist, dmaAllocCoherent, dmaGetMaxSegSize, dmaMapSg, dmaMaxMappingSize, dmaUnmapSg } from '../../../src/sim/dma/api.ts';
import { drain, poolMachine } from './pool.ts';

const sg = (pa: number, length: number): Scatterlist => ({ pa, length, dmaAddress: 0, dmaLength: 0 });

describe('dma_map_sg (dma_direct_map_sg)', () => {
  it('maps each entry; a failing entry unmaps the earlier ones with SKIP_CPU_SYNC and returns 0', () => {
    const { m, st, dev } = poolMachine({ nslabs: 128 });
    const d = dev('d', 32);
    const sgl = [sg(0x1_0000_0000, 4096), sg(0x1_0001_0000, 300 * 1024)];
    expect(dmaMapSg(m, d, sgl, 'from-device')).toBe(0);
    expect(st.used).toBe(0);
    const recs = drain(m);
    // not_found prints the dev_warn, then dma_direct_map_page's report_addr its dev_err_once (klog.test.ts).
    expect(recs.map((r) => r.kind)).toEqual(['swiotlb-map', 'map', 'swiotlb-full', 'klog', 'klog', 'map', 'unmap', 'swiotlb-unmap']);
    expect(recs.at(-1)!.copied).toBe(0);
    expect(recs[1].api).toBe('dma_map_sg');
  });

  it('maps and unmaps a two-entry list', () => {
    const { m, st, dev } = poolMachine();
    const d = dev('d', 32);
    const sgl = [sg(0x1_0000_0000, 4096), sg(0x8000_0000, 4096)];
    expect(dmaMapSg(m, d, sgl, 'to-device')).toBe(2);
    expect(sgl[1].dmaAddress).toBe(0x8000_0000); // reachable: not bounced
    expect(st.used).toBe(2);
    dmaUnmapSg(m, d, sgl, 2, 'to-device');
    expect(st.used).toBe(0);
  });
});

describe('dma_alloc_coherent (dma_direct_alloc)', () => {
  it('takes memory the device reaches and never bounces, even when forced', () => {
    const { m, st, dev } = poolMachine({ force: true });
    const d = dev('d', 32);
    const r = dmaAllocCoherent(m, d, 8192)!;
    expect(r.dma).toBe(r.pa);
    expect(r.pa + 8192 - 1).toBeLessThanOrEqual(0xffff_ffff);
    expect(st.used).toBe(0);
  });
});

describe('dma_max_mapping_size', () => {
  it('v5.4 (conditional): 256 KiB when swiotlb is active and the device is addressing-limited or bouncing is forced', () => {
    const t = poolMachine({ kernel: 'v5.4', dramTop: 0x2_0000_0000 });
    expect(dmaMaxMappingSize(t.m, t.dev('d32', 32))).toBe(262144);
    expect(dmaMaxMappingSize(t.m, t.dev('d64', 64))).toBe(Infinity);
    const f = poolMachine({ kernel: 'v5.4', force: true });
    expect(dmaMaxMappingSize(f.m, f.dev('d64', 64))).toBe(262144);
    const small = poolMachine({ kernel: 'v5.4', dramTop: 0x8000_0000 }); // all DRAM below 2 GiB
    expect(dmaMaxMappingSize(small.m, small.dev('d32', 32))).toBe(Infinity);
  });

  it('v5.0: the function does not exist (SIZE_MAX); without a pool: SIZE_MAX', () => {
    const t = poolMachine({ kernel: 'v5.0', force: true });
    expect(dmaMaxMappingSize(t.m, t.dev('d', 32))).toBe(Infinity);
    const n = poolMachine({ kernel: 'v5.4', pool: false });
    expect(dmaMaxMappingSize(n.m, n.dev('d', 32))).toBe(Infinity);
  });

  it('dma_get_max_seg_size defaults to 64 KiB without dma_parms', () => {
    const t = poolMachine();
    const d = t.dev('d');
    expect(dmaGetMaxSegSize(d)).toBe(65536);
    d.maxSegmentSize = 1 << 20;
    expect(dmaGetMaxSegSize(d)).toBe(1 << 20);
  });
});
