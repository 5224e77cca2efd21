/**
 * A generic bus-master device and its driver, scripted op by op (one event each): the
 * driver fills and reads its buffers with the CPU, maps them (dma_map_single/page), syncs
 * and unmaps; the device reads and writes through the dma addresses it was given. With a
 * narrow DMA mask and buffers above it, dma-direct bounces and the trace shows when the
 * data really reaches the buffer (and how stale it is before).
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { checksum, fill, fnv1a, read8 } from '../mem/phys.ts';
import {
  DMA_MAPPING_ERROR,
  type DmaDirection,
  type Scatterlist,
  dmaMapPage,
  dmaMapResource,
  dmaMapSg,
  dmaMapSingle,
  dmaSyncSingleForCpu,
  dmaSyncSingleForDevice,
  dmaUnmapPage,
  dmaUnmapResource,
  dmaUnmapSg,
  dmaUnmapSingle,
} from '../dma/api.ts';
import { type DeviceBase, DEVICES } from './device.ts';
import { deviceRead, deviceWrite } from './port.ts';
import { eventKey } from '../core/keys.ts';
import { pciHotplugKey } from './hotplug.ts';

export type BusOp =
  | { op: 'cpu-fill'; buf: string; pa: number; len: number; pattern: number }
  | { op: 'cpu-read'; buf: string; pa: number; len: number; at: string }
  | {
      op: 'map';
      handle: number;
      pa: number;
      len: number;
      dir: DmaDirection;
      count: number;
      stride: number;
      api: 'single' | 'page' | 'sg';
      /** sg: s->offset measured from this page (a compound page) instead of each entry's own. */
      sgPage?: number;
    }
  | { op: 'map-resource'; handle: number; pa: number; len: number; dir: DmaDirection }
  | { op: 'unmap'; handle: number; every: number; phase: number; flush: boolean; len?: number }
  | { op: 'access'; addr: number; len: number; write: boolean; pattern: number }
  | { op: 'pci-remove' | 'pci-rescan' }
  | { op: 'dev-write'; handle: number; index: number; offset: number; len: number; pattern: number }
  | { op: 'dev-read'; handle: number; index: number; offset: number; len: number }
  | { op: 'sync-for-cpu' | 'sync-for-device'; handle: number; index: number }
  | { op: 'delay'; ns: number };

/** A named group of mappings (count of them, `stride` bytes apart). */
export interface BusHandle {
  name: string;
  pa: number[];
  dma: number[]; // DMA_MAPPING_ERROR when unmapped or never mapped
  len: number;
  dir: DmaDirection;
  /** dma_map_single / dma_map_page per entry, one dma_map_sg over all, or dma_map_resource of an MMIO range. */
  api: 'single' | 'page' | 'sg' | 'resource';
  /** sg: the page every entry's s->offset is measured from (absent: each entry's own page). */
  sgPage?: number;
}

export interface BusMasterState extends DeviceBase {
  kind: 'bus-master';
  ops: BusOp[];
  pc: number;
  handles: BusHandle[];
}

const STEP = eventKey('bus-master.step');

export function busMasterRegister(m: Machine): void {
  m.on(STEP, step);
}

export function busMasterStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.typeOf(STEP), index, 0, PRIO.device);
}

function mapOne(m: Machine, dev: BusMasterState, h: BusHandle, i: number): void {
  const map = h.api === 'page' ? dmaMapPage : dmaMapSingle;
  h.dma[i] = map(m, dev, h.pa[i], h.len, h.dir);
}

function sglOf(h: BusHandle): Scatterlist[] {
  const base = h.sgPage;
  return h.pa.map((pa, i) =>
    base === undefined ? { pa, length: h.len, dmaAddress: h.dma[i], dmaLength: h.len } : { pa, length: h.len, dmaAddress: h.dma[i], dmaLength: h.len, offset: pa - base },
  );
}

/** dma_map_sg over every entry: all mapped, or none (dma_direct_map_sg unwinds). */
function mapSg(m: Machine, dev: BusMasterState, h: BusHandle): void {
  const sgl = sglOf(h);
  const nents = dmaMapSg(m, dev, sgl, h.dir);
  h.dma = sgl.map((sg) => (nents ? sg.dmaAddress : DMA_MAPPING_ERROR));
}

/** `len`: the size the driver passes (a buggy one differs from the mapping's). */
function unmapOne(m: Machine, dev: BusMasterState, h: BusHandle, i: number, len = h.len): void {
  if (h.dma[i] === DMA_MAPPING_ERROR) return;
  if (h.api === 'resource') dmaUnmapResource(m, dev, h.dma[i], len, h.dir);
  else if (h.api === 'page') dmaUnmapPage(m, dev, h.dma[i], len, h.dir);
  else dmaUnmapSingle(m, dev, h.dma[i], len, h.dir);
  h.dma[i] = DMA_MAPPING_ERROR;
}

