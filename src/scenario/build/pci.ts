/**
 * Build the PCI topology from the `pci` section (after the IOMMU core, before processes and
 * devices), and turn each `pci-endpoint` device into device state (called from buildDevices).
 */
import { enumeratePci, pciName } from '../../sim/pci/enumerate.ts';
import { parseBdf } from '../../sim/pci/bdf.ts';
import { pciSetup, type P2pmemProbe } from '../../sim/pci/setup.ts';
import { PCI_MODEL, type PciHostIommu, type PciState } from '../../sim/pci/types.ts';
import type { P2pClient } from '../../sim/pci/p2pdma.ts';
import { VTD_DRIVER } from '../../sim/iommu/intel/state.ts';
import { AMD_DMA_OPS } from '../../sim/iommu/amd/dma-ops.ts';
import { DEVICES } from '../../sim/devices/device.ts';
import { MM_MODEL } from '../../sim/mm/state.ts';
import { HMM_MODEL } from '../../sim/mm/hmm-state.ts';
import { hmmModelCreate } from '../../sim/mm/hmm.ts';
import { assertNever } from '../../sim/core/assert.ts';
import { type PciEndpointState, type PciEpOp, pciEndpointStart } from '../../sim/devices/pci-endpoint.ts';
import type { PciEndpointOut } from '../schema/pci.ts';
import type { ScenarioOut } from '../schema/index.ts';
import { ScenarioError } from '../problems.ts';
import type { BuildContext, BuildStep } from './context.ts';
import { devicePciFn, pciEndpointNodes, pciHostsIn, vtdDisabled } from './pci-topology.ts';

/** The DMA ops a device behind a host bridge's IOMMU maps through (what the driver's add_device installs). */
export function iommuDmaOps(iommu: PciHostIommu | null): string {
  return iommu === null ? 'dma-direct' : iommu.translator === 'vtd' ? VTD_DRIVER : AMD_DMA_OPS;
}

export const buildPci: BuildStep = ({ m, s, file }) => {
  if (!s.pci) return;
  const en = enumeratePci(pciHostsIn({ ...s, pci: s.pci }));
  if (en.problems.length) throw new ScenarioError(en.problems.map((p) => ({ file, ...p })));
  const probes: P2pmemProbe[] = [];
  for (const { path, node } of pciEndpointNodes(s.pci)) {
    if (!node.p2pmem) continue;
    const fn = en.paths.indexOf(path);
    probes.push({ fn, bar: node.p2pmem.bar, size: node.p2pmem.size, offset: node.p2pmem.offset, publish: node.p2pmem.publish });
  }
  // pci_request_acs(): detect_intel_iommu (dmar.c) unless intel_iommu=off, and the AMD
  // driver's early init (amd_iommu_init.c), once they found their ACPI table.
  const acsRequested = !vtdDisabled(s) || s.amd !== undefined;
  // The IOMMU init goes between the enumeration and the probes: VT-d's (built before) from
  // the PCI boot event (pciIommuInitKey); the AMD driver's, built after the devices
  // (buildAmd), from its own event before the probes.
  pciSetup(m, en, { acsRequested, disableAcsRedir: s.pci.disableAcsRedir, p2pmem: probes, deferProbe: s.amd !== undefined });
};

/**
 * Devices of other kinds that name a PCI function (a `bdf`, or an `amd.devices` entry's) are
 * linked to it after the devices are built, so p2pdma sees them as PCI clients
 * (pci_p2pdma_map_sg, distances) and every view names them by their PCI address.
 */
export const buildPciLinks: BuildStep = ({ m, s }) => {
  const st = m.findModel(PCI_MODEL);
  if (!st) return;
  const list = m.model(DEVICES).list;
  s.devices.forEach((d, index) => {
    if (d.kind === 'pci-endpoint') return;
    const fn = devicePciFn(s, st.fns, d);
    if (fn < 0) return;
    st.fns[fn].dev = index;
    list[index].pciName = pciName(st.fns[fn]);
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
    name: d.name, kind: 'pci-endpoint', dmaMaskBits: d.dmaMask, dmaOps: iommuDmaOps(host?.iommu ?? null), translator: 'pci-endpoint',
    maxSegmentSize: 0, pci: true, ...(st && fn >= 0 ? { pciName: pciName(st.fns[fn]) } : {}), fn, ops: d.ops.map((o) => opOf(ctx, st, o)), pc: 0, round: 0, repeat: d.repeat, periodNs: d.period,
    jitterNs: d.jitter, prng: m.forkPrng(), handles: [], space: 'bus', mirror: -1, encoding: d.encoding, fault: null, resume: -1, cancelled: -1,
    faultLatencyNs: d.faultLatency, commitDelayNs: d.commitDelay, commitJitterNs: d.commitJitter, stuck: false,
  };
  pciEndpointStart(m, index, d.start);
  return dev;
}

