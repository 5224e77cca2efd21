// Goal: the processes and sva sections reject mistakes with path-precise messages, the
// PASID allocator honours its range and the host (custom) allocator, and the read-only
// views show what the debugger's `info notifiers` and the TUI panels need.
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/load.ts';
import { mmStatus, notifierChains, pasidStatus, svaDevicesStatus } from '../../../src/sim/mm/status.ts';
import { runObj, va } from './helpers.ts';

function problems(obj: Record<string, unknown>): string[] {
  const r = parseScenarioText(JSON.stringify({ version: 1, name: 't', description: 't', memory: { dram: [{ base: '0x80000000', size: '64M' }] }, ...obj }), 't.json');
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
}

const dev = (name = 'd') => ({ kind: 'sva-device', name, ops: [{ op: 'read', va: va(0), len: 64 }] });

describe('scenario checks for processes and sva', () => {
  it('names what is wrong and where', () => {
    expect(problems({
      processes: [{ name: 'p', vmas: [{ start: '0x7f0000000100', size: '4K' }, { start: va(0), size: '8K', kind: 'file' }], ops: [{ op: 'ksm', at: 0, va: va(0), with: { process: 'q', va: va(1) } }] }],
      devices: [dev()],
      sva: { bindings: [{ device: 'dd', process: 'p', iommu: 'amd-v2' }] },
    })).toEqual([
      'processes[0].vmas[0].start: start 0x7f0000000100 is not page aligned (4 KiB)',
      'processes[0].vmas[1].file: a file mapping needs "file"',
      'processes[0].vmas[0]: overlaps vmas[1]',
      'processes[0].ops[0].with.process: no process named "q"',
      'sva.bindings[0].device: no sva-device named "dd"',
      'devices[0]: sva-device "d" has no binding',
    ]);
  });

  it('rejects an unknown iommu kind through the schema', () => {
    const p = problems({ processes: [{ name: 'p' }], devices: [dev()], sva: { bindings: [{ device: 'd', process: 'p', iommu: 'arm-smmu' }] } });
    expect(p.length).toBe(1);
    expect(p[0]).toMatch(/^sva\.bindings\[0\]\.iommu/);
  });
});

describe('PASID allocation (amd-v2: the device driver\'s allocator, the sva.pasid section)', () => {
  const obj = (allocator: string, n: number, iommu = 'amd-v2') => ({
    processes: [{ name: 'p', vmas: [{ start: va(0), size: '4K' }] }],
    devices: Array.from({ length: n }, (_, i) => dev(`d${i}`)),
    sva: {
      pasid: { allocator, native: { min: 1, max: 2 }, host: { min: 0x800, max: 0x801 } },
      bindings: Array.from({ length: n }, (_, i) => ({ device: `d${i}`, process: 'p', iommu })),
    },
  });

  it('the native allocator hands out the lowest free ID and reports ENOSPC past its range', () => {
    const { recs } = runObj(obj('native', 3));
    expect(recs.filter((r) => r.kind === 'pasid').map((r) => [r.pasid, r.allocator, r.result])).toEqual([
      [1, 'native', 'ok'], [2, 'native', 'ok'], [undefined, 'native', 'ENOSPC'],
    ]);
  });

  it('a custom (host) allocator takes over with its own range', () => {
    const { m, recs } = runObj(obj('host', 2));
    expect(recs.filter((r) => r.kind === 'pasid').map((r) => [r.pasid, r.allocator])).toEqual([[0x800, 'host'], [0x801, 'host']]);
    expect(pasidStatus(m)).toEqual({ allocator: 'host', min: 2048, max: 2049, used: [0x800, 0x801] });
  });

  it('exit releases: the IOMMU flushes the whole PASID and the ID is freed', () => {
    // intel-svm allocates from VT-d's IDR (intel_pasid_alloc_id) and gives the PASID back with intel_pasid_free_id.
    const { recs } = runObj({ ...obj('native', 1, 'intel-svm'), processes: [{ name: 'p', vmas: [{ start: va(0), size: '4K' }], ops: [{ op: 'exit', at: '5us' }] }] });
    const tail = recs.filter((r) => r.t === 5000 && ['notifier', 'atc-inval', 'pasid-free'].includes(r.kind)).map((r) => `${r.kind}:${(r.op ?? r.by ?? r.fn) as string}`);
    expect(tail).toEqual(['notifier:release', 'atc-inval:release', 'pasid-free:intel_mm_release']);
    const inval = recs.find((r) => r.kind === 'atc-inval')!;
    expect(inval.iotlbCmd).toBe('QI_EIOTLB(0x6) qw0=0x0000000100010026 qw1=0x0000000000000000');
    expect(inval.atcCmd).toBe('QI_DEIOTLB(0x8) qw0=0x0000000101000108 qw1=0x7ffffffffffff800');
  });
});

