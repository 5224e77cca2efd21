/**
 * Build the AMD IOMMUs from the `amd` section, after the devices (their DMA ops and
 * translator are the AMD driver's from here on, as amd_iommu_add_device sets them).
 */
import { amdSetup, type AmdOp } from '../../sim/iommu/amd/setup.ts';
import { parseBdf, pciDevid } from '../../sim/pci/bdf.ts';
import { formatBdf } from '../../sim/pci/bdf.ts';
import { assertNever } from '../../sim/core/assert.ts';
import type { AmdOpIn } from '../schema/amd.ts';
import type { BuildContext, BuildStep } from './context.ts';

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

export const buildAmd: BuildStep = (ctx) => {
  const { m, s } = ctx;
  const amd = s.amd;
  if (!amd) return;
  const iommuIndex = (name: string | undefined) => (name === undefined ? 0 : amd.iommus.findIndex((i) => i.name === name));
  amdSetup(m, {
    iommus: amd.iommus.map((i) => ({ name: i.name, devid: pciDevid(parseBdf(i.devid)!) })),
    devices: amd.devices.map((d) => {
      const b = parseBdf(d.bdf)!;
      const devid = pciDevid(b);
      return {
        dev: d.dev,
        devid,
        segment: b.segment,
        bdf: formatBdf(b),
        alias: d.alias !== undefined ? pciDevid(parseBdf(d.alias)!) : devid,
        iommu: iommuIndex(d.iommu),
        driver: d.driver ?? d.dev,
        group: d.group ?? d.dev,
        ats: d.ats,
        qdep: d.qdep,
      };
    }),
    fullflush: amd.fullflush,
    npCache: amd.npCache,
    iotlbEntries: amd.iotlbEntries,
    irqLatencyNs: amd.irqLatency,
    barWindows: amd.barWindows,
    mapPageEnomem: amd.inject.mapPageEnomem,
    ops: amd.ops.map((op) => resolveOp(ctx, op)),
  });
};
