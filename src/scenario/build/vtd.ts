/**
 * Build Intel VT-d from the `vtd` section (before the devices): the DMAR units with the
 * CAP/ECAP their knobs compose, the PCI functions behind each (bus/devfn from `bdf`, the
 * requester id their DMA carries), the reserved IOVA ranges (the IOAPIC window and every
 * device BAR, dmar_init_reserved_ranges) and the setup of the model.
 */
import type { ScenarioOut } from '../schema/index.ts';
import type { DeviceIn } from '../schema/devices.ts';
import { parseBdf, pciDevfn, pciDevid } from '../../sim/pci/bdf.ts';
import { vtdSetup } from '../../sim/iommu/intel/probe.ts';
import { parseIntelIommu } from '../../sim/iommu/intel/cmdline.ts';
import type { DmarHw } from '../../sim/iommu/intel/regs.ts';
import type { VtdSectionOut } from '../schema/vtd.ts';
import type { BuildStep } from './context.ts';

type BusMasterIn = Extract<DeviceIn, { kind: 'bus-master' }>;

/** IOAPIC_RANGE_START .. IOAPIC_RANGE_END as pfns. */
const IOAPIC_PFNS: [number, number] = [0xfee00, 0xfeeff];

/** Does a VT-d unit translate this device's DMA (a bdf behind a `vtd` section, not intel_iommu=off)? */
export function vtdTranslates(s: ScenarioOut, d: BusMasterIn): boolean {
  // The last of on/off wins, as intel_iommu_setup parses left to right; the rest is irrelevant here.
  return s.vtd !== undefined && d.bdf !== undefined && !parseIntelIommu(s.vtd.cmdline, false, 'v5.4').disabled;
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
  const unitOf = (name: string): number => {
    const i = v.units.findIndex((u) => u.scope?.includes(name));
    return i >= 0 ? i : v.units.length - 1;
  };
  const devices = s.devices
    .filter((d): d is BusMasterIn => d.kind === 'bus-master' && vtdTranslates(s, d))
    .map((d) => {
      const bdf = parseBdf(d.bdf!)!;
      const rid = d.requester !== undefined ? pciDevid(parseBdf(d.requester)!) : pciDevid(bdf);
      return { dev: d.name, bus: bdf.bus, devfn: pciDevfn(bdf), rid, unit: unitOf(d.name), driver: d.driver ?? 'pci' };
    });
  const reserved: [number, number][] = [IOAPIC_PFNS];
  for (const d of s.devices) {
    if (d.kind === 'bus-master' && d.bar) reserved.push([Math.floor(d.bar.addr / 4096), Math.floor((d.bar.addr + d.bar.size - 1) / 4096)]);
  }
  vtdSetup(m, { cmdline: v.cmdline, units, devices, reserved, irqLatencyNs: v.irqLatency, haw: v.haw });
};
