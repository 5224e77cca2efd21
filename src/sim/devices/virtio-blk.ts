/**
 * virtio-blk with its driver (drivers/block/virtio_blk.c, v5.0.1 / v5.4.1), one request in
 * flight at a time:
 * - probe sets the queue's max segment size: v5.0 size_max or -1U; v5.4 min(size_max,
 *   virtio_max_dma_size), which is dma_max_mapping_size when vring_use_dma_api.
 * - virtio_queue_rq: blk_rq_map_sg, then virtqueue_add_split (virtio-ring.ts) maps header,
 *   data and status. A failed mapping returns -EIO, which becomes BLK_STS_IOERR and stops
 *   the hardware queue.
 * - the host reads the descriptors and the header through DMA, moves the data, writes the
 *   status byte.
 * - virtblk_done: detach_buf_split unmaps; the driver reads the status byte and ends it.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { checksum, read8, write32 } from '../mem/phys.ts';
import { dmaMaxMappingSize } from '../dma/api.ts';
import {
  type QueueLimits,
  BLK_MAX_SEGMENT_UNLIMITED,
  BLK_SEG_BOUNDARY_MASK,
  blkRqMapSg,
} from '../block/blk-map-sg.ts';
import { type DeviceBase, DEVICES } from './device.ts';
import { deviceRead, deviceWrite } from './port.ts';
import {
  type Desc,
  type Vq,
  VRING_DESC_SIZE,
  detachBufSplit,
  parseDescTable,
  virtqueueAddSplit,
} from './virtio-ring.ts';
import { eventKey } from '../core/keys.ts';
import { VIRTIO_BLK_MAX_SEGMENT } from '../kernel.ts';

export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_S_OK = 0;
const OUTHDR_SIZE = 16; // struct virtio_blk_outhdr: type u32, ioprio u32, sector u64
export const SECTOR_SIZE = 512;

export interface BlkRequest {
  op: 'read' | 'write';
  sector: number;
  buf: string;
  pa: number;
  bytes: number;
}

export interface VirtioBlkState extends DeviceBase, Vq {
  kind: 'virtio-blk';
  /** VIRTIO_BLK_F_SIZE_MAX's size_max, 0 when the feature is not offered. */
  sizeMax: number;
  segMax: number;
  latencyNs: number;
  gapNs: number;
  /** struct virtblk_req of the request in flight: out_hdr at +0, status at +16. */
  pduPa: number;
  limits: QueueLimits | null;
  requests: BlkRequest[];
  next: number;
  inflight: { descs: Desc[]; tableDma: number; segments: number } | null;
  /** blk_mq_stop_hw_queue after a failed dispatch; only a completion restarts it. */
  stopped: boolean;
}

const EV = {
  probe: eventKey('virtio-blk.probe'),
  submit: eventKey('virtio-blk.submit'),
  host: eventKey('virtio-blk.host'),
  irq: eventKey('virtio-blk.irq'),
};

export function virtioBlkRegister(m: Machine): void {
  m.on(EV.probe, probe);
  m.on(EV.submit, queueRq);
  m.on(EV.host, hostProcess);
  m.on(EV.irq, virtblkDone);
}

export function virtioBlkStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.typeOf(EV.probe), index, 0, PRIO.kernel);
}

function devOf(m: Machine, index: number): VirtioBlkState {
  return m.model(DEVICES).list[index] as VirtioBlkState;
}

/** The disk's contents: a deterministic pattern of the byte offset on the disk. */
export function diskByte(offset: number): number {
  return (Math.floor(offset / SECTOR_SIZE) * 31 + (offset % SECTOR_SIZE)) & 0xff;
}

/**
 * &vdev->dev, the virtio device itself: v5.4's virtio_max_dma_size asks about it, not
 * about the PCI parent that does the mappings (vring_dma_dev). Nobody sets its dma_mask,
 * so dma_get_mask() answers DMA_BIT_MASK(32): with DRAM above 4 GiB it is "addressing
 * limited" whatever the transport's mask. Its ops are the arch default (dma-direct here).
 */
