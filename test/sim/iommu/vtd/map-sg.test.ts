/**
 * intel_map_sg / intel_unmap_sg (drivers/iommu/intel-iommu.c, v5.0.1 = v5.4.1), by hand:
 * size = sum of aligned_nrpages(sg->offset, sg->length) over the list, one IOVA range from
 * intel_alloc_iova (rounded up to a power of two), __domain_mapping lays the entries out
 * back to back (sg->dma_address = iov_pfn << 12 + offset in page; iov_pfn advances by each
 * entry's pages). intel_unmap_sg unmaps from the first entry's page for the sum of
 * aligned_nrpages(dma_address, dma_length): one page-selective flush with
 * mask = ilog2(roundup_pow_of_two(pages)).
 */
import { describe, expect, it } from 'vitest';
import { Scenario } from '../../../../src/scenario/schema/index.ts';
import { buildMachine } from '../../../../src/scenario/build/index.ts';

function run(kernel: 'v5.0' | 'v5.4') {
  const s = Scenario.parse({
    version: 1,
    name: 'sg',
    description: 'map_sg through VT-d',
    kernel,
    memory: { dram: [{ base: '0x10000000', size: '256M' }], buffers: [{ name: 'b', size: '64K', addr: '0x10100000' }] },
    vtd: { cmdline: 'strict' },
    devices: [
      {
        kind: 'bus-master', name: 'nic0', bdf: '00:03.0', dmaMask: 64,
        ops: [
          // Three 6 KiB entries 8 KiB apart, each 0x200 into its page: 0x200 + 0x1800 = 0x1a00 bytes,
          // 2 pages each.
          { op: 'map', handle: 's', buf: 'b', offset: '0x200', len: '0x1800', count: 3, stride: '8K', dir: 'to-device', api: 'sg' },
          { op: 'unmap', handle: 's' },
        ],
      },
    ],
  });
  const m = buildMachine(s).machine;
  while (m.step()) {
    /* run */
  }
  return Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as Record<string, unknown>);
}

describe('intel_map_sg', () => {
  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`one IOVA range, entries back to back, one PSI flush at unmap (${kernel})`, () => {
      const rs = run(kernel);
      // 6 pages -> 8: align(0x100000 - 8, 8) = 0xffff8. Entry i starts 2 pages after entry i-1.
      expect(rs.filter((r) => r.kind === 'map' && r.api === 'dma_map_sg').map((r) => [r.iova, r.pa])).toEqual([
        ['0xffff8200', '0x10100200'],
        ['0xffffa200', '0x10102200'],
        ['0xffffc200', '0x10104200'],
      ]);
      // Six 4 KiB leaves, read-only (to-device, no ZLR), each at its entry's page.
      const leaves = rs.filter((r) => r.kind === 'pte' && r.level === 1 && r.new !== '0x0000000000000000').map((r) => [r.iova, r.new]);
      expect(leaves).toEqual([
        ['0xffff8000', '0x0000000010100001'], ['0xffff9000', '0x0000000010101001'],
        ['0xffffa000', '0x0000000010102001'], ['0xffffb000', '0x0000000010103001'],
        ['0xffffc000', '0x0000000010104001'], ['0xffffd000', '0x0000000010105001'],
      ]);
      // Unmap: from 0xffff8000 for 2 + 2 + 2 pages; mask ilog2(8) = 3.
      expect(rs.find((r) => r.kind === 'unmap' && r.api === 'dma_unmap_sg')).toMatchObject({ iova: '0xffff8000', size: 6 * 4096 });
      expect(rs.filter((r) => r.kind === 'iotlb-inval' && r.gran === 'page')).toMatchObject([{ start: '0xffff8000', end: '0x100000000', am: 3 }]);
    });
  }
});
