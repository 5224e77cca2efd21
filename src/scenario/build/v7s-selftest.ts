import { type V7sSelftestDevState, v7sSelftestCreate, v7sSelftestStart } from '../../sim/devices/v7s-selftest.ts';
import type { V7sSelftestIn } from '../schema/v7s-selftest.ts';
import type { BuildContext } from './context.ts';

/** A `v7s-selftest` device (called from buildDevices, in scenario order). */
export function buildV7sSelftest(ctx: BuildContext, d: V7sSelftestIn, index: number): V7sSelftestDevState {
  const dev = v7sSelftestCreate(ctx.m, d.name, d.period);
  v7sSelftestStart(ctx.m, index, d.start);
  return dev;
}