function virtioDeviceOf(dev: VirtioBlkState): DeviceBase {
  return {
    name: `${dev.name}.virtio`,
    kind: 'virtio',
    dmaMaskBits: 32,
    dmaOps: dev.dmaOps,
    translator: dev.translator,
    maxSegmentSize: 0,
  };
}

/** virtio_max_dma_size (v5.4): SIZE_MAX unless vring_use_dma_api, then dma_max_mapping_size. */
function virtioMaxDmaSize(m: Machine, dev: VirtioBlkState): number {
  return dev.useDmaApi ? dmaMaxMappingSize(m, virtioDeviceOf(dev)) : Infinity;
}

/** virtblk_probe's segment size: v5.0 size_max or -1U; v5.4 min(size_max, virtio_max_dma_size). */
interface SegmentSize {
  size: number;
  mapping: number | null;
  why: string;
}

function probeMaxSegmentSize(m: Machine, dev: VirtioBlkState): SegmentSize {
  if (m.behaviour(VIRTIO_BLK_MAX_SEGMENT) === 'unlimited') {
    if (dev.sizeMax) return { size: dev.sizeMax, mapping: null, why: 'size_max' };
    const why = 'v5.0: -1U, dma_max_mapping_size not consulted';
    return { size: BLK_MAX_SEGMENT_UNLIMITED, mapping: null, why };
  }
  const v = virtioMaxDmaSize(m, dev);
  const mapping = Number.isFinite(v) ? v : null;
  const size = Math.min(v, dev.sizeMax || Infinity, BLK_MAX_SEGMENT_UNLIMITED); // a u32 there
  if (dev.sizeMax && dev.sizeMax <= v) return { size, mapping, why: 'size_max' };
  return {
    size,
    mapping,
    why: mapping ? 'virtio_max_dma_size (swiotlb)' : 'virtio_max_dma_size = SIZE_MAX',
  };
}

function probe(m: Machine, index: number): void {
  const dev = devOf(m, index);
  const seg = probeMaxSegmentSize(m, dev);
  dev.limits = {
    maxSegmentSize: seg.size,
    maxSegments: dev.segMax,
    segBoundaryMask: BLK_SEG_BOUNDARY_MASK,
  };
  m.emit('blk-queue', {
    dev: dev.name,
    maxSegmentSize: seg.size,
    maxSegments: dev.segMax,
    maxMappingSize: seg.mapping,
    why: seg.why,
  });
  if (dev.requests.length) m.schedule(1, m.typeOf(EV.submit), index, 0, PRIO.kernel);
}

/** The fields every blk-req / io-error record of the current request starts with. */
function reqFields(dev: VirtioBlkState): { dev: string; req: number } {
  return { dev: dev.name, req: dev.next };
}

/** The CPU fills out_hdr in the request pdu: type, ioprio, sector. */
function writeOutHdr(m: Machine, dev: VirtioBlkState, rq: BlkRequest): void {
  write32(m.state.mem, dev.pduPa, rq.op === 'write' ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN);
  write32(m.state.mem, dev.pduPa + 4, 0);
  write32(m.state.mem, dev.pduPa + 8, rq.sector % 2 ** 32);
  write32(m.state.mem, dev.pduPa + 12, Math.floor(rq.sector / 2 ** 32));
}

