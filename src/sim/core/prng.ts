/**
 * xoshiro128** (Blackman & Vigna, 2018) seeded through splitmix32.
 * The state is four plain u32 numbers so it is snapshotted with the machine.
 */
export interface Prng {
  s: [number, number, number, number];
}

/** splitmix32: spreads one 32-bit seed over the 128-bit xoshiro state. */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) >>> 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export function prngFromSeed(seed: number): Prng {
  const st = { x: seed >>> 0 };
  const s: Prng['s'] = [splitmix32(st), splitmix32(st), splitmix32(st), splitmix32(st)];
  // xoshiro's state must not be all zero.
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return { s };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export function nextU32(p: Prng): number {
  const s = p.s;
  const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] = (s[2] ^ s[0]) >>> 0;
  s[3] = (s[3] ^ s[1]) >>> 0;
  s[1] = (s[1] ^ s[2]) >>> 0;
  s[0] = (s[0] ^ s[3]) >>> 0;
  s[2] = (s[2] ^ t) >>> 0;
  s[3] = rotl(s[3], 11);
  return result;
}

/** Uniform integer in [0, n), without modulo bias (Lemire's rejection on 32 bits). */
export function intBelow(p: Prng, n: number): number {
  if (!(n > 0 && n <= 0x1_0000_0000 && Number.isInteger(n))) {
    throw new RangeError(`intBelow: bad bound ${n}`);
  }
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
  for (;;) {
    const x = nextU32(p);
    if (x < limit) return x % n;
  }
}

/** Uniform integer in [lo, hi] inclusive. */
export function intBetween(p: Prng, lo: number, hi: number): number {
  return lo + intBelow(p, hi - lo + 1);
}

/** True with probability num/den; integer arithmetic only, no floats in sim/. */
export function chance(p: Prng, num: number, den: number): boolean {
  return intBelow(p, den) < num;
}

/** A child stream for one model, so adding a model leaves the others' draws unchanged. */
export function prngFork(parent: Prng): Prng {
  return prngFromSeed(nextU32(parent));
}
