import { type DevicesState, DEVICES } from '../../sim/devices/device.ts';
import type { Machine } from '../../sim/machine.ts';
import { type DmaEngineState, type EngineOp, dmaEngineRegister, dmaEngineStart } from '../../sim/devices/dma-engine.ts';
import { assertNever } from '../../sim/core/assert.ts';
import { type SvaDeviceState, svaDeviceRegister, svaDeviceStart } from '../../sim/devices/sva-device.ts';
import { atcCreate } from '../../sim/iommu/ats/atc.ts';
import type { BuildContext, BuildStep } from './context.ts';
import { buildMtkEngine } from './mtk.ts';
import { buildV7sSelftest } from './v7s-selftest.ts';
import { buildS3cmci } from './s3cmci.ts';
import { s3cmciRegister } from '../../sim/devices/s3cmci.ts';
import { busMasterRegister, busMasterStart } from '../../sim/devices/bus-master.ts';
import { virtioBlkRegister, virtioBlkStart } from '../../sim/devices/virtio-blk.ts';
import { mtkEngineRegister } from '../../sim/devices/mtk-engine.ts';
import { v7sSelftestRegister } from '../../sim/devices/v7s-selftest.ts';
import type { DeviceIn } from '../schema/devices.ts';
import { busMasterState } from './bus-master.ts';
import { virtioBlkState } from './virtio-blk.ts';
import { buildPciEndpoint } from './pci.ts';
import { pciEndpointRegister } from '../../sim/devices/pci-endpoint-step.ts';

function placeOf(ctx: BuildContext, p: { buf?: string; offset?: number; addr?: number }): number {
  if (p.addr !== undefined) return p.addr;
  return ctx.buffers.get(p.buf!)!.pa + (p.offset ?? 0);
}

/** Each device kind's event handlers: registered once, before the first device of the kind. */
const REGISTER: Readonly<Record<DeviceIn['kind'], (m: Machine) => void>> = {
  'dma-engine': dmaEngineRegister,
  'sva-device': svaDeviceRegister,
  'mtk-engine': mtkEngineRegister,
  'v7s-selftest': v7sSelftestRegister,
  'bus-master': busMasterRegister,
  'virtio-blk': virtioBlkRegister,
  s3cmci: s3cmciRegister,
  'pci-endpoint': pciEndpointRegister,
};

/** Devices in scenario order: the index in `devices.list` is what their events carry. */
export const buildDevices: BuildStep = (ctx) => {
  const { m, s } = ctx;
  const state: DevicesState = { list: [] };
  m.addModel(DEVICES, state);
  const kinds = new Set<DeviceIn['kind']>();
  s.devices.forEach((d, index) => {
    if (!kinds.has(d.kind)) {
      kinds.add(d.kind);
      REGISTER[d.kind](m);
    }
    switch (d.kind) {
      case 'dma-engine': {
        const ops: EngineOp[] = d.ops.map((op) => {
          switch (op.op) {
            case 'write':
              return { op: 'write', pa: placeOf(ctx, op), len: op.len, pattern: op.pattern };
            case 'read':
              return { op: 'read', pa: placeOf(ctx, op), len: op.len };
            case 'copy':
              return { op: 'copy', src: ctx.buffers.get(op.src)!.pa, dst: ctx.buffers.get(op.dst)!.pa, len: op.len };
            case 'delay':
              return { op: 'delay', ns: op.ns };
            default:
              return assertNever(op, 'engine op');
          }
        });
        const dev: DmaEngineState = {
          name: d.name,
          kind: 'dma-engine',
          dmaMaskBits: d.dmaMask,
          dmaOps: 'dma-direct',
          translator: 'direct',
          maxSegmentSize: 0,
          ops,
          pc: 0,
          round: 0,
          repeat: d.repeat,
          periodNs: d.period,
          jitterNs: d.jitter,
          prng: m.forkPrng(),
        };
        state.list.push(dev);
        dmaEngineStart(m, index, d.start);
        break;
      }
      case 'sva-device': {
        const dev: SvaDeviceState = {
          name: d.name, kind: 'sva-device', dmaMaskBits: d.dmaMask, dmaOps: 'dma-direct', translator: 'sva',
          maxSegmentSize: 0, iommu: 'amd-v2', mm: -1, pasid: -1, devid: 0x0100 + index, qdep: 16, maxPasids: 0x100000, domainId: 1 + index,
          atc: atcCreate(32), ops: d.ops.map((o) => ({ ...o })), pc: 0, round: 0, repeat: d.repeat,
          periodNs: d.period, jitterNs: d.jitter, prng: m.forkPrng(), pageRequests: 0, faults: 0,
        };
        state.list.push(dev);
        svaDeviceStart(m, index, d.start);
        break;
      }
      case 'mtk-engine':
        state.list.push(buildMtkEngine(ctx, d, index));
        break;
      case 'v7s-selftest':
        state.list.push(buildV7sSelftest(ctx, d, index));
        break;
      case 'bus-master':
        state.list.push(busMasterState(ctx, m, d));
        busMasterStart(m, index, d.start);
        break;
      case 'virtio-blk':
        state.list.push(virtioBlkState(ctx, m, d, index));
        virtioBlkStart(m, index, d.start);
        break;
      case 's3cmci':
        state.list.push(buildS3cmci(ctx, d, index));
        break;
      case 'pci-endpoint':
        state.list.push(buildPciEndpoint(ctx, d, index));
        break;
      default:
        assertNever(d, 'device kind');
    }
  });
};