function run(m: Machine, dev: BusMasterState, op: BusOp): number {
  switch (op.op) {
    case 'cpu-fill':
      fill(m.state.mem, op.pa, op.len, op.pattern);
      m.emit('cpu-write', {
        dev: dev.name,
        buf: op.buf,
        pa: op.pa,
        len: op.len,
        pattern: op.pattern,
        sum: checksum(m.state.mem, op.pa, op.len),
      });
      return 1;
    case 'cpu-read':
      m.emit('cpu-read', {
        dev: dev.name,
        buf: op.buf,
        pa: op.pa,
        len: op.len,
        sum: checksum(m.state.mem, op.pa, op.len),
        first: read8(m.state.mem, op.pa),
        at: op.at,
      });
      return 1;
    case 'map': {
      const h = dev.handles[op.handle];
      for (let i = 0; i < op.count; i++) h.pa[i] = op.pa + i * op.stride;
      if (op.sgPage !== undefined) h.sgPage = op.sgPage;
      if (h.api === 'sg') mapSg(m, dev, h);
      else for (let i = 0; i < op.count; i++) mapOne(m, dev, h, i);
      return 1;
    }
    case 'map-resource': {
      const h = dev.handles[op.handle];
      h.pa[0] = op.pa;
      h.dma[0] = dmaMapResource(m, dev, op.pa, op.len, op.dir);
      return 1;
    }
    case 'unmap': {
      const h = dev.handles[op.handle];
      dev.injectNoFlush = !op.flush;
      if (h.api === 'sg') {
        // dma_unmap_sg with the nents given to dma_map_sg (check.ts insists on every == 1).
        if (h.dma[0] !== DMA_MAPPING_ERROR) dmaUnmapSg(m, dev, sglOf(h), h.dma.length, h.dir);
        h.dma.fill(DMA_MAPPING_ERROR);
      } else for (let i = 0; i < h.dma.length; i++) if (i % op.every === op.phase) unmapOne(m, dev, h, i, op.len);
      dev.injectNoFlush = false;
      return 1;
    }
    case 'access': {
      // The device puts a raw bus address on the wire (no mapping behind it, or a stale one).
      if (op.write) deviceWrite(m, dev, op.addr, new Uint8Array(op.len).fill(op.pattern));
      else deviceRead(m, dev, op.addr, op.len);
      return 1;
    }
    case 'pci-remove':
      m.service(pciHotplugKey(dev.translator)).remove(m, dev);
      return 1;
    case 'pci-rescan':
      m.service(pciHotplugKey(dev.translator)).rescan(m, dev);
      return 1;
    case 'dev-write':
    case 'dev-read':
      devAccess(m, dev, op);
      return 1;
    case 'sync-for-cpu':
    case 'sync-for-device': {
      const h = dev.handles[op.handle];
      const dma = h.dma[op.index];
      if (dma === DMA_MAPPING_ERROR) return 1;
      if (op.op === 'sync-for-cpu') dmaSyncSingleForCpu(m, dev, dma, h.len, h.dir);
      else dmaSyncSingleForDevice(m, dev, dma, h.len, h.dir);
      return 1;
    }
    case 'delay':
      return op.ns;
  }
}

function devAccess(
  m: Machine,
  dev: BusMasterState,
  op: Extract<BusOp, { op: 'dev-write' | 'dev-read' }>,
): void {
  const h = dev.handles[op.handle];
  const dma = h.dma[op.index];
  if (dma === DMA_MAPPING_ERROR) return; // the driver never handed this address out
  const iova = dma + op.offset;
  if (op.op === 'dev-write') {
    const data = new Uint8Array(op.len).fill(op.pattern);
    deviceWrite(m, dev, iova, data);
    m.emit('dev-access', {
      dev: dev.name,
      handle: h.name,
      op: 'write',
      iova,
      len: op.len,
      sum: fnv1a(data),
    });
  } else {
    const { data } = deviceRead(m, dev, iova, op.len);
    m.emit('dev-access', {
      dev: dev.name,
      handle: h.name,
      op: 'read',
      iova,
      len: op.len,
      sum: fnv1a(data),
    });
  }
}

function step(m: Machine, index: number): void {
  const dev = m.model(DEVICES).list[index] as BusMasterState;
  const delay = run(m, dev, dev.ops[dev.pc]);
  dev.pc++;
  if (dev.pc === dev.ops.length) {
    m.emit('dev-done', { dev: dev.name, rounds: 1 });
    return;
  }
  m.schedule(delay, m.typeOf(STEP), index, 0, PRIO.device);
}

