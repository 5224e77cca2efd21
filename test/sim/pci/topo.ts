/**
 * Compact topologies for the PCI tests: a host bridge (its 00.0 vendor:device) with a tree
 * of root ports, switches and endpoints, enumerated by the model as the kernel would.
 */
import { type PciHostIn, type PciNodeIn, enumeratePci } from '../../../src/sim/pci/enumerate.ts';
import type { PciTopo } from '../../../src/sim/pci/distance.ts';
import { PCI_ACS_RR } from '../../../src/sim/pci/regs.ts';

let n = 0;
const path = () => `n${n++}`;

export const ep = (name: string, o: { dev?: number; fn?: number; acs?: number } = {}): PciNodeIn => ({
  type: 'endpoint', path: path(), name, dev: o.dev, fn: o.fn, bars: [], acs: o.acs === undefined ? undefined : { cap: 0x1f, ctrl: o.acs },
});

export const rp = (name: string, children: PciNodeIn[], o: { dev?: number; acs?: number } = {}): PciNodeIn => ({
  type: 'root-port', path: path(), name, dev: o.dev, children, acs: o.acs === undefined ? undefined : { cap: 0x1f, ctrl: o.acs },
});

/** A switch: its upstream port's ACS, and per downstream port [name, children, ACS control]. */
export const sw = (name: string, ports: [string, PciNodeIn[], number?][], usAcs?: number): PciNodeIn => ({
  type: 'switch', path: path(), name, acs: usAcs === undefined ? undefined : { cap: 0x1f, ctrl: usAcs },
  ports: ports.map(([pname, children, acs]) => ({ path: path(), name: pname, children, acs: acs === undefined ? undefined : { cap: 0x1f, ctrl: acs } })),
});

export const host = (vendor: number, device: number, children: PciNodeIn[], o: { bus?: number; name?: string } = {}): PciHostIn => ({
  path: path(), name: o.name, segment: 0, bus: o.bus, vendor, device, window: { cpu: 0xe000_0000, bus: 0xe000_0000, size: 0x1000_0000 }, iommu: null, children,
});

export function topo(...hosts: PciHostIn[]): PciTopo & { id(name: string): number } {
  const en = enumeratePci(hosts);
  if (en.problems.length) throw new Error(en.problems.map((p) => p.message).join('\n'));
  return { fns: en.fns, hosts: en.hosts, id: (name) => en.fns.findIndex((f) => f.name === name) };
}

export const RR = PCI_ACS_RR;