/** virtio_queue_rq + virtblk_add_req. */
function queueRq(m: Machine, index: number): void {
  const dev = devOf(m, index);
  const rq = dev.requests[dev.next];
  const head = reqFields(dev);
  const what = { op: rq.op, sector: rq.sector, bytes: rq.bytes };
  if (dev.stopped) {
    const status = 'hctx stopped by the failed dispatch; nothing in flight restarts it';
    m.emit('blk-req', { ...head, phase: 'stalled', ...what, segments: 0, status });
    return;
  }
  const sgl = blkRqMapSg(dev.limits!, rq.pa, rq.bytes);
  m.emit('blk-req', { ...head, phase: 'submit', ...what, segments: sgl.length });
  writeOutHdr(m, dev, rq);
  const hdr = { pa: dev.pduPa, length: OUTHDR_SIZE };
  const status = { pa: dev.pduPa + OUTHDR_SIZE, length: 1 };
  const out = rq.op === 'write' ? [hdr, ...sgl] : [hdr];
  const inn = rq.op === 'write' ? [status] : [...sgl, status];
  const r = virtqueueAddSplit(m, dev, dev, out, inn);
  if (!r.ok) {
    dev.stopped = true; // blk_mq_stop_hw_queue(hctx) before returning BLK_STS_IOERR
    m.emit('io-error', {
      ...head,
      sector: rq.sector,
      bytes: rq.bytes,
      status: 'BLK_STS_IOERR',
      reason: r.reason,
    });
    return endRequest(m, index, dev, 'BLK_STS_IOERR', sgl.length);
  }
  dev.inflight = { descs: r.descs, tableDma: r.tableDma, segments: sgl.length };
  m.schedule(dev.latencyNs, m.typeOf(EV.host), index, r.descs.length, PRIO.device);
}

/** blk_mq_end_request, then the next request after the gap. */
function endRequest(
  m: Machine,
  index: number,
  dev: VirtioBlkState,
  status: string,
  segments: number,
): void {
  const rq = dev.requests[dev.next];
  const sum = checksum(m.state.mem, rq.pa, rq.bytes);
  m.emit('blk-req', {
    ...reqFields(dev),
    phase: 'complete',
    op: rq.op,
    sector: rq.sector,
    bytes: rq.bytes,
    segments,
    status,
    sum,
  });
  dev.next++;
  if (dev.next === dev.requests.length) {
    m.emit('dev-done', { dev: dev.name, rounds: dev.next });
    return;
  }
  m.schedule(dev.gapNs, m.typeOf(EV.submit), index, 0, PRIO.kernel);
}

/** The host side: walk the descriptor table it reads through DMA and serve the request. */
function hostProcess(m: Machine, index: number, n: number): void {
  const dev = devOf(m, index);
  const table = deviceRead(m, dev, dev.inflight!.tableDma, n * VRING_DESC_SIZE).data;
  const descs = parseDescTable(table, n);
  const hdr = new DataView(deviceRead(m, dev, descs[0].dma, OUTHDR_SIZE).data.buffer);
  const type = hdr.getUint32(0, true);
  let disk = (hdr.getUint32(8, true) + hdr.getUint32(12, true) * 2 ** 32) * SECTOR_SIZE;
  for (const d of descs.slice(1, -1)) {
    if (type === VIRTIO_BLK_T_OUT) deviceRead(m, dev, d.dma, d.len);
    else {
      const data = new Uint8Array(d.len);
      for (let i = 0; i < d.len; i++) data[i] = diskByte(disk + i);
      deviceWrite(m, dev, d.dma, data);
    }
    disk += d.len;
  }
  deviceWrite(m, dev, descs[n - 1].dma, Uint8Array.of(VIRTIO_BLK_S_OK));
  m.schedule(1, m.typeOf(EV.irq), index, 0, PRIO.irq);
}

/** virtblk_done -> detach_buf_split -> virtblk_request_done reads vbr->status. */
function virtblkDone(m: Machine, index: number): void {
  const dev = devOf(m, index);
  const fl = dev.inflight!;
  const rq = dev.requests[dev.next];
  detachBufSplit(m, dev, dev, fl.descs, fl.tableDma);
  dev.inflight = null;
  const st = read8(m.state.mem, dev.pduPa + OUTHDR_SIZE); // as the CPU sees it, after unmap
  const status = st === VIRTIO_BLK_S_OK ? 'BLK_STS_OK' : 'BLK_STS_IOERR';
  if (status !== 'BLK_STS_OK') {
    const reason = `device status ${st}`;
    m.emit('io-error', { ...reqFields(dev), sector: rq.sector, bytes: rq.bytes, status, reason });
  }
  endRequest(m, index, dev, status, fl.segments);
}
