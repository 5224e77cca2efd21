// The PRNG is the only source of randomness; a change to it changes every golden trace.
import { describe, expect, it } from 'vitest';
import { chance, intBelow, nextU32, prngFork, prngFromSeed } from '../../../src/sim/core/prng.ts';

/** xoshiro128** written independently with BigInt, as the reference C does it on uint32_t. */
function referenceXoshiro(s: bigint[], n: number): number[] {
  const M = 0xffff_ffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

describe('xoshiro128** seeded by splitmix32', () => {
  it('matches the reference algorithm from state {1,2,3,4}', () => {
    const p = { s: [1, 2, 3, 4] as [number, number, number, number] };
    const got = Array.from({ length: 100 }, () => nextU32(p));
    expect(got[0]).toBe(11520); // rotl(2*5, 7) * 9, by hand
    expect(got).toEqual(referenceXoshiro([1n, 2n, 3n, 4n], 100));
  });

  it('is a pure function of the seed, and forks are independent streams', () => {
    const a = prngFromSeed(42), b = prngFromSeed(42);
    expect(Array.from({ length: 10 }, () => nextU32(a))).toEqual(Array.from({ length: 10 }, () => nextU32(b)));
    const c = prngFork(prngFromSeed(42));
    expect(nextU32(c)).not.toBe(nextU32(prngFromSeed(42)));
    expect(prngFromSeed(0).s.some((x) => x !== 0)).toBe(true);
  });

  it('intBelow is in range and roughly uniform; chance follows its ratio', () => {
    const p = prngFromSeed(5);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[intBelow(p, 6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (chance(p, 1, 4)) hits++;
    expect(Math.abs(hits - 2500)).toBeLessThan(200);
  });
});
