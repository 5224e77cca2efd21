/** The VT-d panel's view at the session's position (see vtd-model.ts). */
import type { Machine } from '../../sim/machine.ts';
import { vtdDomainWalk, vtdStatus } from '../../sim/iommu/intel/status.ts';
import type { VtdView, VtdWalkView } from './vtd-model.ts';

/** `dev`: the device the stop's record names; `iova`: the address it names. */
export function vtdView(m: Machine, dev: string | undefined, iova: number | undefined): VtdView | undefined {
  const v = vtdStatus(m);
  if (!v) return undefined;
  const walks = v.devices.map((d): VtdWalkView | undefined => {
    if (iova === undefined || !d.domain) return undefined;
    const w = vtdDomainWalk(m, d.domain, iova);
    return w && { iova, domain: d.domain, levels: w.levels, steps: w.steps.map((s) => ({ level: s.level, index: s.index, addr: s.pa, pte: s.pte, decoded: s.decoded })) };
  });
  return { units: v.units, domains: v.domains, devices: v.devices, current: v.devices.findIndex((d) => d.dev === dev), walks };
}
