import type { Machine } from '../../sim/machine.ts';
import {
  type BusHandle,
  type BusMasterState,
  type BusOp,
} from '../../sim/devices/bus-master.ts';
import { DMA_MAPPING_ERROR } from '../../sim/dma/api.ts';
import { formatBdf, parseBdf } from '../../sim/pci/bdf.ts';
import { assertNever } from '../../sim/core/assert.ts';
import type { DeviceIn } from '../schema/devices.ts';
import type { BuildContext } from './context.ts';
import { vtdTranslates } from './vtd.ts';

type BusMasterIn = Extract<DeviceIn, { kind: 'bus-master' }>;

/** Resolve buffer names to addresses and handle names to indices (check.ts made sure they exist). */
export function busMasterState(ctx: BuildContext, m: Machine, d: BusMasterIn): BusMasterState {
  const behindVtd = vtdTranslates(ctx.s, d.name);
  const handles: BusHandle[] = [];
  const handleOf = (name: string): number => handles.findIndex((h) => h.name === name);
  const at = (buf: string, offset = 0): number => ctx.buffers.get(buf)!.pa + offset;
  const ops: BusOp[] = d.ops.map((op): BusOp => {
    switch (op.op) {
      case 'cpu-fill':
        return { op: op.op, buf: op.buf, pa: at(op.buf, op.offset), len: op.len, pattern: op.pattern };
      case 'cpu-read':
        return { op: op.op, buf: op.buf, pa: at(op.buf, op.offset), len: op.len, at: op.at };
      case 'map': {
        let h = handleOf(op.handle);
        if (h < 0) h = handles.push({ name: op.handle, pa: [], dma: [], len: op.len, dir: op.dir, api: op.api }) - 1;
        handles[h].dma = new Array<number>(op.count).fill(DMA_MAPPING_ERROR);
        const sgPage = op.api === 'sg' && op.sgPage === 'buffer' ? at(op.buf) - (at(op.buf) % 4096) : undefined;
        return { op: 'map', handle: h, pa: at(op.buf, op.offset), len: op.len, dir: op.dir, count: op.count, stride: op.stride ?? op.len, api: op.api, ...(sgPage !== undefined ? { sgPage } : {}) };
      }
      case 'map-resource': {
        let h = handleOf(op.handle);
        if (h < 0) h = handles.push({ name: op.handle, pa: [], dma: [], len: op.len, dir: op.dir, api: 'resource' }) - 1;
        handles[h].dma = [DMA_MAPPING_ERROR];
        const peer = op.peer === undefined ? undefined : ctx.s.devices.find((x) => x.name === op.peer);
        const base = peer && peer.kind === 'bus-master' && peer.bar ? peer.bar.addr : op.addr!;
        return { op: 'map-resource', handle: h, pa: base + op.offset, len: op.len, dir: op.dir };
      }
      case 'unmap':
        return { op: 'unmap', handle: handleOf(op.handle), every: op.every, phase: op.phase, flush: op.flush, ...(op.len !== undefined ? { len: op.len } : {}) };
      case 'access':
        return { op: 'access', addr: op.addr, len: op.len, write: op.dir === 'write', pattern: op.pattern };
      case 'pci-remove':
      case 'pci-rescan':
        return { op: op.op };
      case 'dev-write':
        return { op: op.op, handle: handleOf(op.handle), index: op.index, offset: op.offset, len: op.len, pattern: op.pattern };
      case 'dev-read':
        return { op: op.op, handle: handleOf(op.handle), index: op.index, offset: op.offset, len: op.len };
      case 'sync-for-cpu':
      case 'sync-for-device':
        return { op: op.op, handle: handleOf(op.handle), index: op.index };
      case 'delay':
        return { op: 'delay', ns: op.ns };
      default:
        return assertNever(op, 'bus-master op');
    }
  });
  return {
    name: d.name,
    kind: 'bus-master',
    dmaMaskBits: d.dmaMask,
    dmaOps: behindVtd ? 'intel-iommu' : 'dma-direct',
    translator: behindVtd ? 'vtd' : 'direct',
    ...(d.bdf !== undefined ? { pci: true, pciName: formatBdf(parseBdf(d.bdf)!) } : {}),
    maxSegmentSize: 0,
    ...(d.segBoundaryMask !== undefined ? { segBoundaryMask: d.segBoundaryMask } : {}),
    ops,
    pc: 0,
    handles,
  };
}
