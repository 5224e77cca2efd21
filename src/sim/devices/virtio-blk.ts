/**
 * virtio-blk with its driver (drivers/block/virtio_blk.c, drivers/virtio/virtio_ring.c,
 * v5.0.1 / v5.4.1), one request in flight at a time:
 * - probe sets the queue's max segment size: v5.0 size_max or -1U; v5.4 min(size_max,
 *   virtio_max_dma_size), which is dma_max_mapping_size when vring_use_dma_api.
 * - virtio_queue_rq: blk_rq_map_sg, then virtqueue_add_split maps header, data and status
 *   one entry at a time with dma_map_page (vring_map_one_sg: "We can't use dma_map_sg"),
 *   writes the descriptors and maps the indirect table with dma_map_single. A failed
 *   mapping unmaps what was mapped and returns -EIO, which becomes BLK_STS_IOERR.
 * - the host reads the descriptors and header through DMA, moves the data, writes status.
 * - virtblk_done: detach_buf_split unmaps the table, then every entry; the driver reads
 *   the status byte and ends the request.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { checksum, read8, write32 } from '../mem/phys.ts';
import { DMA_MAPPING_ERROR, type DmaDirection, type Scatterlist, dmaMapPage, dmaMapSingle, dmaMaxMappingSize, dmaUnmapPage, dmaUnmapSingle } from '../dma/api.ts';
import { type QueueLimits, BLK_MAX_SEGMENT_UNLIMITED, BLK_SEG_BOUNDARY_MASK, blkRqMapSg } from '../block/blk-map-sg.ts';
import type { DeviceBase, DevicesState } from './device.ts';
import { deviceRead, deviceWrite } from './port.ts';

export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_S_OK = 0;
export const VRING_DESC_F_NEXT = 1;
export const VRING_DESC_F_WRITE = 2;
const VRING_DESC_SIZE = 16; // struct vring_desc: addr u64, len u32, flags u16, next u16
const OUTHDR_SIZE = 16; // struct virtio_blk_outhdr: type u32, ioprio u32, sector u64
export const SECTOR_SIZE = 512;

export interface BlkRequest {
  op: 'read' | 'write';
  sector: number;
  buf: string;
  pa: number;
  bytes: number;
}

interface Desc {
  dma: number;
  len: number;
  flags: number;
}

export interface VirtioBlkState extends DeviceBase {
  kind: 'virtio-blk';
  /** vring_use_dma_api(): VIRTIO_F_IOMMU_PLATFORM negotiated (or a Xen guest). */
  useDmaApi: boolean;
  /** VIRTIO_BLK_F_SIZE_MAX's size_max, 0 when the feature is not offered. */
  sizeMax: number;
  segMax: number;
  indirect: boolean;
  latencyNs: number;
  gapNs: number;
  /** struct virtblk_req of the request in flight: out_hdr at +0, status at +16. */
  pduPa: number;
  /** The descriptor table: kmalloc'd indirect table, or the ring's (coherent) desc area. */
  tablePa: number;
  tableDma: number;
  limits: QueueLimits | null;
  requests: BlkRequest[];
  next: number;
  inflight: { descs: Desc[]; tableMapped: number; segments: number } | null;
  /** blk_mq_stop_hw_queue after a failed dispatch; only a completion restarts it. */
  stopped: boolean;
}

const EV = { probe: 'virtio-blk.probe', submit: 'virtio-blk.submit', host: 'virtio-blk.host', irq: 'virtio-blk.irq' };

export function virtioBlkRegister(m: Machine): void {
  if (m.hasService(EV.probe)) return;
  m.provide(EV.probe, m.on(EV.probe, probe));
  m.provide(EV.submit, m.on(EV.submit, queueRq));
  m.provide(EV.host, m.on(EV.host, hostProcess));
  m.provide(EV.irq, m.on(EV.irq, virtblkDone));
}

export function virtioBlkStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.service<number>(EV.probe), index, 0, PRIO.kernel);
}

const devOf = (m: Machine, index: number): VirtioBlkState => m.model<DevicesState>('devices').list[index] as VirtioBlkState;

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
  return { name: `${dev.name}.virtio`, kind: 'virtio', dmaMaskBits: 32, dmaOps: dev.dmaOps, translator: dev.translator, maxSegmentSize: 0 };
}

/** virtio_max_dma_size (v5.4): SIZE_MAX unless vring_use_dma_api, then dma_max_mapping_size. */
function virtioMaxDmaSize(m: Machine, dev: VirtioBlkState): number {
  return dev.useDmaApi ? dmaMaxMappingSize(m, virtioDeviceOf(dev)) : Infinity;
}

