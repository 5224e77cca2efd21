/** The HMM panel's view, from the model's status. */
import type { Machine } from '../../sim/machine.ts';
import { hmmStatus } from '../../sim/mm/hmm-status.ts';
import type { HmmView } from './hmm-model.ts';

export function hmmView(m: Machine): HmmView | undefined {
  const mms = hmmStatus(m);
  return mms ? { mms } : undefined;
}
