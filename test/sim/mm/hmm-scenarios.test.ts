// Goal: the HMM scenarios show what they claim on each kernel (goldens per kernel), and the
// two races behave as mm/hmm.c says for every seed, not just the one in the file:
// - v5.4 notifiers_decrement sets every range valid again when the last invalidation ends,
//   so a munmap wholly between hmm_range_fault and hmm_range_valid is missed; v5.0's
//   range->valid stays false until hmm_vma_range_done; "interval-seq" catches it too;
// - v5.0 hmm_mirror_unregister clears hmm->mm with a mirror left: a later register loops
//   (mmap_sem held for write, the process's next munmap blocks), the last unregister leaks.
import { describe, expect, it } from 'vitest';
import { expectGolden, linesAfterRestore, runLines } from '../../helpers/scenario.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';

type R = Record<string, unknown>;
const recs = (ls: string[]): R[] => ls.map((l) => JSON.parse(l) as R);
const kinds = (rs: R[], kind: string) => rs.filter((r) => r.kind === kind);

describe('hmm-mirror-munmap', () => {
  for (const k of ['v5.0', 'v5.4'] as const) {
    it(`${k}: the device PTEs go before the CPU PTEs and the pages; the hole faults and is cancelled; no violation`, () => {
      const ls = runLines('hmm-mirror-munmap', { kernel: k });
      expectGolden(`hmm-mirror-munmap.${k}.seed-1.jsonl`, ls);
      const rs = recs(ls);
      const at = (pred: (r: R) => boolean) => rs.findIndex(pred);
      const cleared = at((r) => r.kind === 'dev-pte' && r.why === 'sync_cpu_device_pagetables');
      expect(cleared).toBeGreaterThan(0);
      expect(cleared).toBeLessThan(at((r) => r.kind === 'cpu-pte' && r.why === 'zap_pte_range'));
      expect(cleared).toBeLessThan(at((r) => r.kind === 'page-free'));
      expect(kinds(rs, 'coherency-violation')).toEqual([]);
      // The second pass reads 6 pages; the two in the hole fault and are cancelled.
      expect(kinds(rs, 'dev-access').length).toBe(8 + 6);
      const after = kinds(rs, 'hmm-fault').filter((r) => (r.t as number) > 20_000);
      // v5.0: the range is outside any VMA (-EINVAL); v5.4: hmm_range_fault's discarded first
      // walk leaves values[ERROR] in the hole, the second walk then asks nothing and returns 1
      // page with values[NONE]: the driver cancels the fault on the missing VALID bit.
      expect(after.map((r) => [r.ret, r.pfns])).toEqual(k === 'v5.0' ? [[-22, '0x1'], [-22, '0x1']] : [[1, '0x0'], [1, '0x0']]);
    });
  }
});

/** Where the munmap fell relative to the GPU driver's two steps. */
function window(rs: R[]) {
  const munmap = kinds(rs, 'mm').find((r) => r.op === 'munmap')!.t as number;
  const snap = kinds(rs, 'hmm-fault')[0].t as number;
  const check = rs.find((r) => r.kind === 'hmm' && (r.op === 'hmm_range_valid' || r.op === 'hmm_vma_range_done'))!.t as number;
  return { inside: snap < munmap && munmap < check };
}

