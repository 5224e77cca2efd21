// The behaviour table: every row has a choice for every kernel, and v5.0-rc3 differs from
// v5.0 only where a row says so (today: the VT-d scalable-mode default), so an rc3 run with
// those rows set to v5.0's choice must be the v5.0 run.
import { describe, expect, it } from 'vitest';
import { BEHAVIOURS, KERNEL_VERSIONS, type KernelVersion, changedIn, kernelRelease, sameOnAll } from '../../src/sim/kernel.ts';
import { listScenarios } from '../../src/store/catalog.ts';
import { SCENARIOS, build, loadScenario, runLines } from '../helpers/scenario.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';

describe('the behaviour table', () => {
  it('lists the three kernels oldest first, and every row picks one of its choices for each', () => {
    expect(KERNEL_VERSIONS).toEqual(['v5.0-rc3', 'v5.0', 'v5.4']);
    for (const b of BEHAVIOURS) {
      for (const k of KERNEL_VERSIONS) expect(b.choices, `${b.id} on ${k}`).toContain(b.kernels[k]);
    }
    for (const id of ['intel-map-resource', 'p2pdma-whitelist']) expect(BEHAVIOURS.map((b) => b.id)).toContain(id);
  });

  it('only the VT-d scalable-mode default and the v5.0-rc4 fixes changed between v5.0-rc3 and v5.0.1 (kernel-facts-2 §10, §17)', () => {
    const changed = BEHAVIOURS.filter((b) => b.kernels['v5.0-rc3'] !== b.kernels['v5.0']).map((b) => b.id);
    expect(changed.sort()).toEqual(['amd-detach-flush', 'amd-map-sg-free-iova', 'amd-map-sg-unmap-on-error', 'intel-sm-default']);
  });

  it('changedIn and sameOnAll fill every kernel', () => {
    expect(changedIn('v5.0', 'rc3', 'fixed')).toEqual({ 'v5.0-rc3': 'rc3', 'v5.0': 'fixed', 'v5.4': 'fixed' });
    expect(changedIn('v5.4', 'old', 'new')).toEqual({ 'v5.0-rc3': 'old', 'v5.0': 'old', 'v5.4': 'new' });
    expect(sameOnAll('x')).toEqual({ 'v5.0-rc3': 'x', 'v5.0': 'x', 'v5.4': 'x' });
    expect(kernelRelease('v5.0-rc3')).toBe('v5.0');
  });
});

describe('--kernel v5.0-rc3 on every built-in scenario', () => {
  // The `domain` record names the kernel modelled; with the rows rc3 changed set back to
  // v5.0's choice, nothing else may differ from v5.0.
  const asV50 = Object.fromEntries(BEHAVIOURS.filter((b) => b.kernels['v5.0-rc3'] !== b.kernels['v5.0']).map((b) => [b.id, b.kernels['v5.0']]));
  const norm = (lines: string[]) => lines.map((l) => l.replace('"kernel":"v5.0-rc3"', '"kernel":"v5.0"'));
  for (const e of listScenarios(SCENARIOS)) {
    it(e.name, () => {
      const s = loadScenario(e.file);
      let v50: string[] | Error;
      try {
        v50 = runLines(e.file, { kernel: 'v5.0', maxEvents: 20_000, overrides: s.overrides });
      } catch (err) {
        v50 = err as Error;
      }
      if (v50 instanceof Error) {
        // A v5.4-only scenario (mt8183 needs the mt8183 series) is refused the same way.
        expect(() => buildMachine({ ...s, overrides: { ...s.overrides, ...asV50 } }, { kernel: 'v5.0-rc3' })).toThrow(v50.message);
        return;
      }
      expect(norm(runLines(e.file, { kernel: 'v5.0-rc3', maxEvents: 20_000, overrides: { ...s.overrides, ...asV50 } }))).toEqual(v50);
    });
  }
});

/**
 * Where each choice of each row is shown: a built-in scenario on a kernel, or with the
 * override a what-if run uses. Each of these runs is pinned by a golden in its scenario's
 * test. A new row or choice fails here until it has one.
 */
