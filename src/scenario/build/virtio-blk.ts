import type { Machine } from '../../sim/machine.ts';
import type { VirtioBlkState } from '../../sim/devices/virtio-blk.ts';
import { physAlloc } from '../../sim/mem/alloc.ts';
import { ScenarioError } from '../problems.ts';
import type { DeviceIn } from '../schema/devices.ts';
import type { BuildContext } from './context.ts';

type VirtioBlkIn = Extract<DeviceIn, { kind: 'virtio-blk' }>;

/** The driver's own memory (request pdu, descriptor table) comes first-fit from DRAM. */
export function virtioBlkState(
  ctx: BuildContext,
  m: Machine,
  d: VirtioBlkIn,
  index: number,
): VirtioBlkState {
  const pduPa = physAlloc(m.state.alloc, 64, { align: 64 });
  const tablePa = physAlloc(m.state.alloc, 16 * (d.segMax + 2), { align: 64 });
  if (pduPa < 0 || tablePa < 0) {
    throw new ScenarioError([{ file: ctx.file, path: `devices[${index}]`, message: `no free DRAM for ${d.name}'s request and descriptor memory` }]);
  }
  return {
    name: d.name,
    kind: 'virtio-blk',
    dmaMaskBits: d.dmaMask,
    dmaOps: 'dma-direct',
    translator: 'direct',
    maxSegmentSize: 0,
    useDmaApi: d.iommuPlatform,
    sizeMax: d.sizeMax ?? 0,
    segMax: d.segMax,
    indirect: d.indirect,
    latencyNs: d.latency,
    gapNs: d.gap,
    pduPa,
    tablePa,
    limits: null,
    requests: d.requests.map((r) => {
      const b = ctx.buffers.get(r.buf)!;
      return { op: r.op, sector: r.sector, buf: r.buf, pa: b.pa + (r.offset ?? 0), bytes: r.len };
    }),
    next: 0,
    inflight: null,
    stopped: false,
  };
}
