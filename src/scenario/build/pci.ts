/**
 * Build the PCI topology from the `pci` section (after the IOMMU core, before processes and
 * devices), and turn each `pci-endpoint` device into device state (called from buildDevices).
 */
import { enumeratePci, type PciAcsIn, type PciHostIn, type PciNodeIn, type PciSwitchPortIn } from '../../sim/pci/enumerate.ts';
import { ACS_BITS, type AcsBitName } from '../../sim/pci/regs.ts';
import { parseBdf } from '../../sim/pci/bdf.ts';
import { pciSetup, type P2pmemProbe } from '../../sim/pci/setup.ts';
import { PCI_MODEL, type PciState } from '../../sim/pci/types.ts';
import { HOST_IOMMU_DMA_OPS, hostIommuAttach } from '../../sim/pci/host-iommu.ts';
import type { P2pClient } from '../../sim/pci/p2pdma.ts';
import { MM_MODEL } from '../../sim/mm/state.ts';
import { HMM_MODEL } from '../../sim/mm/hmm-state.ts';
import { hmmModelCreate } from '../../sim/mm/hmm.ts';
import { assertNever } from '../../sim/core/assert.ts';
import { type PciEndpointState, type PciEpOp, pciEndpointStart } from '../../sim/devices/pci-endpoint.ts';
import type { HostBridgeOut, PciBelowPortOut, PciEndpointOut, PciSectionOut, PciSwitchPortOut } from '../schema/pci.ts';
import type { ScenarioOut } from '../schema/index.ts';
import { ScenarioError } from '../problems.ts';
import type { BuildContext, BuildStep } from './context.ts';

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