describe('hmm-revalidate-race', () => {
  it('goldens: v5.4 commits the stale snapshot (seed 2); v5.0 and interval-seq catch it', () => {
    const v54 = runLines('hmm-revalidate-race', { kernel: 'v5.4' });
    const v50 = runLines('hmm-revalidate-race', { kernel: 'v5.0' });
    const seq = runLines('hmm-revalidate-race', { kernel: 'v5.4', overrides: { 'hmm-range-valid': 'interval-seq' } });
    expectGolden('hmm-revalidate-race.v5.4.seed-2.jsonl', v54);
    expectGolden('hmm-revalidate-race.v5.0.seed-2.jsonl', v50);
    expectGolden('hmm-revalidate-race.interval-seq.v5.4.seed-2.jsonl', seq);
    const r54 = recs(v54);
    const v = kinds(r54, 'coherency-violation');
    expect(v).toHaveLength(1);
    const free = r54.find((r) => r.kind === 'page-free')!;
    expect(v[0]).toMatchObject({ dev: 'gpu0', va: '0x7f0000003000', stale: `${free.pa} rw`.replace(/^/, 'pa='), current: 'none (pte 0x0)' });
    // The freed page goes to the next mmap: the GPU then reads someone else's data.
    const reuse = r54.find((r) => r.kind === 'cpu-pte' && r.va === '0x7f0000100000')!;
    expect(reuse.new).toBe('0x80003067');
    const reads = kinds(r54, 'dev-access');
    expect(reads.length).toBe(2);
    expect(reads[0].sum).not.toBe(reads[1].sum);
    expect(kinds(recs(v50), 'coherency-violation')).toEqual([]);
    expect(kinds(recs(seq), 'coherency-violation')).toEqual([]);
    expect(recs(v50).find((r) => r.kind === 'hmm' && r.op === 'hmm_vma_range_done')!.valid).toBe(false);
  });

  it('for 16 seeds: v5.4 commits stale exactly when the munmap falls in the window; v5.0 and interval-seq never', () => {
    let hits = 0;
    for (let seed = 1; seed <= 16; seed++) {
      const r54 = recs(runLines('hmm-revalidate-race', { seed, kernel: 'v5.4' }));
      const inside = window(r54).inside;
      hits += inside ? 1 : 0;
      expect(kinds(r54, 'coherency-violation').length, `seed ${seed}`).toBe(inside ? 1 : 0);
      for (const opts of [{ kernel: 'v5.0' as KernelVersion }, { kernel: 'v5.4' as KernelVersion, overrides: { 'hmm-range-valid': 'interval-seq' } }]) {
        const rs = recs(runLines('hmm-revalidate-race', { seed, ...opts }));
        expect(kinds(rs, 'coherency-violation'), `seed ${seed} ${JSON.stringify(opts)}`).toEqual([]);
      }
    }
    expect(hits).toBeGreaterThan(3);
    expect(hits).toBeLessThan(16);
    expect(window(recs(runLines('hmm-revalidate-race', { seed: 1 }))).inside).toBe(false);
  });

  it('replays to the same trace after a snapshot restore (device page tables and pfn arrays survive it)', () => {
    expect(linesAfterRestore('hmm-revalidate-race', 5)).toEqual(runLines('hmm-revalidate-race'));
  });
});

describe('hmm-unregister-livelock', () => {
  it('v5.0 seed 1: the third register spins, the munmap blocks on mmap_sem, the last unregister leaks the notifier', () => {
    const ls = runLines('hmm-unregister-livelock', { kernel: 'v5.0' });
    expectGolden('hmm-unregister-livelock.v5.0.seed-1.jsonl', ls);
    const rs = recs(ls);
    const h = kinds(rs, 'hmm').map((r) => `${r.op} ${r.mirror}: ${r.result}`);
    expect(h).toEqual([
      'hmm_mirror_register gpu0: 1 mirror(s)',
      'hmm_mirror_register gpu1: 2 mirror(s)',
      'hmm_vma_range_done gpu1: undefined',
      'hmm_mirror_unregister gpu0: hmm->mm = NULL with 1 mirror(s) left',
      expect.stringMatching(/^hmm_mirror_register gpu2: livelock: /),
      'hmm_mirror_unregister gpu1: hmm->mm was NULL: returns without mmu_notifier_unregister_no_release (notifier and struct hmm leaked)',
    ]);
    expect(kinds(rs, 'mm').find((r) => r.op === 'munmap')!.result).toBe('blocked: mmap_sem held for write by gpu2 in hmm_mirror_register');
    expect(kinds(rs, 'dev-done').map((r) => r.dev)).toEqual(['gpu0', 'gpu1']); // gpu2 never returns
  });

  it('v5.4: refcounted struct hmm, no livelock, the munmap reaches the remaining mirror', () => {
    const ls = runLines('hmm-unregister-livelock', { kernel: 'v5.4' });
    expectGolden('hmm-unregister-livelock.v5.4.seed-1.jsonl', ls);
    const rs = recs(ls);
    expect(kinds(rs, 'hmm').some((r) => String(r.result).startsWith('livelock'))).toBe(false);
    expect(kinds(rs, 'hmm-sync').map((r) => r.mirror)).toEqual(['gpu2']);
    expect(kinds(rs, 'dev-done').map((r) => r.dev)).toEqual(['gpu0', 'gpu2', 'gpu1']);
  });

  it('for 12 seeds on v5.0: the livelock happens exactly when gpu0 unregisters before gpu2 registers', () => {
    let hits = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const rs = recs(runLines('hmm-unregister-livelock', { seed, kernel: 'v5.0' }));
      const t = (mirror: string, op: string) => kinds(rs, 'hmm').find((r) => r.mirror === mirror && r.op === op)!.t as number;
      const before = t('gpu0', 'hmm_mirror_unregister') < t('gpu2', 'hmm_mirror_register');
      hits += before ? 1 : 0;
      expect(kinds(rs, 'hmm').some((r) => String(r.result).startsWith('livelock')), `seed ${seed}`).toBe(before);
    }
    expect(hits).toBeGreaterThan(2);
    expect(hits).toBeLessThan(12);
  });
});
