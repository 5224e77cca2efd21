/**
 * Build the MediaTek M4U + SMI from the `mtk` section (before the devices), and turn each
 * `mtk-engine` device into engine state (called from buildDevices).
 */
import { fill } from '../../sim/mem/phys.ts';
import { physAlloc, physReserve } from '../../sim/mem/alloc.ts';
import { mtkSetup } from '../../sim/iommu/mtk/probe.ts';
import { MTK_IOMMU_PLATS } from '../../sim/iommu/mtk/plat.ts';
import { MTK_PROTECT_PA_ALIGN } from '../../sim/iommu/mtk/regs.ts';
import { type MtkEngineOp, type MtkEngineState, mtkEngineStart } from '../../sim/devices/mtk-engine.ts';
import { assertNever } from '../../sim/core/assert.ts';
import { MTK_DRIVER_GEN } from '../../sim/kernel.ts';
import type { MtkEngineIn } from '../schema/mtk.ts';
import { ScenarioError } from '../problems.ts';
import type { BuildContext, BuildStep } from './context.ts';

const SZ_4G = 2 ** 32;

export const buildMtk: BuildStep = ({ m, s, file }) => {
  const mtk = s.mtk;
  if (!mtk) return;
  const plat = MTK_IOMMU_PLATS[mtk.soc];
  if (mtk.soc === 'mt8183' && m.behaviour(MTK_DRIVER_GEN) === 'pre-mt8183') {
    throw new ScenarioError([{ file, path: 'mtk.soc', message: 'the v5.0 mtk_iommu driver has no mt8183 support (it came with the v5.4 mt8183 series)', hint: 'run with --kernel v5.4, or override "mtk-driver": "mt8183-series"' }]);
  }
  const m4uLarbs = mtk.m4u ? mtk.m4u.map((x) => x.larbs) : plat.m4uLarbs.map((l) => [...l]);
  // enable_4GB: DRAM above 4 GiB (max_pfn) and, since v5.4, plat_data->has_4gb_mode.
  const dramEnd = Math.max(...s.memory.dram.map((r) => r.base + r.size));
  const has4gb = m.behaviour(MTK_DRIVER_GEN) === 'mt8183-series' ? plat.has4gbMode : true;
  const enable4GB = dramEnd > SZ_4G && has4gb;
  const protectBases = m4uLarbs.map((_, i) => {
    // devm_kzalloc(MTK_PROTECT_PA_ALIGN * 2) aligned up to 128: one buffer per M4U.
    let pa = mtk.protect.addr !== undefined ? mtk.protect.addr + i * 2 * MTK_PROTECT_PA_ALIGN : -1;
    if (pa >= 0 && !physReserve(m.state.alloc, pa, 2 * MTK_PROTECT_PA_ALIGN)) {
      throw new ScenarioError([{ file, path: 'mtk.protect.addr', message: 'protect buffer overlaps a buffer or lies outside DRAM' }]);
    }
    if (pa < 0) pa = physAlloc(m.state.alloc, 2 * MTK_PROTECT_PA_ALIGN, { align: MTK_PROTECT_PA_ALIGN, limit: SZ_4G });
    if (pa < 0) throw new ScenarioError([{ file, path: 'mtk.protect', message: 'no DRAM below 4 GiB for the protect buffer' }]);
    if (mtk.protect.fill !== undefined) fill(m.state.mem, pa, 2 * MTK_PROTECT_PA_ALIGN, mtk.protect.fill);
    return pa;
  });
  mtkSetup(m, {
    soc: mtk.soc,
    enable4GB,
    protectBases,
    m4uLarbs,
    iotlbEntries: mtk.iotlbEntries,
    rangeFlushTimeouts: mtk.inject.rangeFlushTimeout,
    irqLatencyNs: mtk.irqLatency,
    clients: s.devices.filter((d) => d.kind === 'mtk-engine').map((d) => d.name),
  });
};

function bufPa(ctx: BuildContext, name: string, offset: number): number {
  return ctx.buffers.get(name)!.pa + offset;
}

export function buildMtkEngine(ctx: BuildContext, d: MtkEngineIn, index: number): MtkEngineState {
  const ops: MtkEngineOp[] = d.ops.map((op): MtkEngineOp => {
    switch (op.op) {
      case 'map':
        return { op: 'map', as: op.as, pa: bufPa(ctx, op.buf, op.offset), len: op.len, dir: op.dir };
      case 'remap':
        return { op: 'remap', map: op.map, offset: op.offset, len: op.len, pa: bufPa(ctx, op.buf, op.bufOffset), flush: op.flush };
      case 'unmap':
      case 'alloc':
      case 'read':
      case 'write':
      case 'access':
      case 'iommu-unmap':
      case 'larb-get':
      case 'larb-put':
      case 'delay':
        return op;
      default:
        return assertNever(op, 'mtk engine op');
    }
  });
  const dev: MtkEngineState = {
    name: d.name,
    kind: 'mtk-engine',
    dmaMaskBits: 32,
    dmaOps: 'mtk-iommu',
    translator: 'mtk',
    maxSegmentSize: 0,
    engine: d.engine,
    larb: d.larb,
    port: d.port,
    ops,
    pc: 0,
    round: 0,
    repeat: d.repeat,
    periodNs: d.period,
    mappings: {},
  };
  mtkEngineStart(ctx.m, index, d.start);
  return dev;
}
