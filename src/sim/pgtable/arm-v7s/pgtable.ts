/** Stub: bodies land next. */
import type { Machine } from '../../machine.ts';
import type { ArmV7sAllocResult, ArmV7sCfgIn, ArmV7sMapArgs, ArmV7sPgtable, ArmV7sTlbOps, ArmV7sUnmapArgs } from './types.ts';

export function armV7sAllocPgtable(_m: Machine, _cfg: ArmV7sCfgIn): ArmV7sAllocResult {
  throw new Error('not yet');
}
export function armV7sMap(_m: Machine, _pt: ArmV7sPgtable, _tlb: ArmV7sTlbOps, _a: ArmV7sMapArgs): number {
  throw new Error('not yet');
}
export function armV7sUnmap(_m: Machine, _pt: ArmV7sPgtable, _tlb: ArmV7sTlbOps, _a: ArmV7sUnmapArgs): number {
  throw new Error('not yet');
}
export function armV7sIovaToPhys(_m: Machine, _pt: ArmV7sPgtable, _iova: number): number {
  throw new Error('not yet');
}
export function armV7sFreePgtable(_m: Machine, _pt: ArmV7sPgtable, _tlb: ArmV7sTlbOps): void {
  throw new Error('not yet');
}