/** The sim's input for the section, with JSON paths for problems. */
export function pciHostsIn(pci: PciSectionOut): PciHostIn[] {
  return pci.hostBridges.map((h, i) => {
    const path = `pci.hostBridges[${i}]`;
    return {
      path, name: h.name, segment: h.segment, bus: h.bus, vendor: h.vendor, device: h.device,
      window: { cpu: h.window.cpu, bus: h.window.bus ?? h.window.cpu, size: h.window.size }, iommu: h.iommu,
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

export const buildPci: BuildStep = ({ m, s, file }) => {
  if (!s.pci) return;
  const en = enumeratePci(pciHostsIn(s.pci));
  if (en.problems.length) throw new ScenarioError(en.problems.map((p) => ({ file, ...p })));
  const probes: P2pmemProbe[] = [];
  for (const { path, node } of pciEndpointNodes(s.pci)) {
    if (!node.p2pmem) continue;
    const fn = en.paths.indexOf(path);
    probes.push({ fn, bar: node.p2pmem.bar, size: node.p2pmem.size, offset: node.p2pmem.offset, publish: node.p2pmem.publish });
  }
  pciSetup(m, en, { disableAcsRedir: s.pci.disableAcsRedir, p2pmem: probes });
};

/**
 * Devices of other kinds that name a PCI function (`bdf`: VT-d, AMD) are linked to it after
 * the devices are built, so p2pdma sees them as PCI clients (pci_p2pdma_map_sg, distances).
 */
export const buildPciLinks: BuildStep = ({ m, s }) => {
  const st = m.findModel(PCI_MODEL);
  if (!st) return;
  s.devices.forEach((d, index) => {
    const bdf = (d as unknown as { bdf?: unknown }).bdf;
    if (d.kind === 'pci-endpoint' || typeof bdf !== 'string') return;
    const fn = pciFnOf(st, { name: d.name, bdf });
    if (fn >= 0) st.fns[fn].dev = index;
  });
};

/** The topology function of a device: its bdf, else the endpoint of its name; -1 off PCI. */
export function pciFnOf(st: PciState | undefined, d: { name: string; bdf?: string }): number {
  if (!st) return -1;
  if (d.bdf !== undefined) {
    const b = parseBdf(d.bdf);
    return b ? st.fns.findIndex((f) => f.segment === b.segment && f.bus === b.bus && f.devfn === ((b.dev << 3) | b.fn)) : -1;
  }
  return st.fns.findIndex((f) => f.name === d.name && f.type === 'endpoint');
}

/** A client or provider name: a device (its function, or its name when off PCI) or a PCI function. */
function clientOf(st: PciState | undefined, s: ScenarioOut, name: string): P2pClient {
  const dev = s.devices.find((d) => d.name === name);
  const fn = dev ? pciFnOf(st, dev as { name: string; bdf?: string }) : st ? st.fns.findIndex((f) => f.name === name) : -1;
  return fn >= 0 ? fn : name;
}

function opOf(ctx: BuildContext, st: PciState | undefined, o: PciEndpointOut['ops'][number]): PciEpOp {
  const clients = (names: string[]) => names.map((n) => clientOf(st, ctx.s, n));
  switch (o.op) {
    case 'p2p-distance': return { op: o.op, provider: clientOf(st, ctx.s, o.provider) as number, clients: clients(o.clients) };
    case 'p2p-alloc': return { op: o.op, as: o.as, len: o.len, provider: o.provider ? (clientOf(st, ctx.s, o.provider) as number) : -1, clients: clients(o.clients) };
    case 'p2p-free': case 'p2p-unmap': case 'dma-unmap': return { op: o.op, handle: o.handle };
    case 'p2p-map': return { op: o.op, handle: o.handle, as: o.as, dir: o.dir };
    case 'dma-map': return { op: o.op, as: o.as, pa: ctx.buffers.get(o.buf)!.pa + o.offset, len: o.len, dir: o.dir };
    case 'write': return { op: o.op, handle: o.handle, offset: o.offset, len: o.len, pattern: o.pattern };
    case 'read': return { op: o.op, handle: o.handle, offset: o.offset, len: o.len };
    case 'odirect-read': return { op: o.op, mm: o.process, va: o.va, len: o.len, pattern: o.pattern };
    case 'mmap-bar': return { op: o.op, mm: o.process, va: o.va, len: o.len, bar: o.bar, offset: o.offset, how: o.how };
    case 'bar-move': return { op: o.op, mm: o.process, va: o.va, len: o.len, offset: o.offset };
    case 'hmm-mirror': return { op: o.op, mm: o.process };
    case 'hmm-unmirror': return { op: o.op };
    case 'hmm-access': return { op: o.op, va: o.va, len: o.len, write: o.dir === 'write', pattern: o.pattern };
    case 'hmm-fault': return { op: o.op, va: o.va, len: o.len, write: o.write };
    case 'delay': return { op: o.op, ns: o.ns, jitter: o.jitter };
    default: return assertNever(o, 'pci-endpoint op');
  }
}

export function buildPciEndpoint(ctx: BuildContext, d: PciEndpointOut, index: number): PciEndpointState {
  const { m } = ctx;
  const st = m.findModel(PCI_MODEL);
  if (!m.hasModel(HMM_MODEL) && m.hasModel(MM_MODEL)) hmmModelCreate(m);
  const fn = pciFnOf(st, d);
  const host = st && fn >= 0 ? st.hosts[st.fns[fn].host] : undefined;
  if (st && fn >= 0) st.fns[fn].dev = index;
  const dev: PciEndpointState = {
    name: d.name, kind: 'pci-endpoint', dmaMaskBits: d.dmaMask, dmaOps: host?.iommu ? HOST_IOMMU_DMA_OPS : 'dma-direct', translator: 'pci-endpoint',
    maxSegmentSize: 0, pci: true, fn, ops: d.ops.map((o) => opOf(ctx, st, o)), pc: 0, round: 0, repeat: d.repeat, periodNs: d.period,
    jitterNs: d.jitter, prng: m.forkPrng(), handles: [], space: 'bus', mirror: -1, encoding: d.encoding, fault: null, resume: -1, cancelled: -1,
    faultLatencyNs: d.faultLatency, commitDelayNs: d.commitDelay, commitJitterNs: d.commitJitter, stuck: false,
  };
  if (host?.iommu) hostIommuAttach(m, host.domain, d.name);
  pciEndpointStart(m, index, d.start);
  return dev;
}