const SHOWN: Record<string, Record<string, { scenario: string; kernel?: KernelVersion; overrides?: Record<string, string> }>> = {
  'mtk-driver': {
    'pre-mt8183': { scenario: 'mtk-4gb-mode', kernel: 'v5.0' },
    'mt8183-series': { scenario: 'mtk-4gb-mode', kernel: 'v5.4' },
  },
  'v7s-split-blk': {
    kernel: { scenario: 'v7s-split-blk' },
    corrected: { scenario: 'v7s-split-blk', overrides: { 'v7s-split-blk': 'corrected' } },
  },
  'dma-api-debug': {
    off: { scenario: 'dma-mask-bounce' },
    on: { scenario: 'dma-debug-unmap' },
  },
  'dma-max-mapping-size': {
    absent: { scenario: 'swiotlb-virtio-blk-bug' },
    conditional: { scenario: 'swiotlb-virtio-blk-fixed' },
    unconditional: { scenario: 'virtio-blk-segment-cap', overrides: { 'dma-max-mapping-size': 'unconditional' } },
  },
  'virtio-blk-max-segment': {
    unlimited: { scenario: 'swiotlb-virtio-blk-bug' },
    virtio_max_dma_size: { scenario: 'swiotlb-virtio-blk-fixed' },
  },
  'amd-v2-clear-flush-young': {
    present: { scenario: 'amd-v2-young-bit', kernel: 'v5.0' },
    absent: { scenario: 'amd-v2-young-bit', kernel: 'v5.4' },
  },
  'intel-svm-change-pte': {
    present: { scenario: 'intel-svm-change-pte', kernel: 'v5.0' },
    absent: { scenario: 'intel-svm-change-pte', kernel: 'v5.4' },
  },
  'v7s-kmemleak-ignore': {
    'every-table': { scenario: 'v7s-kmemleak' },
    'l2-only': { scenario: 'v7s-kmemleak', kernel: 'v5.4' },
  },
  'dma-iommu-mmap': {
    'insert-page-loop': { scenario: 'dma-mmap-pgoff' },
    vm_insert_range: { scenario: 'dma-mmap-pgoff', overrides: { 'dma-iommu-mmap': 'vm_insert_range' } },
    vm_map_pages: { scenario: 'dma-mmap-pgoff', kernel: 'v5.4' },
  },
  'mmc-queue-bounce': {
    'dma-max-pfn': { scenario: 's3cmci-highmem', kernel: 'v5.0' },
    'high-without-mask': { scenario: 's3cmci-highmem' },
  },
  's3cmci-highmem': {
    sg_virt: { scenario: 's3cmci-highmem' },
    kmap_atomic: { scenario: 's3cmci-highmem', overrides: { 's3cmci-highmem': 'kmap_atomic' } },
  },
  'p2pdma-whitelist': {
    absent: { scenario: 'p2p-acs-redirect', kernel: 'v5.0' },
    present: { scenario: 'p2p-acs-redirect', kernel: 'v5.4' },
  },
  'p2pdma-bus-offset': {
    kernel: { scenario: 'p2p-bus-offset' },
    corrected: { scenario: 'p2p-bus-offset', overrides: { 'p2pdma-bus-offset': 'corrected' } },
  },
  'hmm-range-valid': {
    'range-flag': { scenario: 'hmm-revalidate-race', kernel: 'v5.0' },
    'notifier-count': { scenario: 'hmm-revalidate-race', kernel: 'v5.4' },
    'interval-seq': { scenario: 'hmm-revalidate-race', overrides: { 'hmm-range-valid': 'interval-seq' } },
  },
  'hmm-mirror-unregister': {
    'clears-mm': { scenario: 'hmm-unregister-livelock', kernel: 'v5.0' },
    refcounted: { scenario: 'hmm-unregister-livelock', kernel: 'v5.4' },
  },
  'p2p-vma-rfc': {
    absent: { scenario: 'p2p-vma-vs-struct-page' },
    present: { scenario: 'p2p-vma-vs-struct-page', overrides: { 'p2p-vma-rfc': 'present' } },
  },
  'intel-map-resource': {
    absent: { scenario: 'vtd-map-resource', kernel: 'v5.0' },
    iova: { scenario: 'vtd-map-resource', kernel: 'v5.4' },
  },
  'intel-sm-default': {
    on: { scenario: 'vtd-pasid-did', kernel: 'v5.0-rc3' },
    off: { scenario: 'vtd-pasid-did', kernel: 'v5.0' },
  },
  'intel-pasid-snoop-did': {
    'into-did': { scenario: 'vtd-pasid-did', kernel: 'v5.0' },
    pwsnp: { scenario: 'vtd-pasid-did', kernel: 'v5.4' },
  },
  'intel-pasid-teardown-did': {
    'clear-first': { scenario: 'vtd-pasid-did', kernel: 'v5.0' },
    'read-first': { scenario: 'vtd-pasid-did', kernel: 'v5.4' },
  },
  'dmar-sm-fault-reasons': {
    unknown: { scenario: 'vsva-nested-fault', kernel: 'v5.0' },
    decoded: { scenario: 'vsva-nested-fault', kernel: 'v5.4' },
  },
  'amd-map-sg-unmap-on-error': {
    'first-page': { scenario: 'amd-map-sg-error', kernel: 'v5.0-rc3' },
    'all-mapped': { scenario: 'amd-map-sg-error', kernel: 'v5.0' },
  },
  'amd-map-sg-free-iova': {
    'byte-address': { scenario: 'amd-map-sg-error', kernel: 'v5.0-rc3' },
    pfn: { scenario: 'amd-map-sg-error', kernel: 'v5.0' },
  },
  'amd-detach-flush': {
    'refcount-first': { scenario: 'amd-detach-stale-iotlb', kernel: 'v5.0-rc3' },
    'flush-first': { scenario: 'amd-detach-stale-iotlb', kernel: 'v5.0' },
  },
  'amd-map-sg-error-reason': {
    'no-reason': { scenario: 'amd-map-sg-error', kernel: 'v5.0' },
    reason: { scenario: 'amd-map-sg-error', kernel: 'v5.4' },
  },
  'amd-iova-fail-returns-zero': {
    'map_page+map_sg': { scenario: 'amd-iova-exhausted', kernel: 'v5.0' },
    map_page: { scenario: 'amd-iova-exhausted', kernel: 'v5.4' },
    none: { scenario: 'amd-iova-exhausted', overrides: { 'amd-iova-fail-returns-zero': 'none' } },
  },
  ioasid: {
    absent: { scenario: 'intel-pasid-exhaustion' },
    present: { scenario: 'ioasid-custom-allocator' },
    refcounted: { scenario: 'ioasid-refcount' },
  },
  'vsva-uapi': {
    absent: { scenario: 'intel-pasid-exhaustion' },
    'v5.8': { scenario: 'vsva-guest-invalidate' },
    'v5.10': { scenario: 'uapi-validity' },
  },
  'amd-map-sg-offset': {
    'full-offset': { scenario: 'amd-map-sg-offset', kernel: 'v5.0' },
    'offset-in-page': { scenario: 'amd-map-sg-offset', kernel: 'v5.4' },
  },
};

describe('every choice of every row is shown by a scenario', () => {
  for (const b of BEHAVIOURS) {
    it(b.id, () => {
      expect(Object.keys(SHOWN[b.id] ?? {}).sort(), `scenarios for ${b.id}`).toEqual([...b.choices].sort());
      for (const [choice, run] of Object.entries(SHOWN[b.id])) {
        const { machine: m } = build(run.scenario, { kernel: run.kernel, overrides: run.overrides });
        expect(m.behaviour(b), `${run.scenario} ${run.kernel ?? ''}`).toBe(choice);
      }
    });
  }
});

