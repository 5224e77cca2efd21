// Goal: the coherency checker is a breakpoint users can trust. Method: seeded random mm
// operations (munmap, mprotect, mremap, fork + COW writes, KSM, aging, reclaim, page_idle,
// OOM reap, CPU writes) interleaved with a device streaming through its ATC, on both
// IOMMUs and both kernels: a correct subscriber never yields a violation; the same runs
// with invalidate_range's flush removed are caught, naming the PTE change responsible.
import { describe, expect, it } from 'vitest';
import { intBelow, prngFromSeed, type Prng } from '../../../src/sim/core/prng.ts';
import { type Rec, runObj } from './helpers.ts';

const A = 0x7f0000000000; // anon, 32K
const F = 0x7f0000100000; // private file, 16K
const hex = (n: number) => '0x' + n.toString(16);

function pick<T>(p: Prng, xs: readonly T[]): T {
  return xs[intBelow(p, xs.length)];
}

function randomPage(p: Prng): number {
  return intBelow(p, 3) === 0 ? F + 4096 * intBelow(p, 4) : A + 4096 * intBelow(p, 8);
}

function randomOp(p: Prng, at: number, n: number): Record<string, unknown> {
  const page = randomPage(p);
  switch (intBelow(p, 11)) {
    case 0: return { op: 'munmap', at, start: hex(page), size: '4K' };
    case 1: return { op: 'mprotect', at, start: hex(A), size: '16K', prot: pick(p, ['r', 'rw']) };
    case 2: return { op: 'mremap', at, start: hex(page), oldSize: '4K', newSize: '4K', newStart: hex(A + 0x200000 + 4096 * n) };
    case 3: return { op: 'fork', at, child: `c${n}` };
    case 4: return { op: 'write', at, va: hex(page), pattern: intBelow(p, 2) };
    case 5: return { op: 'ksm', at, va: hex(A + 4096 * intBelow(p, 8)), with: { va: hex(A + 4096 * intBelow(p, 8)) } };
    case 6: return { op: 'age', at, start: hex(A), size: '32K' };
    case 7: return { op: 'reclaim', at, start: hex(pick(p, [A, F])), size: '16K' };
    case 8: return { op: 'page-idle', at, start: hex(A), size: '32K' };
    case 9: return { op: 'mprotect', at, start: hex(F), size: '16K', prot: pick(p, ['r', 'rw']) };
    default: return { op: 'read', at, va: hex(page) };
  }
}

function randomScenario(seed: number, omit: boolean): { obj: Record<string, unknown>; kernel: 'v5.0' | 'v5.4' } {
  const p = prngFromSeed(seed);
  const ops = [];
  for (let i = 0, t = 3000; i < 25; i++) {
    t += 1000 + intBelow(p, 4000);
    ops.push(randomOp(p, t, i));
  }
  if (intBelow(p, 4) === 0) ops.push({ op: 'oom-reap', at: 95_000 });
  const devOps = [];
  for (let i = 0; i < 6; i++) {
    const va = hex(randomPage(p));
    devOps.push(intBelow(p, 3) === 0 ? { op: 'write', va, len: 64 } : { op: 'read', va, len: 64 });
  }
  const iommu = pick(p, ['amd-v2', 'intel-svm']);
  const obj = {
    seed,
    processes: [{
      name: 'p',
      vmas: [
        { start: hex(A), size: '32K', fill: intBelow(p, 2) },
        { start: hex(F), size: '16K', kind: 'file', file: 'data.bin', populate: true },
      ],
      ops,
    }],
    devices: [{ kind: 'sva-device', name: 'dev0', start: '2us', period: '300ns', jitter: '400ns', repeat: 250, ops: devOps }],
    sva: { bindings: [{ device: 'dev0', process: 'p', iommu, atcEntries: pick(p, [2, 4, 32]), subscriber: { omitInvalidateRange: omit } }] },
  };
  return { obj, kernel: pick(p, ['v5.0', 'v5.4'] as const) };
}

const violations = (recs: Rec[]) => recs.filter((r) => r.kind === 'coherency-violation');

describe('coherency checker', () => {
  it('never fires on a correct subscriber: 60 seeded random runs', () => {
    let hits = 0, requests = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { obj, kernel } = randomScenario(seed, false);
      const { recs } = runObj(obj, { kernel });
      expect(violations(recs), `rerun: randomScenario(${seed}, false) on ${kernel}`).toEqual([]);
      hits += recs.filter((r) => r.kind === 'dma' && r.atc === 'hit').length;
      requests += recs.filter((r) => r.kind === 'page-request').length;
    }
    // The runs must exercise the ATC and the fault path, or they prove little.
    expect(hits).toBeGreaterThan(1000);
    expect(requests).toBeGreaterThan(50);
  });

  it('catches a subscriber whose invalidate_range does not flush', () => {
    let caught = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { obj, kernel } = randomScenario(seed, true);
      const { recs } = runObj(obj, { kernel });
      const v = violations(recs);
      if (v.length === 0) continue;
      caught++;
      const cause = recs[v[0].changedBy as number];
      expect(cause.kind).toBe('cpu-pte');
      expect(cause.va).toBe(v[0].va);
    }
    // Not every run can be caught: a run whose device pages no operation changed, or where
    // v5.0 change_pte / clear_flush_young flushed the same page, is correct by accident.
    expect(caught).toBeGreaterThanOrEqual(30);
  });

  it('sva-munmap without the flush: the device reads a freed page, and the checker names zap_pte_range', () => {
    const { recs } = runObj({
      processes: [{ name: 'app', vmas: [{ start: hex(A), size: '16K', fill: 7 }], ops: [{ op: 'munmap', at: '10us', start: hex(A + 4096), size: '4K' }] }],
      devices: [{ kind: 'sva-device', name: 'd', start: '1us', period: '1us', repeat: 15, ops: [{ op: 'read', va: hex(A + 4096), len: 64 }] }],
      sva: { bindings: [{ device: 'd', process: 'app', iommu: 'amd-v2', subscriber: { omitInvalidateRange: true } }] },
    });
    const v = violations(recs);
    expect(v.length).toBeGreaterThan(0);
    expect(v[0]).toMatchObject({ dev: 'd', va: hex(A + 4096), current: 'none (pte 0x0)' });
    expect(recs[v[0].changedBy as number]).toMatchObject({ kind: 'cpu-pte', why: 'zap_pte_range' });
  });
});
