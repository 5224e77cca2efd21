/**
 * Build the AMD IOMMUs from the `amd` section, after the devices (their DMA ops and
 * translator are the AMD driver's from here on, as amd_iommu_add_device sets them). With a
 * `pci` section, every device under a host bridge whose `iommu` is an AMD IOMMU sits behind
 * it (listed in amd.devices or not), and the reserved PCI ranges are the topology's BARs.
 */
import { amdSetup, type AmdOp, type AmdSetup } from '../../sim/iommu/amd/setup.ts';
import { formatBdf, parseBdf, pciDevid } from '../../sim/pci/bdf.ts';
import { pciName } from '../../sim/pci/enumerate.ts';
import { pciScheduleProbe } from '../../sim/pci/setup.ts';
import { assertNever } from '../../sim/core/assert.ts';
import type { AmdOpIn } from '../schema/amd.ts';
import type { ScenarioOut } from '../schema/index.ts';
import type { BuildContext, BuildStep } from './context.ts';
import { deviceHostIommu, type PciPlan, pciPlan, planFnOf } from './pci-topology.ts';

const PROT = { r: 1, w: 2, rw: 3 } as const;

function resolveOp(ctx: BuildContext, op: AmdOpIn): AmdOp {
  const buf = (name: string) => ctx.buffers.get(name)!;
  switch (op.op) {
    case 'domain-alloc':
    case 'domain-free':
    case 'attach':
    case 'detach':
    case 'iommu-unmap':
    case 'dev-read':
      return op;
    case 'dev-write':
      return op;
    case 'iommu-map':
      return { op: 'iommu-map', at: op.at, domain: op.domain, iova: op.iova, pa: buf(op.buf).pa + op.offset, size: op.size, prot: PROT[op.prot] };
    case 'cpu-fill': {
      const b = buf(op.buf);
      return { op: 'cpu-fill', at: op.at, buf: op.buf, pa: b.pa + op.offset, len: op.len ?? b.size - op.offset, pattern: op.pattern };
    }
    default:
      return assertNever(op, 'amd op');
  }
}

/** The AMD IOMMU (by name) a device's host bridge names on PCI, if any. */
function hostIommuName(s: ScenarioOut, plan: PciPlan | undefined, dev: string): string | undefined {
  const i = s.devices.findIndex((d) => d.name === dev);
  const h = plan && i >= 0 ? deviceHostIommu(plan, i) : null;
  return h?.translator === 'amd' ? h.unit : undefined;
}

/**
 * The devices behind the IOMMUs: amd.devices as listed, then (on PCI) every other device
 * under a host bridge with an AMD IOMMU, by its function: its group its own (ACS isolates
 * it), the driver name its endpoint has. A pci-endpoint's requests reach the IOMMU through
 * the topology (route.ts), so its translator stays its own.
 */
function amdDevices(s: ScenarioOut, plan: PciPlan | undefined): AmdSetup['devices'] {
  const amd = s.amd!;
  const iommuIndex = (name: string | undefined) => (name === undefined ? 0 : amd.iommus.findIndex((i) => i.name === name));
  const viaPci = (dev: string) => s.devices.find((d) => d.name === dev)?.kind === 'pci-endpoint';
  const out: AmdSetup['devices'] = amd.devices.map((d) => {
    const b = parseBdf(d.bdf)!;
    const devid = pciDevid(b);
    return {
      dev: d.dev,
      devid,
      segment: b.segment,
      bdf: formatBdf(b),
      alias: d.alias !== undefined ? pciDevid(parseBdf(d.alias)!) : devid,
      iommu: iommuIndex(d.iommu ?? hostIommuName(s, plan, d.dev)),
      driver: d.driver ?? d.dev,
      group: d.group ?? d.dev,
      ats: d.ats,
      qdep: d.qdep,
      viaPci: viaPci(d.dev),
    };
  });
  if (!plan) return out;
  s.devices.forEach((d) => {
    const unit = hostIommuName(s, plan, d.name);
    if (unit === undefined || amd.devices.some((x) => x.dev === d.name)) return;
    const f = plan.en.fns[planFnOf(s, plan, d.name)];
    const devid = (f.bus << 8) | f.devfn;
    const driver = d.kind === 'bus-master' && d.driver !== undefined ? d.driver : f.driver;
    out.push({ dev: d.name, devid, segment: f.segment, bdf: pciName(f), alias: devid, iommu: iommuIndex(unit), driver, group: d.name, ats: false, qdep: 32, viaPci: viaPci(d.name) });
  });
  return out;
}

export const buildAmd: BuildStep = (ctx) => {
  const { m, s } = ctx;
  const amd = s.amd;
  if (!amd) return;
  const plan = pciPlan(s);
  // init_reserved_iova_ranges: every memory resource for_each_pci_dev finds (r->start, CPU).
  const bars = (plan?.en.fns ?? []).flatMap((f) => f.bars.map((b) => ({ start: b.start, size: b.size })));
  amdSetup(m, {
    iommus: amd.iommus.map((i) => ({ name: i.name, devid: pciDevid(parseBdf(i.devid)!) })),
    devices: amdDevices(s, plan),
    fullflush: amd.fullflush,
    npCache: amd.npCache,
    iotlbEntries: amd.iotlbEntries,
    irqLatencyNs: amd.irqLatency,
    barWindows: [...amd.barWindows, ...bars],
    mapPageEnomem: amd.inject.mapPageEnomem,
    ops: amd.ops.map((op) => resolveOp(ctx, op)),
  });
  if (s.pci) pciScheduleProbe(m); // drivers probe after amd_iommu_init (buildPci deferred them)
};