describe('status', () => {
  it('list subscribers in call order, VMAs, PTEs with young/dirty, and the ATC', () => {
    const { m } = runObj({
      processes: [{ name: 'p', vmas: [{ start: va(0), size: '8K', fill: 3 }], notifiers: [{ name: 'tracer', ops: ['release'] }] }],
      devices: [{ kind: 'sva-device', name: 'd', start: '1us', ops: [{ op: 'read', va: va(1), len: 64 }] }],
      sva: { bindings: [{ device: 'd', process: 'p', iommu: 'amd-v2', atcEntries: 4 }] },
    }, { kernel: 'v5.0' });
    expect(notifierChains(m)).toEqual([{ mm: 'p', subscribers: [
      { name: 'amd-v2/d', kind: 'amd-v2', ops: ['release', 'clear_flush_young', 'invalidate_range'], pasid: 1, calls: 0 },
      { name: 'tracer', kind: 'passive', ops: ['release'], pasid: -1, calls: 0 },
    ] }]);
    const [mm] = mmStatus(m);
    expect(mm.vmas).toEqual([{ start: 0x7f0000000000, end: 0x7f0000002000, write: true, kind: 'anon', shared: false, file: '', pgoff: 0 }]);
    expect(mm.ptes.map((p) => [p.young, p.dirty, p.write])).toEqual([[true, true, true], [true, true, true]]);
    // x86 PTE: pfn << 12 | _PAGE_PRESENT 0x1 | _PAGE_RW 0x2 | _PAGE_USER 0x4 | _PAGE_ACCESSED 0x20 | _PAGE_DIRTY 0x40.
    expect(mm.ptes.map((p) => p.word)).toEqual(mm.ptes.map((p) => p.pa + 0x67));
    const [sd] = svaDevicesStatus(m);
    expect(sd).toMatchObject({ dev: 'd', iommu: 'amd-v2', mm: 'p', pasid: 1, atcSize: 4, hits: 0, misses: 1 });
    expect(sd.atc).toEqual([{ index: 0, pasid: 1, va: 0x7f0000001000, pa: mm.ptes[1].pa, write: true, lru: 1 }]);
  });
});

describe('unbind and exit with a device still running', () => {
  const base = (ops: Record<string, unknown>[]) => ({
    processes: [{ name: 'p', vmas: [{ start: va(0), size: '4K', fill: 9 }], ops }],
    devices: [{ kind: 'sva-device', name: 'd', start: '1us', period: '1us', repeat: 8, ops: [{ op: 'read', va: va(0), len: 8 }] }],
    sva: { bindings: [{ device: 'd', process: 'p', iommu: 'amd-v2' }] },
  });

  it('unbind: mmu_notifier_unregister calls release, the PASID is freed, later accesses fault', () => {
    const { recs } = runObj(base([{ op: 'unbind', at: '4500ns', device: 'd' }]));
    const rel = recs.find((r) => r.kind === 'notifier' && r.op === 'release')!;
    expect(rel.caller).toBe('mmu_notifier_unregister');
    expect(recs.filter((r) => r.kind === 'pasid').map((r) => r.op)).toEqual(['alloc', 'free']);
    const after = recs.filter((r) => r.kind === 'dma' && r.t > 4500);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.result === 'fault' && r.reason === 'no pasid bound')).toBe(true);
  });

  it('exit: release flushes before the pages go, so the device never reads a freed page', () => {
    const { recs } = runObj(base([{ op: 'exit', at: '4500ns' }]));
    const order = recs.filter((r) => r.t === 4500).map((r) => r.kind);
    expect(order.indexOf('atc-inval')).toBeLessThan(order.indexOf('page-free'));
    expect(recs.filter((r) => r.kind === 'coherency-violation')).toEqual([]);
  });
});
