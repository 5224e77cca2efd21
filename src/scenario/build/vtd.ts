/**
 * Build Intel VT-d from the `vtd` section (before the devices): the DMAR units with the
 * CAP/ECAP their knobs compose, the PCI functions behind each (bus/devfn from `bdf` or the
 * pci section's topology, the requester id their DMA carries), the reserved IOVA ranges
 * (the IOAPIC window and every PCI BAR, dmar_init_reserved_ranges) and the setup of the model.
 */
import type { ScenarioOut } from '../schema/index.ts';
import { parseBdf, pciDevfn, pciDevid } from '../../sim/pci/bdf.ts';
import { vtdSetup, type VtdSetup } from '../../sim/iommu/intel/probe.ts';
import type { DmarHw } from '../../sim/iommu/intel/regs.ts';
import type { VtdSectionOut } from '../schema/vtd.ts';
import type { BuildStep } from './context.ts';
import { deviceHostIommu, type PciPlan, pciPlan, vtdDisabled, vtdUnitNames } from './pci-topology.ts';

/** IOAPIC_RANGE_START .. IOAPIC_RANGE_END as pfns. */
const IOAPIC_PFNS: [number, number] = [0xfee00, 0xfeeff];

/**
 * The DMAR unit that translates device `index`'s DMA, or -1. The unit whose `scope` lists
 * it; else off PCI the last unit (INCLUDE_PCI_ALL) for a bus-master with a bdf, and on PCI
 * the unit its host bridge names. Nothing under intel_iommu=off.
 */
export function vtdUnitOf(s: ScenarioOut, plan: PciPlan | undefined, index: number): number {
  if (vtdDisabled(s)) return -1;
  const d = s.devices[index];
  const units = s.vtd!.units;
  const scoped = units.findIndex((u) => u.scope?.includes(d.name));
  if (plan) {
    const h = deviceHostIommu(plan, index);
    if (h?.translator !== 'vtd') return -1;
    return scoped >= 0 ? scoped : vtdUnitNames(s).indexOf(h.unit);
  }
  if (d.kind !== 'bus-master' || d.bdf === undefined) return -1;
  return scoped >= 0 ? scoped : units.length - 1;
}

/** Does a VT-d unit translate this device's DMA? */
export function vtdTranslates(s: ScenarioOut, name: string, plan = pciPlan(s)): boolean {
  return vtdUnitOf(s, plan, s.devices.findIndex((d) => d.name === name)) >= 0;
}

/** The functions behind the units: bus/devfn, the requester id, the unit, the driver name dev_err prints. */
function vtdDevices(s: ScenarioOut, plan: PciPlan | undefined): VtdSetup['devices'] {
  const out: (VtdSetup['devices'][number] & { order: number })[] = [];
  s.devices.forEach((d, i) => {
    const unit = vtdUnitOf(s, plan, i);
    if (unit < 0) return;
    const own = d.kind === 'bus-master' ? d : undefined;
    const f = plan ? plan.en.fns[plan.devFn[i]] : undefined;
    const bus = f ? f.bus : parseBdf(own!.bdf!)!.bus;
    const devfn = f ? f.devfn : pciDevfn(parseBdf(own!.bdf!)!);
    const rid = own?.requester !== undefined ? pciDevid(parseBdf(own.requester)!) : (bus << 8) | devfn;
    out.push({ dev: d.name, bus, devfn, rid, unit, driver: own?.driver ?? f?.driver ?? 'pci', order: f ? f.id : i });
  });
  // On PCI, intel_iommu_add_device meets them in the order the PCI core added them.
  return out.sort((a, b) => a.order - b.order).map(({ order: _, ...d }) => d);
}

function unitHw(u: VtdSectionOut['units'][number]): DmarHw {
  return {
    levels: u.levels,
    mgaw: u.mgaw,
    zlr: u.zlr,
    cachingMode: u.cachingMode,
    rwbf: u.rwbf,
    faultRecords: u.faultRecords,
    faultOffset: u.faultOffset,
    psi: u.psi,
    mamv: u.mamv,
    superpages: u.superpages,
    ndoms: u.ndoms,
    writeDrain: u.drain,
    readDrain: u.drain,
    coherent: u.coherent,
    qi: u.qi,
    passThrough: u.passThrough,
    snoopControl: u.snoopControl,
    iotlbOffset: u.iotlbOffset,
    smts: u.smts,
    pasid: u.pasid,
    pss: u.pss,
    slts: u.slts,
    flts: u.flts,
    smpwc: u.smpwc,
    nest: u.nest,
  };
}

export const buildVtd: BuildStep = ({ m, s }) => {
  const v = s.vtd;
  if (!v) return;
  const units = v.units.map((u, i) => ({
    name: u.name ?? `dmar${i}`,
    base: u.base ?? 0xfed9_0000 + 0x1000 * i,
    hw: unitHw(u),
    iotlbEntries: u.iotlbEntries,
    includeAll: u.scope === undefined,
    version: (u.smts ? [3, 0] : [1, 0]) as [number, number],
  }));
  const plan = pciPlan(s);
  const reserved: [number, number][] = [IOAPIC_PFNS];
  const reserve = (start: number, size: number) => reserved.push([Math.floor(start / 4096), Math.floor((start + size - 1) / 4096)]);
  for (const d of s.devices) if (d.kind === 'bus-master' && d.bar) reserve(d.bar.addr, d.bar.size);
  // for_each_pci_dev: every memory resource of every function (its CPU address, r->start).
  for (const f of plan?.en.fns ?? []) for (const b of f.bars) reserve(b.start, b.size);
  vtdSetup(m, { cmdline: v.cmdline, units, devices: vtdDevices(s, plan), reserved, irqLatencyNs: v.irqLatency, haw: v.haw, afterPciEnumeration: s.pci !== undefined });
};
