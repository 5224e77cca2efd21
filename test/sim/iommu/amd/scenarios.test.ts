/**
 * Golden traces of the AMD scenarios on every kernel where they differ, byte for byte
 * (UPDATE_GOLDEN=1 rewrites them; then read the diff). Each case also asserts what its
 * scenario claims, so a regenerated golden cannot silently lose it.
 */
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import type { KernelVersion } from '../../../../src/sim/kernel.ts';
import { expectGolden, linesAfterRestore, loadScenario, runLines } from '../../../helpers/scenario.ts';
import { amdState } from '../../../../src/sim/iommu/amd/state.ts';
import { amdIovaToPhys } from '../../../../src/sim/iommu/amd/pgtable.ts';
import { iovaRanges } from '../../../../src/sim/iommu/iova.ts';

type Rec = Record<string, unknown>;
const recs = (ls: string[]): Rec[] => ls.map((l) => JSON.parse(l) as Rec);
const kinds = (rs: Rec[], k: string) => rs.filter((r) => r.kind === k);

function golden(name: string, kernel: KernelVersion, opts: { overrides?: Record<string, string>; tag?: string } = {}): Rec[] {
  const ls = runLines(name, { kernel, overrides: opts.overrides });
  expectGolden(`${name}${opts.tag ? `.${opts.tag}` : ''}.${kernel}.seed-1.jsonl`, ls);
  return recs(ls);
}

describe('amd-map-sg-error', () => {
  it('v5.0-rc3: pages 1-2 stay mapped and the device can still write page 1; the IOVA is freed by its byte address', () => {
    const r = golden('amd-map-sg-error', 'v5.0-rc3');
    const cleared = kinds(r, 'amd-pte').filter((x) => x.by === 'iommu_unmap_page');
    expect(cleared.map((x) => x.iova)).toEqual(['0xffff8000']);
    expect(kinds(r, 'amd-iova').find((x) => x.op === 'free')).toMatchObject({ pfn: '0xffff8000', pages: 6 });
    const late = kinds(r, 'dma').find((x) => x.addr === '0xffff9000');
    expect(late).toMatchObject({ result: 'ok', pa: '0x80001000' });
    // The leaked range is not handed out again: the next list gets the range below it.
    expect(kinds(r, 'amd-iova').filter((x) => x.op === 'alloc').map((x) => x.pfn)).toEqual(['0xffff8', '0xffff0']);
  });

  it('v5.0: all three mapped pages are unmapped, the IOVA comes back from the range cache, page 1 faults', () => {
    const r = golden('amd-map-sg-error', 'v5.0');
    expect(kinds(r, 'amd-pte').filter((x) => x.by === 'iommu_unmap_page')).toHaveLength(3);
    expect(kinds(r, 'amd-iova').filter((x) => x.op === 'alloc').map((x) => [x.pfn, x.via])).toEqual([['0xffff8', 'tree'], ['0xffff8', 'rcache']]);
    expect(kinds(r, 'dma').find((x) => x.addr === '0xffff9000')).toMatchObject({ result: 'fault' });
    expect(kinds(r, 'klog').map((x) => x.text)).toContain('AMD-Vi: 0000:01:00.0: IOMMU mapping error in map_sg (io-pages: 6)');
  });

  it('v5.4: the error line carries the reason', () => {
    const r = golden('amd-map-sg-error', 'v5.4');
    expect(kinds(r, 'klog').map((x) => x.text)).toContain('e1000e 0000:01:00.0: AMD-Vi: IOMMU mapping error in map_sg (io-pages: 6 reason: -12)');
  });

  it('info-level state after the failure on rc3: the leaked range is still in the tree, page 1 still translates', () => {
    const s0 = loadScenario('amd-map-sg-error');
    const { machine: m } = buildMachine(s0, { kernel: 'v5.0-rc3' });
    while (m.state.now < 2000 && m.step()) {
      /* past the failed map_sg */
    }
    const s = amdState(m);
    const dom = s.domains[s.devs[0].domain];
    expect(iovaRanges(dom.iovad!).some((x) => x.lo === 0xffff8 && x.hi === 0xfffff)).toBe(true);
    expect(amdIovaToPhys(m, dom, 0xffff9000)).toBe(0x8000_1000);
    expect(amdIovaToPhys(m, dom, 0xffff8000)).toBe(0);
  });
});

describe('amd-detach-stale-iotlb', () => {
  it('v5.0-rc3: iommu1 keeps the entry; the unmap flush skips it; the finding names the detach', () => {
    const r = golden('amd-detach-stale-iotlb', 'v5.0-rc3');
    const f = kinds(r, 'stale-tlb');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ iommu: 'iommu1', found: 'flush', iova: '0x100000', cachedPa: '0x80000000', domid: 3 });
    const cause = r.find((x) => x.seq === f[0].cause)!;
    expect(cause).toMatchObject({ kind: 'amd-dev', op: 'detach', dev: 'nic1', domain: 'vfio0', devIommu: '1,0' });
    // The unmap's INVALIDATE_IOMMU_PAGES went to iommu0 only.
    const unmapAt = kinds(r, 'unmap').find((x) => x.api === 'iommu_unmap')!.t;
    expect(new Set(kinds(r, 'amd-cmd').filter((x) => x.t === unmapAt && x.cmd === 'INVALIDATE_IOMMU_PAGES').map((x) => x.iommu))).toEqual(new Set(['iommu0']));
    // Re-attaching flushes the domain on iommu1 (attach_device's domain_flush_tlb_pde): the entry goes.
    expect(kinds(r, 'iotlb-inval').find((x) => x.iommu === 'iommu1' && x.domid === 3 && x.dropped === 1)).toBeDefined();
  });

  it('v5.0: detach flushes the domain on iommu1 before the count drops; no finding', () => {
    const r = golden('amd-detach-stale-iotlb', 'v5.0');
    expect(kinds(r, 'stale-tlb')).toHaveLength(0);
    const detachAt = kinds(r, 'amd-dev').filter((x) => x.op === 'detach' && x.domain === 'vfio0')[0].seq as number;
    const inval = kinds(r, 'iotlb-inval').filter((x) => x.iommu === 'iommu1' && x.domid === 3 && (x.seq as number) < detachAt);
    expect(inval.at(-1)).toMatchObject({ dropped: 1 });
  });
});

