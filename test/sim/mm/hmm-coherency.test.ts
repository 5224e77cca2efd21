// Goal: the coherency checker over HMM device page tables is a breakpoint users can trust.
// Method: seeded random mm operations (munmap, mprotect, fork + COW writes, mremap, reclaim,
// CPU writes) against a GPU mirroring the process and touching random pages. With v5.0's
// range flag or the interval-sequence check no violation ever happens (every device PTE is
// cleared by sync_cpu_device_pagetables before the CPU PTE changes, and a snapshot an
// invalidation hit is never committed). On v5.4 (notifier-count) every violation reported
// is explained by the revalidation window: the CPU PTE change it names lies between the
// snapshot (hmm-fault) and the commit (dev-pte) of the entry it used — and some seeds hit it.
import { describe, expect, it } from 'vitest';
import { intBelow, prngFromSeed, type Prng } from '../../../src/sim/core/prng.ts';
import { type Rec, runObj } from './helpers.ts';

const A = 0x7f0000000000;
const hex = (n: number) => '0x' + n.toString(16);
const pick = <T>(p: Prng, xs: readonly T[]): T => xs[intBelow(p, xs.length)];

function randomOp(p: Prng, at: number, n: number): Record<string, unknown> {
  const page = hex(A + 4096 * intBelow(p, 8));
  switch (intBelow(p, 7)) {
    case 0: return { op: 'munmap', at, start: page, size: '4K' };
    case 1: return { op: 'mprotect', at, start: hex(A), size: '32K', prot: pick(p, ['r', 'rw']) };
    case 2: return { op: 'fork', at, child: `c${n}` };
    case 3: return { op: 'mremap', at, start: page, oldSize: '4K', newSize: '4K', newStart: hex(A + 0x200000 + 4096 * n) };
    case 4: return { op: 'reclaim', at, start: hex(A), size: '32K' };
    default: return { op: 'write', at, va: page, pattern: intBelow(p, 256) };
  }
}

function scenario(seed: number) {
  const p = prngFromSeed(seed);
  const mm = [];
  for (let i = 0, t = 2000; i < 14; i++) {
    t += 500 + intBelow(p, 3000);
    mm.push(randomOp(p, t, i));
  }
  const gpu = [{ op: 'hmm-mirror', process: 'app' }];
  for (let i = 0; i < 16; i++) {
    gpu.push({ op: 'hmm-access', va: hex(A + 4096 * intBelow(p, 8)), len: 64, dir: pick(p, ['read', 'write']) } as never);
    gpu.push({ op: 'delay', ns: 1000, jitter: 2000 } as never);
  }
  return {
    seed,
    processes: [{ name: 'app', vmas: [{ start: hex(A), size: '32K', fill: 7 }], ops: mm }],
    devices: [{ kind: 'pci-endpoint', name: 'gpu0', commitDelay: 100, commitJitter: 900, ops: gpu }],
  };
}

const violations = (rs: Rec[]) => rs.filter((r) => r.kind === 'coherency-violation');

describe('coherency of HMM device page tables under random mm operations', () => {
  it('v5.0 and interval-seq: never a violation; v5.4: only ones the revalidation window explains', () => {
    let explained = 0;
    let accesses = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const obj = scenario(seed);
      expect(violations(runObj(obj, { kernel: 'v5.0' }).recs), `seed ${seed} v5.0`).toEqual([]);
      expect(violations(runObj({ ...obj, overrides: { 'hmm-range-valid': 'interval-seq' } }, { kernel: 'v5.4' }).recs), `seed ${seed} interval-seq`).toEqual([]);
      const rs = runObj({ ...obj, kernel: 'v5.4' }, { kernel: 'v5.4' }).recs;
      accesses += rs.filter((r) => r.kind === 'dev-access').length;
      for (const v of violations(rs)) {
        const fill = rs[v.filledBy as number];
        expect(fill.kind, `seed ${seed}`).toBe('dev-pte');
        const snap = rs.filter((r) => r.kind === 'hmm-fault' && r.seq < fill.seq && (r.start as string) <= (v.va as string)).at(-1)!;
        expect(snap.seq, `seed ${seed}`).toBeLessThan(v.changedBy as number);
        expect(v.changedBy as number, `seed ${seed}`).toBeLessThan(fill.seq);
        explained++;
      }
    }
    expect(accesses).toBeGreaterThan(200);
    expect(explained).toBeGreaterThan(0);
  });
});
