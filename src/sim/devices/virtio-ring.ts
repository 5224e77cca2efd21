/**
 * The split virtqueue as the driver uses it (drivers/virtio/virtio_ring.c, v5.0.1 and
 * v5.4.1): descriptors in an indirect table, each buffer mapped on its own with
 * dma_map_page (vring_map_one_sg: "We can't use dma_map_sg"), the table itself mapped
 * with dma_map_single, and the reverse at detach. One request in flight, so the ring head
 * is always descriptor 0 and the avail/used rings are not modelled.
 */
import type { Machine } from '../machine.ts';
import { write32 } from '../mem/phys.ts';
import {
  DMA_MAPPING_ERROR,
  type DmaDirection,
  dmaMapPage,
  dmaMapSingle,
  dmaUnmapPage,
  dmaUnmapSingle,
} from '../dma/api.ts';
import type { DeviceBase } from './device.ts';

export const VRING_DESC_F_NEXT = 1;
export const VRING_DESC_F_WRITE = 2;
export const VRING_DESC_SIZE = 16; // struct vring_desc: addr u64, len u32, flags u16, next u16

/** One descriptor as the driver wrote it: dma address, length, flags. */
export interface Desc {
  dma: number;
  len: number;
  flags: number;
}

/** A buffer to add: an out (device reads) or in (device writes) scatterlist entry. */
export interface VqBuf {
  pa: number;
  length: number;
}

/** The part of a virtqueue the driver side needs. */
export interface Vq {
  /** vring_use_dma_api(): VIRTIO_F_IOMMU_PLATFORM negotiated (or a Xen guest). */
  useDmaApi: boolean;
  /** VIRTIO_RING_F_INDIRECT_DESC: descriptors go in a table of their own. */
  indirect: boolean;
  /** The descriptor table: kmalloc'd indirect table, or the ring's coherent desc area. */
  tablePa: number;
}

/** vring_map_one_sg: dma_map_page, or the physical address when the DMA API is not used. */
function vringMapOneSg(m: Machine, dev: DeviceBase, vq: Vq, buf: VqBuf, dir: DmaDirection): number {
  return vq.useDmaApi ? dmaMapPage(m, dev, buf.pa, buf.length, dir) : buf.pa;
}

/** vring_unmap_one_split: the direction comes from the descriptor's WRITE flag. */
function vringUnmapOneSplit(m: Machine, dev: DeviceBase, vq: Vq, d: Desc): void {
  if (!vq.useDmaApi) return;
  dmaUnmapPage(m, dev, d.dma, d.len, d.flags & VRING_DESC_F_WRITE ? 'from-device' : 'to-device');
}

function writeDesc(m: Machine, pa: number, d: Desc, next: number): void {
  write32(m.state.mem, pa, d.dma % 2 ** 32);
  write32(m.state.mem, pa + 4, Math.floor(d.dma / 2 ** 32));
  write32(m.state.mem, pa + 8, d.len);
  write32(m.state.mem, pa + 12, (d.flags & 0xffff) | ((next & 0xffff) << 16));
}

export type AddResult =
  | { readonly ok: true; readonly descs: Desc[]; readonly tableDma: number }
  | { readonly ok: false; readonly reason: string };

/**
 * virtqueue_add_split: map the out buffers TO_DEVICE and the in buffers FROM_DEVICE, one
 * at a time, write the descriptors, then map the indirect table. Any mapping error goes
 * to unmap_release (unmap what was mapped) and returns -EIO. With head 0, v5.0's walk of
 * indirect entries through the ring's next pointers happens to visit the right ones.
 */
export function virtqueueAddSplit(
  m: Machine,
  dev: DeviceBase,
  vq: Vq,
  out: VqBuf[],
  inn: VqBuf[],
): AddResult {
  const descs: Desc[] = [];
  const bufs = [
    ...out.map((b) => ({ b, dir: 'to-device' as const, flags: 0 })),
    ...inn.map((b) => ({ b, dir: 'from-device' as const, flags: VRING_DESC_F_WRITE })),
  ];
  for (const { b, dir, flags } of bufs) {
    const dma = vringMapOneSg(m, dev, vq, b, dir);
    if (dma === DMA_MAPPING_ERROR) {
      for (const d of descs) vringUnmapOneSplit(m, dev, vq, d);
      return {
        ok: false,
        reason: `dma_map_page of ${b.length} bytes failed (-EIO from virtqueue_add_split)`,
      };
    }
    descs.push({ dma, len: b.length, flags });
  }
  descs.forEach((d, i) => {
    const flags = d.flags | (i < descs.length - 1 ? VRING_DESC_F_NEXT : 0);
    writeDesc(m, vq.tablePa + i * VRING_DESC_SIZE, { ...d, flags }, i + 1);
  });
  if (!vq.indirect || !vq.useDmaApi) return { ok: true, descs, tableDma: vq.tablePa };
  // vring_map_single(vq, desc, total_sg * sizeof(struct vring_desc), DMA_TO_DEVICE)
  const tableDma = dmaMapSingle(m, dev, vq.tablePa, descs.length * VRING_DESC_SIZE, 'to-device');
  if (tableDma === DMA_MAPPING_ERROR) {
    for (const d of descs) vringUnmapOneSplit(m, dev, vq, d);
    return {
      ok: false,
      reason: 'dma_map_single of the indirect table failed (-EIO from virtqueue_add_split)',
    };
  }
  return { ok: true, descs, tableDma };
}

/** detach_buf_split: the head (the indirect table, DMA_TO_DEVICE) first, then each entry. */
export function detachBufSplit(
  m: Machine,
  dev: DeviceBase,
  vq: Vq,
  descs: Desc[],
  tableDma: number,
): void {
  const tableLen = descs.length * VRING_DESC_SIZE;
  if (vq.indirect && vq.useDmaApi) dmaUnmapSingle(m, dev, tableDma, tableLen, 'to-device');
  for (const d of descs) vringUnmapOneSplit(m, dev, vq, d);
}

/** The device's view: parse n descriptors it read through DMA. */
export function parseDescTable(table: Uint8Array, n: number): Desc[] {
  const dv = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const descs: Desc[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * VRING_DESC_SIZE;
    const dma = dv.getUint32(o, true) + dv.getUint32(o + 4, true) * 2 ** 32;
    descs.push({ dma, len: dv.getUint32(o + 8, true), flags: dv.getUint16(o + 12, true) });
  }
  return descs;
}
