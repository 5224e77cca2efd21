import type { DevicesState } from '../../sim/devices/device.ts';
import { type DmaEngineState, type EngineOp, dmaEngineRegister, dmaEngineStart } from '../../sim/devices/dma-engine.ts';
import { assertNever } from '../../sim/core/assert.ts';
import { busMasterStart } from '../../sim/devices/bus-master.ts';
import { virtioBlkStart } from '../../sim/devices/virtio-blk.ts';
import type { BuildContext, BuildStep } from './context.ts';
import { busMasterState } from './bus-master.ts';
import { virtioBlkState } from './virtio-blk.ts';

function placeOf(ctx: BuildContext, p: { buf?: string; offset?: number; addr?: number }): number {
  if (p.addr !== undefined) return p.addr;
  return ctx.buffers.get(p.buf!)!.pa + (p.offset ?? 0);
}

/** Devices in scenario order: the index in `devices.list` is what their events carry. */
export const buildDevices: BuildStep = (ctx) => {
  const { m, s } = ctx;
  const state: DevicesState = { list: [] };
  m.state.models.devices = state;
  s.devices.forEach((d, index) => {
    switch (d.kind) {
      case 'dma-engine': {
        dmaEngineRegister(m);
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
      case 'bus-master':
        state.list.push(busMasterState(ctx, m, d));
        busMasterStart(m, index, d.start);
        break;
      case 'virtio-blk':
        state.list.push(virtioBlkState(ctx, m, d, index));
        virtioBlkStart(m, index, d.start);
        break;
      default:
        assertNever(d, 'device kind');
    }
  });
};
