/**
 * One device identity on PCI: which IOMMU each host bridge's `iommu` names (a unit of the
 * `vtd` section or an IOMMU of the `amd` section), which PCI function each device drives
 * (its `bdf`, its `amd.devices` entry's, or a `pci-endpoint`'s endpoint of its name), and
 * so which driver and unit translate its DMA. Checks and build steps read the same answers.
 */
import { enumeratePci, type Enumerated, type PciAcsIn, type PciHostIn, type PciNodeIn, type PciSwitchPortIn } from '../../sim/pci/enumerate.ts';
import { ACS_BITS, type AcsBitName } from '../../sim/pci/regs.ts';
import { parseBdf } from '../../sim/pci/bdf.ts';
import { parseIntelIommu } from '../../sim/iommu/intel/cmdline.ts';
import { assertNever } from '../../sim/core/assert.ts';
import type { PciFn, PciHostIommu } from '../../sim/pci/types.ts';
import type { ScenarioOut } from '../schema/index.ts';
import type { HostBridgeOut, PciBelowPortOut, PciSectionOut, PciSwitchPortOut } from '../schema/pci.ts';
import { closest } from '../suggest.ts';

/** A host bridge's IOMMU with the unit's index in its section. */
export interface HostIommuRef extends PciHostIommu {
  readonly index: number;
}

export type HostIommuResolution = { readonly iommu: HostIommuRef | null } | { readonly message: string; readonly hint: string };

/** intel_iommu=off: the last of on/off wins, as intel_iommu_setup parses left to right. */
export function vtdDisabled(s: ScenarioOut): boolean {
  return s.vtd === undefined || parseIntelIommu(s.vtd.cmdline, false, 'v5.4').disabled;
}

export const vtdUnitNames = (s: ScenarioOut): string[] => (s.vtd ? s.vtd.units.map((u, i) => u.name ?? `dmar${i}`) : []);
const amdIommuNames = (s: ScenarioOut): string[] => (s.amd ? s.amd.iommus.map((i) => i.name) : []);

/**
 * What `iommu` names: false none; true the scenario's one IOMMU section (VT-d: the unit
 * without a scope, the DRHD with INCLUDE_PCI_ALL; AMD: the first IOMMU); a name, that unit.
 * A VT-d unit under intel_iommu=off translates nothing (dmar_disabled): null.
 */
export function resolveHostIommu(s: ScenarioOut, h: Pick<HostBridgeOut, 'iommu'>): HostIommuResolution {
  if (h.iommu === false) return { iommu: null };
  const vtd = vtdUnitNames(s);
  const amd = amdIommuNames(s);
  const ofVtd = (index: number): HostIommuResolution => ({ iommu: vtdDisabled(s) ? null : { translator: 'vtd', unit: vtd[index], index } });
  const ofAmd = (index: number): HostIommuResolution => ({ iommu: { translator: 'amd', unit: amd[index], index } });
  if (h.iommu === true) {
    if (s.vtd && s.amd) return { message: 'true is ambiguous: the scenario has a vtd and an amd section', hint: `name the unit: ${[...vtd, ...amd].join(', ')}` };
    if (s.vtd) {
      const all = s.vtd.units.findIndex((u) => u.scope === undefined);
      return ofVtd(all >= 0 ? all : vtd.length - 1);
    }
    if (s.amd) return ofAmd(0);
    return { message: 'an IOMMU needs its driver\'s section', hint: 'add "vtd": {} (Intel VT-d) or "amd": {} (AMD-Vi) to the scenario' };
  }
  const v = vtd.indexOf(h.iommu);
  const a = amd.indexOf(h.iommu);
  if (v >= 0 && a >= 0) return { message: `"${h.iommu}" names a VT-d unit and an AMD IOMMU`, hint: 'rename one of them' };
  if (v >= 0) return ofVtd(v);
  if (a >= 0) return ofAmd(a);
  const near = closest(h.iommu, [...vtd, ...amd]);
  return { message: `no IOMMU named "${h.iommu}"`, hint: near ? `did you mean "${near}"?` : vtd.length + amd.length ? `units: ${[...vtd, ...amd].join(', ')}` : 'add a vtd or amd section with that unit' };
}

/** The resolved IOMMU, or null (none, or a reference the checks report). */
export function hostIommuOf(s: ScenarioOut, h: Pick<HostBridgeOut, 'iommu'>): HostIommuRef | null {
  const r = resolveHostIommu(s, h);
  return 'iommu' in r ? r.iommu : null;
}

const bits = (names: readonly AcsBitName[]): number => names.reduce((w, n) => w | ACS_BITS[n], 0);
const acsOf = (a: { cap: AcsBitName[]; ctrl: AcsBitName[] } | undefined): PciAcsIn | undefined => (a ? { cap: bits(a.cap), ctrl: bits(a.ctrl) } : undefined);