describe('amd-lazy-flush-window', () => {
  it('lazy: the device writes through the unmapped IOVA until the 10 ms flush, then faults', () => {
    const r = golden('amd-lazy-flush-window', 'v5.4');
    const stale = kinds(r, 'stale-tlb');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({ found: 'access', dev: 'nic0', iova: '0xfffff000' });
    expect(kinds(r, 'amd-iova').find((x) => x.op === 'flush')).toMatchObject({ why: 'timer', freed: 1, waitedNs: 10_000_000 });
    const writes = kinds(r, 'dma').filter((x) => x.dir === 'write');
    expect(writes.map((x) => x.result)).toEqual(['ok', 'ok', 'ok', 'fault']);
  });

  it('amd_iommu=fullflush closes the window: the first access after dma_unmap faults', () => {
    const s = loadScenario('amd-lazy-flush-window');
    const { machine: m } = buildMachine({ ...s, amd: { ...s.amd!, fullflush: true } });
    while (m.step()) {
      /* run */
    }
    const ls = Array.from({ length: m.trace.count }, (_, i) => m.trace.line(i));
    expectGolden('amd-lazy-flush-window.fullflush.v5.4.seed-1.jsonl', ls);
    const r = recs(ls);
    expect(kinds(r, 'stale-tlb')).toHaveLength(0);
    expect(kinds(r, 'dma').filter((x) => x.dir === 'write').map((x) => x.result)).toEqual(['ok', 'fault', 'fault', 'fault']);
    expect(kinds(r, 'klog')[0].text).toBe('AMD-Vi: IO/TLB flush on unmap enabled');
  });
});

describe('amd-iova-exhausted', () => {
  it('v5.0: map_page returns 0 as success, the device writes IOVA 0; map_sg maps over a live mapping', () => {
    const r = golden('amd-iova-exhausted', 'v5.0');
    const zero = kinds(r, 'map').find((x) => x.iova === '0x0' && x.api === 'dma_map_single');
    expect(zero).toMatchObject({ result: 'ok' });
    expect(kinds(r, 'dma-mismatch').map((x) => [x.addr, x.reached])).toEqual([['0x0', null], ['0x1000', '0x80011000']]);
    expect(kinds(r, 'map').filter((x) => x.api === 'dma_map_sg').map((x) => x.iova)).toEqual(['0x0', '0x1000']);
    expect(kinds(r, 'amd-event')[0]).toMatchObject({ type: 'IO_PAGE_FAULT', address: '0x0' });
  });

  it('v5.4: map_sg sees the failure; map_page still returns 0', () => {
    const r = golden('amd-iova-exhausted', 'v5.4');
    expect(kinds(r, 'map').find((x) => x.api === 'dma_map_sg')).toMatchObject({ result: 'error' });
    expect(kinds(r, 'dma-mismatch').map((x) => x.addr)).toEqual(['0x0']);
  });

  it('what-if "none": map_page returns DMA_MAPPING_ERROR and the driver never hands out 0', () => {
    const r = golden('amd-iova-exhausted', 'v5.0', { overrides: { 'amd-iova-fail-returns-zero': 'none' }, tag: 'none' });
    expect(kinds(r, 'map').filter((x) => x.iova === '0x0')).toHaveLength(0);
    expect(kinds(r, 'dma-mismatch')).toHaveLength(0);
  });
});

describe('amd-map-sg-offset', () => {
  it('v5.0: s->offset >= 4096 puts the DMA address a page past the buffer', () => {
    const r = golden('amd-map-sg-offset', 'v5.0');
    expect(kinds(r, 'map').map((x) => x.iova)).toEqual(['0xfffff100', '0x100001100']);
    expect(kinds(r, 'dma-mismatch')).toHaveLength(2);
  });

  it('v5.4: only offset & ~PAGE_MASK is added', () => {
    const r = golden('amd-map-sg-offset', 'v5.4');
    expect(kinds(r, 'map').map((x) => x.iova)).toEqual(['0xffffe100', '0xfffff100']);
    expect(kinds(r, 'dma-mismatch')).toHaveLength(0);
  });
});

describe('AMD scenarios replay through a checkpoint', () => {
  for (const [name, kernel] of [['amd-detach-stale-iotlb', 'v5.0-rc3'], ['amd-lazy-flush-window', 'v5.4'], ['amd-iova-exhausted', 'v5.0']] as const) {
    it(`${name} ${kernel}`, () => {
      const whole = runLines(name, { kernel });
      for (const k of [1, 3, 6]) expect(linesAfterRestore(name, k, { kernel })).toEqual(whole);
    });
  }
});
