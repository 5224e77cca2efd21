/**
 * The op-list cursor scripted devices share: which op runs next, which round this is, and
 * the pacing between rounds (a period plus a seeded jitter, so engines interleave
 * differently per seed). Data only, kept in the device's state.
 */
import type { Machine } from '../machine.ts';
import { type Prng, intBetween } from '../core/prng.ts';

export interface Workload {
  name: string;
  pc: number;
  round: number;
  repeat: number;
  periodNs: number;
  jitterNs?: number;
  prng?: Prng;
}

/**
 * After the op at `pc` ran (and asked for `opDelayNs` before the next): step to the next op
 * (`gapNs` later, so back-to-back ops still advance time when the kind wants that) or to
 * the next round. Returns the delay to schedule, or undefined once the last round ended
 * (`dev-done` emitted).
 */
export function workloadNext(m: Machine, w: Workload, opsLength: number, opDelayNs: number, gapNs: number): number | undefined {
  w.pc++;
  if (w.pc < opsLength) return opDelayNs + gapNs;
  w.pc = 0;
  w.round++;
  if (w.round >= w.repeat) {
    m.emit('dev-done', { dev: w.name, rounds: w.round });
    return undefined;
  }
  const jitter = w.jitterNs && w.prng ? intBetween(w.prng, 0, w.jitterNs) : 0;
  return opDelayNs + w.periodNs + jitter;
}
