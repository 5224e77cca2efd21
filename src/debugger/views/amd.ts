/** The AMD panel's view, from the model's status at the current stop. */
import type { Machine } from '../../sim/machine.ts';
import { amdCmdTail, amdDeviceWalk, amdEventLog, amdStatus } from '../../sim/iommu/amd/status.ts';
import type { AmdView } from './amd-model.ts';

/** How many commands and events of each IOMMU the panel keeps. */
const TAIL = 6;

/** `dev`: the device the stop's record names (else the first); `iova`: the address to walk. */
export function amdView(m: Machine, dev: string | undefined, iova: number | undefined): AmdView | undefined {
  const v = amdStatus(m);
  if (!v) return undefined;
  const d = v.devices.find((x) => x.name === dev) ?? v.devices[0];
  const walk = d && iova !== undefined ? (amdDeviceWalk(m, d.name, iova)?.steps ?? []) : [];
  return {
    release: v.release,
    lazy: !v.fullflush,
    ...(d
      ? {
          device: {
            name: d.name, bdf: d.bdf, iommu: d.iommu, ...(d.domain !== undefined ? { domain: d.domain, domainId: d.domainId } : {}),
            dte: { words: d.dte.words, valid: d.dte.valid, translationValid: d.dte.translationValid, mode: d.dte.mode, root: d.dte.root, ir: d.dte.ir, iw: d.dte.iw, domid: d.dte.domid },
          },
        }
      : {}),
    ...(iova !== undefined && d ? { walkIova: iova } : {}),
    walk: walk.map((w) => ({ level: w.level, index: w.index, addr: w.addr, lo: w.lo, hi: w.hi, present: w.present, next: w.next, target: w.addr64, ...(w.leafSize !== undefined ? { leafSize: w.leafSize } : {}), ir: w.ir, iw: w.iw })),
    iommus: v.iommus.map((io, i) => ({
      name: io.name, cmdHead: io.cmdHead, cmdTail: io.cmdTail, cmds: amdCmdTail(m, i, TAIL), evtHead: io.evtHead, evtTail: io.evtTail, events: amdEventLog(m, i, TAIL),
      iotlbValid: io.iotlbValid, iotlbSize: io.iotlbSize, faults: io.faults,
    })),
    domains: v.domains.map((x) => ({ name: x.name, id: x.id, type: x.type, mode: x.mode, devIommu: x.devIommu, devCnt: x.devCnt, freed: x.freed })),
  };
}
