// Goal: the three VMA kinds fault in as the kernel does and the device reaches the right
// physical pages through them: anonymous (zero page on read, COW on write), file-backed
// through the page cache (shared between processes), and a device file whose vm_pgoff
// is the physical frame (a PFN map that reclaim and KSM never touch).
import { describe, expect, it } from 'vitest';
import { mmStatus } from '../../../src/sim/mm/status.ts';
import { runObj, va } from './helpers.ts';

describe('mappings', () => {
  it('a device-file mapping maps vm_pgoff as the frame; reclaim leaves it alone', () => {
    const { m, recs } = runObj({
      processes: [{
        name: 'p',
        vmas: [{ start: va(0), size: '8K', kind: 'device', shared: true, pgoff: 0x90000 }],
        ops: [{ op: 'reclaim', at: '5us', start: va(0), size: '8K' }],
      }],
      devices: [{ kind: 'sva-device', name: 'd', start: '1us', period: '1us', repeat: 8, ops: [{ op: 'write', va: va(1), len: 16 }] }],
      sva: { bindings: [{ device: 'd', process: 'p', iommu: 'intel-svm' }] },
    });
    const dmas = recs.filter((r) => r.kind === 'dma');
    expect(dmas.every((r) => r.result === 'ok' && r.pa === '0x90001000')).toBe(true);
    expect(recs.find((r) => r.kind === 'page-request')).toMatchObject({ fault: 'vmf_insert_pfn', response: 'success' });
    expect(recs.filter((r) => r.kind === 'reclaim')).toEqual([]);
    expect(mmStatus(m)[0].ptes.map((p) => p.pa)).toEqual([0x90001000]);
  });

  it('the device reading an untouched anonymous page gets the zero page; its write then COWs it', () => {
    const { recs } = runObj({
      processes: [{ name: 'p', vmas: [{ start: va(0), size: '4K' }], notifiers: [{ name: 'tracer' }] }],
      devices: [{ kind: 'sva-device', name: 'd', start: '1us', ops: [{ op: 'read', va: va(0), len: 8 }, { op: 'write', va: va(0), len: 8 }] }],
      sva: { bindings: [{ device: 'd', process: 'p', iommu: 'amd-v2' }] },
    });
    const prs = recs.filter((r) => r.kind === 'page-request').map((r) => [r.write, r.fault]);
    expect(prs).toEqual([[false, 'do_anonymous_page(zero page)'], [true, 'wp_page_copy']]);
    const flush = recs.filter((r) => r.kind === 'atc-inval').map((r) => [r.by, r.start, r.dropped]);
    expect(flush).toEqual([['invalidate_range', va(0), 1]]); // ptep_clear_flush_notify, under the PTL
    expect(recs.filter((r) => r.kind === 'coherency-violation')).toEqual([]);
  });

  it('a shared file mapping in two processes maps one page-cache page', () => {
    const vma = { start: va(0), size: '4K', kind: 'file', file: 'shm', shared: true, populate: true };
    const { m } = runObj({ processes: [{ name: 'a', vmas: [vma] }, { name: 'b', vmas: [vma] }] });
    const [a, b] = mmStatus(m);
    expect(a.ptes[0].pa).toBe(b.ptes[0].pa);
    expect(a.ptes[0].write).toBe(true);
  });

  it('a private file mapping reads the page cache and COWs on write', () => {
    const { m, recs } = runObj({ processes: [{
      name: 'p', vmas: [{ start: va(0), size: '4K', kind: 'file', file: 'lib.so', prot: 'rw' }],
      ops: [{ op: 'read', at: 1000, va: va(0) }, { op: 'write', at: 2000, va: va(0) }],
    }] });
    const whys = recs.filter((r) => r.kind === 'cpu-pte').map((r) => r.why);
    expect(whys.slice(0, 3)).toEqual(['do_read_fault', 'ptep_clear_flush_notify', 'set_pte_at_notify']);
    expect(mmStatus(m)[0].ptes[0]).toMatchObject({ write: true, dirty: true });
  });
});