/** virtblk_probe's queue limits. */
function probe(m: Machine, index: number): void {
  const dev = devOf(m, index);
  let maxSize: number;
  let maxMappingSize: number | null = null;
  let why: string;
  if (m.behaviour('virtio-blk-max-segment') === 'unlimited') {
    maxSize = dev.sizeMax || BLK_MAX_SEGMENT_UNLIMITED;
    why = dev.sizeMax ? 'size_max' : 'v5.0: -1U, dma_max_mapping_size not consulted';
  } else {
    const v = virtioMaxDmaSize(m, dev);
    maxMappingSize = Number.isFinite(v) ? v : null;
    maxSize = Math.min(v, dev.sizeMax || Infinity, BLK_MAX_SEGMENT_UNLIMITED); // a u32 in virtblk_probe
    why = dev.sizeMax && dev.sizeMax <= v ? 'size_max' : Number.isFinite(v) ? 'virtio_max_dma_size (swiotlb)' : 'virtio_max_dma_size = SIZE_MAX';
  }
  dev.limits = { maxSegmentSize: maxSize, maxSegments: dev.segMax, segBoundaryMask: BLK_SEG_BOUNDARY_MASK };
  m.emit('blk-queue', { dev: dev.name, maxSegmentSize: maxSize, maxSegments: dev.segMax, maxMappingSize, why });
  if (dev.requests.length) m.schedule(1, m.service<number>(EV.submit), index, 0, PRIO.kernel);
}

/** vring_map_one_sg: dma_map_page, or the physical address when the DMA API is not used. */
function vringMapOneSg(m: Machine, dev: VirtioBlkState, pa: number, len: number, dir: DmaDirection): number {
  return dev.useDmaApi ? dmaMapPage(m, dev, pa, len, dir) : pa;
}

/** vring_unmap_one_split: the direction comes from the descriptor's WRITE flag. */
function vringUnmapOne(m: Machine, dev: VirtioBlkState, d: Desc): void {
  if (dev.useDmaApi) dmaUnmapPage(m, dev, d.dma, d.len, d.flags & VRING_DESC_F_WRITE ? 'from-device' : 'to-device');
}

function writeDesc(m: Machine, pa: number, d: Desc, next: number): void {
  write32(m.state.mem, pa, d.dma % 2 ** 32);
  write32(m.state.mem, pa + 4, Math.floor(d.dma / 2 ** 32));
  write32(m.state.mem, pa + 8, d.len);
  write32(m.state.mem, pa + 12, (d.flags & 0xffff) | ((next & 0xffff) << 16));
}

/** virtio_queue_rq + virtblk_add_req + virtqueue_add_split. */
function queueRq(m: Machine, index: number): void {
  const dev = devOf(m, index);
  const reqNo = dev.next;
  const rq = dev.requests[reqNo];
  if (dev.stopped) {
    m.emit('blk-req', { dev: dev.name, req: reqNo, phase: 'stalled', op: rq.op, sector: rq.sector, bytes: rq.bytes, segments: 0, status: 'hctx stopped by the failed dispatch; nothing in flight restarts it' });
    return;
  }
  const sgl = blkRqMapSg(dev.limits!, rq.pa, rq.bytes);
  m.emit('blk-req', { dev: dev.name, req: reqNo, phase: 'submit', op: rq.op, sector: rq.sector, bytes: rq.bytes, segments: sgl.length });
  // The driver fills out_hdr in its request pdu with the CPU.
  write32(m.state.mem, dev.pduPa, rq.op === 'write' ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN);
  write32(m.state.mem, dev.pduPa + 4, 0);
  write32(m.state.mem, dev.pduPa + 8, rq.sector % 2 ** 32);
  write32(m.state.mem, dev.pduPa + 12, Math.floor(rq.sector / 2 ** 32));
  const hdr = { pa: dev.pduPa, length: OUTHDR_SIZE };
  const status = { pa: dev.pduPa + OUTHDR_SIZE, length: 1 };
  const out: { pa: number; length: number }[] = rq.op === 'write' ? [hdr, ...sgl] : [hdr];
  const inn: { pa: number; length: number }[] = rq.op === 'write' ? [status] : [...sgl, status];
  const descs = addSplit(m, dev, out, inn);
  if (typeof descs === 'string') return failRequest(m, index, dev, reqNo, rq, sgl, descs);
  dev.inflight = { descs, tableMapped: dev.tableDma, segments: sgl.length };
  if (dev.indirect) {
    const t = vringMapSingleTable(m, dev, descs.length);
    if (t === DMA_MAPPING_ERROR) {
      for (const d of descs) vringUnmapOne(m, dev, d);
      dev.inflight = null;
      return failRequest(m, index, dev, reqNo, rq, sgl, 'dma mapping of the indirect table failed');
    }
    dev.inflight.tableMapped = t;
  }
  m.schedule(dev.latencyNs, m.service<number>(EV.host), index, descs.length, PRIO.device);
}

