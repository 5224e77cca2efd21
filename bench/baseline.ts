/**
 * The yardsticks issue 19 quotes ratios against, measured in the same process run as the
 * model figures: a bare-JS two-level page walk (the shape of ARM v7s: 4096 level-1 words,
 * 256-entry level-2 tables, typed arrays, no records, no checks) and a bare TLB hit (64
 * entries in parallel typed arrays, linear lookup, the entry found early). Cached, so the
 * rows that quote them measure them once.
 */
import { rate } from './harness.ts';
import { prngFromSeed, nextU32 } from '../src/sim/core/prng.ts';

function bareWalk(): number {
  const l1 = new Uint32Array(4096);
  const l2 = new Uint32Array(256 * 64);
  // 64 level-2 tables under the first 64 MiB, every 4 KiB page mapped.
  for (let t = 0; t < 64; t++) {
    l1[t] = (t << 10) | 1;
    for (let i = 0; i < 256; i++) l2[t * 256 + i] = ((0x40000 + t * 256 + i) << 12) | 2;
  }
  const p = prngFromSeed(9);
  const iovas = new Uint32Array(4096);
  for (let i = 0; i < iovas.length; i++) iovas[i] = nextU32(p) % (64 << 20);
  let sink = 0;
  const r = rate(() => {
    for (let i = 0; i < iovas.length; i++) {
      const iova = iovas[i];
      const d1 = l1[iova >>> 20];
      if ((d1 & 3) !== 1) continue;
      const d2 = l2[((d1 >>> 10) << 8) | ((iova >>> 12) & 255)];
      if ((d2 & 2) === 0) continue;
      sink += ((d2 & ~0xfff) >>> 0) + (iova & 0xfff);
    }
  }, iovas.length);
  if (sink === 0) throw new Error('bare walk translated nothing');
  return r;
}

function bareHit(): number {
  const n = 64;
  const base = new Float64Array(n);
  const size = new Float64Array(n);
  const pa = new Float64Array(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < 4; i++) {
    base[i] = 0x7f000000 + i * 0x10000;
    size[i] = 0x10000;
    pa[i] = 0x40000000 + i * 0x10000;
    valid[i] = 1;
  }
  let sink = 0;
  const r = rate(() => {
    for (let k = 0; k < 10_000; k++) {
      const iova = 0x7f000000 + ((k & 15) << 8);
      for (let i = 0; i < n; i++) {
        if (valid[i] && iova >= base[i] && iova < base[i] + size[i]) {
          sink += pa[i] + (iova - base[i]);
          break;
        }
      }
    }
  }, 10_000);
  if (sink === 0) throw new Error('bare hit found nothing');
  return r;
}

let walk: number | undefined;
let hit: number | undefined;
/** Bare walks per second (measured once per process, best of three). */
export const bareWalkRate = (): number => (walk ??= Math.max(bareWalk(), bareWalk(), bareWalk()));
/** Bare TLB hits per second (measured once per process, best of three). */
export const bareHitRate = (): number => (hit ??= Math.max(bareHit(), bareHit(), bareHit()));

/** "5.1x the bare hit": how many times slower a model figure is than its yardstick. */
export function times(rate: number, bare: number, what: string): string {
  return `${(bare / rate).toFixed(1)}x the ${what}`;
}
