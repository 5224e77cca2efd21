/** Stub: bodies land next. */
import type { Machine } from '../../machine.ts';
import type { ArmV7sCfg, ArmV7sDecodedPte, ArmV7sPgtable, ArmV7sWalkStep, Lvl } from './types.ts';

export function decodePte(_pte: number, _lvl: Lvl, _cfg: Pick<ArmV7sCfg, 'kernel' | 'quirks'>): ArmV7sDecodedPte {
  throw new Error('not yet');
}
export function armV7sWalk(_m: Machine, _pt: ArmV7sPgtable, _iova: number): ArmV7sWalkStep[] {
  throw new Error('not yet');
}