/** The two loops of virtqueue_add_split; on a mapping error, unmap_release and -EIO. */
function addSplit(m: Machine, dev: VirtioBlkState, out: { pa: number; length: number }[], inn: { pa: number; length: number }[]): Desc[] | string {
  const descs: Desc[] = [];
  const all = [...out.map((s) => ({ s, dir: 'to-device' as const })), ...inn.map((s) => ({ s, dir: 'from-device' as const }))];
  for (const { s, dir } of all) {
    const dma = vringMapOneSg(m, dev, s.pa, s.length, dir);
    if (dma === DMA_MAPPING_ERROR) {
      // unmap_release. With one request in flight the ring head is always 0, where v5.0's
      // walk (indirect entries indexed through the ring's next pointers) is still right.
      for (const d of descs) vringUnmapOne(m, dev, d);
      return `dma_map_page of ${s.length} bytes failed (-EIO from virtqueue_add_split)`;
    }
    const d = { dma, len: s.length, flags: dir === 'from-device' ? VRING_DESC_F_WRITE : 0 };
    descs.push(d);
  }
  descs.forEach((d, i) => writeDesc(m, dev.tablePa + i * VRING_DESC_SIZE, { ...d, flags: d.flags | (i < descs.length - 1 ? VRING_DESC_F_NEXT : 0) }, i + 1));
  return descs;
}

/** vring_map_single(vq, desc, total_sg * sizeof(struct vring_desc), DMA_TO_DEVICE). */
function vringMapSingleTable(m: Machine, dev: VirtioBlkState, n: number): number {
  return dev.useDmaApi ? dmaMapSingle(m, dev, dev.tablePa, n * VRING_DESC_SIZE, 'to-device') : dev.tablePa;
}

function failRequest(m: Machine, index: number, dev: VirtioBlkState, reqNo: number, rq: BlkRequest, sgl: Scatterlist[], reason: string): void {
  dev.stopped = true; // blk_mq_stop_hw_queue(hctx) before returning BLK_STS_IOERR
  m.emit('io-error', { dev: dev.name, req: reqNo, sector: rq.sector, bytes: rq.bytes, status: 'BLK_STS_IOERR', reason });
  m.emit('blk-req', { dev: dev.name, req: reqNo, phase: 'complete', op: rq.op, sector: rq.sector, bytes: rq.bytes, segments: sgl.length, status: 'BLK_STS_IOERR', sum: checksum(m.state.mem, rq.pa, rq.bytes) });
  nextRequest(m, index, dev);
}

function nextRequest(m: Machine, index: number, dev: VirtioBlkState): void {
  dev.next++;
  if (dev.next < dev.requests.length) m.schedule(dev.gapNs, m.service<number>(EV.submit), index, 0, PRIO.kernel);
  else m.emit('dev-done', { dev: dev.name, rounds: dev.next });
}

/** The host side: walk the descriptor table it reads through DMA and serve the request. */
function hostProcess(m: Machine, index: number, n: number): void {
  const dev = devOf(m, index);
  const fl = dev.inflight!;
  const table = deviceRead(m, dev, fl.tableMapped, n * VRING_DESC_SIZE).data;
  const dv = new DataView(table.buffer);
  const descs: Desc[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * VRING_DESC_SIZE;
    descs.push({ dma: dv.getUint32(o, true) + dv.getUint32(o + 4, true) * 2 ** 32, len: dv.getUint32(o + 8, true), flags: dv.getUint16(o + 12, true) });
  }
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
  m.schedule(1, m.service<number>(EV.irq), index, 0, PRIO.irq);
}

/** virtblk_done -> detach_buf_split (table first, then each entry) -> virtblk_request_done. */
function virtblkDone(m: Machine, index: number): void {
  const dev = devOf(m, index);
  const fl = dev.inflight!;
  const rq = dev.requests[dev.next];
  if (dev.indirect && dev.useDmaApi) dmaUnmapSingle(m, dev, fl.tableMapped, fl.descs.length * VRING_DESC_SIZE, 'to-device');
  for (const d of fl.descs) vringUnmapOne(m, dev, d);
  dev.inflight = null;
  const st = read8(m.state.mem, dev.pduPa + OUTHDR_SIZE); // vbr->status, as the CPU sees it
  const status = st === VIRTIO_BLK_S_OK ? 'BLK_STS_OK' : 'BLK_STS_IOERR';
  if (status !== 'BLK_STS_OK') {
    m.emit('io-error', { dev: dev.name, req: dev.next, sector: rq.sector, bytes: rq.bytes, status, reason: `device status ${st}` });
  }
  m.emit('blk-req', { dev: dev.name, req: dev.next, phase: 'complete', op: rq.op, sector: rq.sector, bytes: rq.bytes, segments: fl.segments, status, sum: checksum(m.state.mem, rq.pa, rq.bytes) });
  nextRequest(m, index, dev);
}
