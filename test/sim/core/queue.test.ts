// The scheduler's order is (time, priority, push order); any other order breaks replay.
import { describe, expect, it } from 'vitest';
import { queueCreate, queuePop, queuePush } from '../../../src/sim/core/queue.ts';
import { intBelow, prngFromSeed } from '../../../src/sim/core/prng.ts';

describe('event queue', () => {
  it('pops in (t, prio, seq) order for random pushes and interleaved pops, across growth', () => {
    for (let seed = 0; seed < 20; seed++) {
      const p = prngFromSeed(seed);
      const q = queueCreate(4);
      const ref: { t: number; prio: number; seq: number; a: number }[] = [];
      let now = 0;
      for (let i = 0; i < 2000; i++) {
        if (intBelow(p, 3) > 0 || ref.length === 0) {
          const t = now + intBelow(p, 50), prio = intBelow(p, 4);
          const seq = queuePush(q, t, prio, 0, i);
          ref.push({ t, prio, seq, a: i });
        } else {
          ref.sort((x, y) => x.t - y.t || x.prio - y.prio || x.seq - y.seq);
          const want = ref.shift()!;
          const slot = queuePop(q);
          expect([q.t[slot], q.a[slot]]).toEqual([want.t, want.a]);
          now = want.t;
        }
      }
      expect(q.size).toBe(ref.length);
    }
  });

  it('reports empty', () => {
    expect(queuePop(queueCreate(2))).toBe(-1);
  });
});
