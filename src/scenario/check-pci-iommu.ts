/**
 * One device identity on PCI: when a `pci` section exists, every PCI function the `vtd` and
 * `amd` sections speak of is an endpoint of its topology, sits under the host bridge whose
 * IOMMU the section says, and its BARs are the topology's (the reserved IOVA ranges come
 * from them). Host-bridge references themselves are checked with the topology (check-pci.ts).
 */
import { parseBdf } from '../sim/pci/bdf.ts';
import { pciName } from '../sim/pci/enumerate.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { deviceHostIommu, hostIommuOf, pciPlan, type PciPlan } from './build/pci-topology.ts';

type Problems = ScenarioProblem[];

/** The host bridge index of a function, and the text naming its IOMMU for messages. */
function hostOf(s: ScenarioOut, plan: PciPlan, fn: number): { at: string; name: string; iommu: string } {
  const h = plan.en.fns[fn].host;
  const io = plan.en.hosts[h].iommu;
  return { at: `pci.hostBridges[${h}]`, name: plan.en.hosts[h].name, iommu: io ? `${io.translator === 'vtd' ? 'VT-d unit' : 'AMD IOMMU'} ${io.unit}` : 'no IOMMU' };
}

function checkAmdOnPci(s: ScenarioOut, plan: PciPlan, file: string, out: Problems): void {
  const amd = s.amd!;
  if (amd.barWindows.length) {
    out.push({ file, path: 'amd.barWindows', message: 'with a pci section the reserved PCI ranges are its BARs', hint: 'remove barWindows; declare the BARs on the endpoints' });
  }
  amd.devices.forEach((e, i) => {
    const at = `amd.devices[${i}]`;
    const b = parseBdf(e.bdf);
    const fn = b ? plan.en.fns.findIndex((f) => f.segment === b.segment && f.bus === b.bus && f.devfn === ((b.dev << 3) | b.fn)) : -1;
    if (fn < 0 || plan.en.fns[fn].type !== 'endpoint') {
      const eps = plan.en.fns.filter((f) => f.type === 'endpoint').map((f) => `${pciName(f)} (${f.name})`);
      out.push({ file, path: `${at}.bdf`, message: fn < 0 ? `no PCI function ${e.bdf} in the pci section` : `${e.bdf} is a ${plan.en.fns[fn].type}, not an endpoint`, hint: `endpoints: ${eps.join(', ') || 'none'}` });
      return;
    }
    const di = s.devices.findIndex((d) => d.name === e.dev);
    const own = di >= 0 ? plan.devFn[di] : -1;
    if (own >= 0 && own !== fn) {
      out.push({ file, path: `${at}.bdf`, message: `"${e.dev}" is ${pciName(plan.en.fns[own])} (${plan.en.fns[own].name}) in the pci section, not ${e.bdf}`, hint: 'give one PCI address for the device' });
      return;
    }
    const host = hostOf(s, plan, fn);
    const io = plan.en.hosts[plan.en.fns[fn].host].iommu;
    if (io?.translator !== 'amd') {
      out.push({ file, path: `${at}.bdf`, message: `${e.bdf} is under host bridge ${host.name}, which has ${host.iommu}`, hint: `name an AMD IOMMU in ${host.at}.iommu` });
    } else if (e.iommu !== undefined && e.iommu !== io.unit) {
      out.push({ file, path: `${at}.iommu`, message: `${e.bdf} is under host bridge ${host.name}, whose IOMMU is ${io.unit}`, hint: `drop "iommu" (the host bridge's is taken) or use "${io.unit}"` });
    }
  });
  // An IOMMU is a function of the root complex it serves (00:00.2 on the first one).
  amd.iommus.forEach((io, i) => {
    const buses = s.pci!.hostBridges.flatMap((h, k) => (hostIommuOf(s, h)?.unit === io.name && hostIommuOf(s, h)?.translator === 'amd' ? [plan.en.hosts[k]] : []));
    const b = parseBdf(io.devid);
    if (buses.length && b && !buses.some((h) => h.bus === b.bus && h.segment === b.segment)) {
      const h = buses[0];
      out.push({ file, path: `amd.iommus[${i}].devid`, message: `${io.name} serves host bridge ${h.name} but sits on bus ${b.bus.toString(16).padStart(2, '0')}`, hint: `the IOMMU is a function on its root bus: "${h.segment.toString(16).padStart(4, '0')}:${h.bus.toString(16).padStart(2, '0')}:00.2"` });
    }
  });
}

function checkVtdOnPci(s: ScenarioOut, plan: PciPlan, file: string, out: Problems): void {
  const vtd = s.vtd!;
  plan.en.hosts.forEach((h, i) => {
    if (h.iommu?.translator === 'vtd' && h.segment !== 0) out.push({ file, path: `pci.hostBridges[${i}].segment`, message: 'the VT-d units here cover PCI segment 0 only', hint: 'use segment 0 or an AMD IOMMU' });
  });
  vtd.units.forEach((u, i) => {
    u.scope?.forEach((name, j) => {
      const di = s.devices.findIndex((d) => d.name === name);
      if (di < 0) return; // checkVtd names it
      const fn = plan.devFn[di];
      if (fn < 0) {
        out.push({ file, path: `vtd.units[${i}].scope[${j}]`, message: `"${name}" is not a function of the pci section`, hint: 'only PCI functions sit behind a DMAR unit: give it a bdf of the topology' });
        return;
      }
      if (deviceHostIommu(plan, di)?.translator !== 'vtd') {
        const host = hostOf(s, plan, fn);
        out.push({ file, path: `vtd.units[${i}].scope[${j}]`, message: `"${name}" is under host bridge ${host.name}, which has ${host.iommu}`, hint: `name a VT-d unit in ${host.at}.iommu` });
      }
    });
  });
}

export function checkPciIommu(s: ScenarioOut, file: string): Problems {
  const out: Problems = [];
  const plan = pciPlan(s);
  if (!plan || plan.en.problems.length) return out; // the topology's own problems come first (check-pci.ts)
  if (s.amd) checkAmdOnPci(s, plan, file, out);
  if (s.vtd) checkVtdOnPci(s, plan, file, out);
  return out;
}