function nodeIn(n: PciBelowPortOut | HostBridgeOut['children'][number], path: string): PciNodeIn {
  const common = { path, name: n.name, dev: n.dev, fn: n.fn, vendor: n.vendor, device: n.device, acs: acsOf(n.acs) };
  switch (n.type) {
    case 'endpoint':
      return { ...common, type: 'endpoint', driver: n.driver, bars: n.bars.map((b) => ({ bar: b.bar, size: b.size, addr: b.addr, prefetch: b.prefetch, is64: b.is64 })) };
    case 'root-port':
      return { ...common, type: 'root-port', children: n.children.map((c, i) => nodeIn(c, `${path}.children[${i}]`)) };
    case 'switch':
      return { ...common, type: 'switch', ports: n.ports.map((p, i) => portIn(p, `${path}.ports[${i}]`)) };
    default:
      return assertNever(n, 'pci node');
  }
}

function portIn(p: PciSwitchPortOut, path: string): PciSwitchPortIn {
  return { path, name: p.name, dev: p.dev, fn: p.fn, vendor: p.vendor, device: p.device, acs: acsOf(p.acs), children: p.children.map((c, i) => nodeIn(c, `${path}.children[${i}]`)) };
}

/** The sim's input for the section, with JSON paths for problems and each host bridge's IOMMU resolved. */
export function pciHostsIn(s: ScenarioOut & { pci: PciSectionOut }): PciHostIn[] {
  return s.pci.hostBridges.map((h, i) => {
    const path = `pci.hostBridges[${i}]`;
    const r = hostIommuOf(s, h);
    return {
      path, name: h.name, segment: h.segment, bus: h.bus, vendor: h.vendor, device: h.device,
      window: { cpu: h.window.cpu, bus: h.window.bus ?? h.window.cpu, size: h.window.size }, iommu: r ? { translator: r.translator, unit: r.unit } : null,
      children: h.children.map((c, j) => nodeIn(c, `${path}.children[${j}]`)),
    };
  });
}

/** Every endpoint node of the section with its path (for p2pmem and checks). */
export function pciEndpointNodes(pci: PciSectionOut): { path: string; node: Extract<PciBelowPortOut, { type: 'endpoint' }> }[] {
  const out: { path: string; node: Extract<PciBelowPortOut, { type: 'endpoint' }> }[] = [];
  const walk = (n: PciBelowPortOut | HostBridgeOut['children'][number], path: string): void => {
    if (n.type === 'endpoint') out.push({ path, node: n });
    else if (n.type === 'root-port') n.children.forEach((c, i) => walk(c, `${path}.children[${i}]`));
    else n.ports.forEach((p, i) => p.children.forEach((c, j) => walk(c, `${path}.ports[${i}].children[${j}]`)));
  };
  pci.hostBridges.forEach((h, i) => h.children.forEach((c, j) => walk(c, `pci.hostBridges[${i}].children[${j}]`)));
  return out;
}

/** The topology and, per device of `devices[]` (same index), the function it drives (-1: off PCI). */
export interface PciPlan {
  readonly en: Enumerated;
  readonly devFn: readonly number[];
}

const fnAt = (fns: readonly PciFn[], bdf: string): number => {
  const b = parseBdf(bdf);
  return b ? fns.findIndex((f) => f.segment === b.segment && f.bus === b.bus && f.devfn === ((b.dev << 3) | b.fn) && f.type === 'endpoint') : -1;
};

/** The endpoint a device's own PCI identity names: its bdf, its amd.devices bdf, or (pci-endpoint) its name; -1 for none. */
export function devicePciFn(s: ScenarioOut, fns: readonly PciFn[], d: ScenarioOut['devices'][number]): number {
  const own = d.kind === 'bus-master' || d.kind === 'pci-endpoint' ? d.bdf : undefined;
  const amd = s.amd?.devices.find((x) => x.dev === d.name)?.bdf;
  if (own !== undefined) return fnAt(fns, own);
  if (amd !== undefined) return fnAt(fns, amd);
  return d.kind === 'pci-endpoint' ? fns.findIndex((f) => f.name === d.name && f.type === 'endpoint') : -1;
}

/**
 * A fresh enumeration of the `pci` section (never the machine's own: that one becomes
 * state), with each device's function; undefined without a section.
 */
export function pciPlan(s: ScenarioOut): PciPlan | undefined {
  if (!s.pci) return undefined;
  const en = enumeratePci(pciHostsIn({ ...s, pci: s.pci }));
  return { en, devFn: s.devices.map((d) => devicePciFn(s, en.fns, d)) };
}

/** The IOMMU that translates device `index`'s DMA on PCI: its host bridge's; null off PCI or without one. */
export function deviceHostIommu(plan: PciPlan, index: number): PciHostIommu | null {
  const fn = plan.devFn[index];
  return fn >= 0 ? plan.en.hosts[plan.en.fns[fn].host].iommu : null;
}

/** The function a device of `devices[]` drives, by name; -1 off PCI. */
export function planFnOf(s: ScenarioOut, plan: PciPlan, name: string): number {
  const i = s.devices.findIndex((d) => d.name === name);
  return i >= 0 ? plan.devFn[i] : -1;
}
