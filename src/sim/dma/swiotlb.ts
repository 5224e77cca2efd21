/**
 * SWIOTLB bouncing (kernel/dma/swiotlb.c, v5.0.1; v5.4.1 has the same algorithm): map
 * claims slots and copies orig -> bounce for TO_DEVICE/BIDIRECTIONAL, unmap copies
 * bounce -> orig for FROM_DEVICE/BIDIRECTIONAL and frees, sync copies the way the
 * target needs. Every step is a trace record; a full pool is `swiotlb-full`, not a throw.
 */
import type { Machine } from '../machine.ts';
import type { FieldsFor } from '../trace-kinds.ts';
import { kfunc } from '../core/kstack.ts';
import type { Fresh } from './fresh.ts';
import { assert } from '../core/assert.ts';
import { copy } from '../mem/phys.ts';
import { type DeviceBase, dmaSegBoundaryOf } from '../devices/device.ts';
import { DMA_ATTR_NO_WARN, DMA_ATTR_SKIP_CPU_SYNC, DMA_MAPPING_ERROR, type DmaDirection } from './api.ts';
import { printk, printkRatelimit } from '../core/printk.ts';
import { devPrefix } from '../devices/identity.ts';
import { kernelRelease } from '../kernel.ts';
import { INVALID_PHYS_ADDR, IO_TLB_SIZE, type SwiotlbState, swiotlbOf } from './swiotlb-state.ts';
import {
  type SlotRequest,
  slotRequest,
  swiotlbClaim,
  swiotlbFindSlots,
  swiotlbLargestFree,
  swiotlbRelease,
} from './swiotlb-slots.ts';

const towardDevice = (dir: DmaDirection): boolean => dir === 'to-device' || dir === 'bidirectional';
const towardCpu = (dir: DmaDirection): boolean => dir === 'from-device' || dir === 'bidirectional';

function ownerIndex(st: SwiotlbState, dev: DeviceBase): number {
  let i = st.owners.indexOf(dev.name);
  if (i < 0) i = st.owners.push(dev.name) - 1;
  return i;
}

/**
 * swiotlb_bounce(orig, tlb, size, dir): TO_DEVICE copies orig -> tlb, else tlb -> orig.
 * The record of the step that calls it carries `copied`; a copy has no record of its own.
 */
function swiotlbBounce(
  m: Machine,
  orig: number,
  tlb: number,
  size: number,
  toDevice: boolean,
): void {
  if (toDevice) copy(m.state.mem, tlb, orig, size);
  else copy(m.state.mem, orig, tlb, size);
}

/** A record object filled anew for every record (Machine.reuses): seq, t and kind present from the start. */
type Reused<K extends 'swiotlb-map' | 'swiotlb-unmap' | 'swiotlb-sync'> = { -readonly [F in keyof FieldsFor<K>]: FieldsFor<K>[F] } & { seq: number; t: number; kind: K };

// One per kind: a bounce per map, unmap and sync, whose records usually only go to the trace
// store (then no object is allocated per record; see emitReused).
const mapRec: Reused<'swiotlb-map'> = { seq: 0, t: 0, kind: 'swiotlb-map', dev: '', orig: 0, tlb: 0, slot: 0, nslots: 0, size: 0, dir: 'to-device', copied: 0 };
const unmapRec: Reused<'swiotlb-unmap'> = { seq: 0, t: 0, kind: 'swiotlb-unmap', dev: '', orig: null, tlb: 0, slot: 0, nslots: 0, size: 0, dir: 'to-device', copied: 0 };
const syncRec: Reused<'swiotlb-sync'> = { seq: 0, t: 0, kind: 'swiotlb-sync', dev: '', orig: 0, tlb: 0, slot: 0, size: 0, dir: 'to-device', target: 'cpu', copied: 0 };

/** The swiotlb-map / swiotlb-unmap record (their fields are the same; unmap's orig may be null). */
function slotsRecord(m: Machine, kind: 'swiotlb-map' | 'swiotlb-unmap', dev: DeviceBase, orig: number | null, tlb: number, slot: number, nslots: number, size: number, dir: DmaDirection, copied: number): void {
  if (!m.reuses(kind)) {
    if (kind === 'swiotlb-map') {
      const r: Fresh<'swiotlb-map'> = { seq: 0, t: 0, kind, dev: dev.name, orig: orig!, tlb, slot, nslots, size, dir, copied };
      m.emit(kind, r);
    } else {
      const r: Fresh<'swiotlb-unmap'> = { seq: 0, t: 0, kind, dev: dev.name, orig, tlb, slot, nslots, size, dir, copied };
      m.emit(kind, r);
    }
    return;
  }
  const r = kind === 'swiotlb-map' ? mapRec : unmapRec;
  r.dev = dev.name;
  r.orig = orig!;
  r.tlb = tlb;
  r.slot = slot;
  r.nslots = nslots;
  r.size = size;
  r.dir = dir;
  r.copied = copied;
  m.emitReused(kind, r);
}

function syncRecord(m: Machine, dev: DeviceBase, orig: number, tlb: number, slot: number, size: number, dir: DmaDirection, target: 'cpu' | 'device', copied: number): void {
  if (!m.reuses('swiotlb-sync')) {
    const r: Fresh<'swiotlb-sync'> = { seq: 0, t: 0, kind: 'swiotlb-sync', dev: dev.name, orig, tlb, slot, size, dir, target, copied };
    m.emit('swiotlb-sync', r);
    return;
  }
  const r = syncRec;
  r.dev = dev.name;
  r.orig = orig;
  r.tlb = tlb;
  r.slot = slot;
  r.size = size;
  r.dir = dir;
  r.target = target;
  r.copied = copied;
  m.emitReused('swiotlb-sync', r);
}

const SWIOTLB_C = 'kernel/dma/swiotlb.c';
const F_SWIOTLB_TBL_MAP_SINGLE = kfunc('swiotlb_tbl_map_single', SWIOTLB_C, ['tbl_dma_addr', 'orig_addr', 'size']);
const F_SWIOTLB_TBL_UNMAP_SINGLE = kfunc('swiotlb_tbl_unmap_single', SWIOTLB_C, ['tlb_addr', 'size']);
const F_SWIOTLB_TBL_SYNC_SINGLE = kfunc('swiotlb_tbl_sync_single', SWIOTLB_C, ['tlb_addr', 'size']);

/**
 * swiotlb_tbl_map_single(dev, tbl_dma_addr, orig, size, dir, attrs): the bounce address,
 * or DMA_MAPPING_ERROR when no run of nslots free slots fits ("swiotlb buffer is full").
 */
export function swiotlbTblMapSingle(
  m: Machine,
  dev: DeviceBase,
  tblDmaAddr: number,
  orig: number,
  size: number,
  dir: DmaDirection,
  attrs: number,
): number {
  const k = m.kstack.enter(F_SWIOTLB_TBL_MAP_SINGLE, tblDmaAddr, orig, size);
  try {
    const st = swiotlbOf(m);
    assert(st !== undefined, 'swiotlb_tbl_map_single without a pool (the kernel panics here)');
    const rq = requestFor(size, tblDmaAddr, dmaSegBoundaryOf(dev));
    const index = swiotlbFindSlots(st, rq);
    if (index < 0) {
      const largest = swiotlbLargestFree(st);
      st.lastFull = { dev: dev.name, size, nslots: rq.nslots, t: m.state.now };
      m.emit('swiotlb-full', {
        dev: dev.name,
        size,
        nslots: rq.nslots,
        largest: largest.nslots,
        largestBytes: largest.nslots * IO_TLB_SIZE,
        free: st.nslabs - st.used,
        cursor: st.index,
      });
      // not_found: v5.0.1 prints the size; v5.4.1 adds the pool's total and used slots.
      if (!(attrs & DMA_ATTR_NO_WARN) && printkRatelimit(m, 'swiotlb_tbl_map_single')) {
        const total = kernelRelease(m.config.kernel) === 'v5.4' ? `, total ${st.nslabs} (slots), used ${st.used} (slots)` : '';
        printk(m, 'warning', `${devPrefix(m, dev)}swiotlb buffer is full (sz: ${size} bytes)${total}`);
      }
      return DMA_MAPPING_ERROR;
    }
    swiotlbClaim(st, index, rq.nslots, orig, ownerIndex(st, dev));
    const tlb = st.start + index * IO_TLB_SIZE;
    const copies = !(attrs & DMA_ATTR_SKIP_CPU_SYNC) && towardDevice(dir);
    slotsRecord(m, 'swiotlb-map', dev, orig, tlb, index, rq.nslots, size, dir, copies ? size : 0);
    if (copies) swiotlbBounce(m, orig, tlb, size, true);
    return tlb;
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * The slot geometry of the last request (slotRequest), kept: a driver maps the same size
 * through the same pool and device again and again, and the geometry is a pure function
 * of those three numbers.
 */
let lastSize = -1;
let lastTbl = -1;
let lastMask = -1;
let lastRq: SlotRequest = slotRequest(1, 0, 0);

function requestFor(size: number, tblDmaAddr: number, segBoundaryMask: number): SlotRequest {
  if (size !== lastSize || tblDmaAddr !== lastTbl || segBoundaryMask !== lastMask) {
    lastRq = slotRequest(size, tblDmaAddr, segBoundaryMask);
    lastSize = size;
    lastTbl = tblDmaAddr;
    lastMask = segBoundaryMask;
  }
  return lastRq;
}

/** swiotlb_tbl_unmap_single: copy back for FROM_DEVICE/BIDIRECTIONAL, then free and merge. */
export function swiotlbTblUnmapSingle(
  m: Machine,
  dev: DeviceBase,
  tlb: number,
  size: number,
  dir: DmaDirection,
  attrs: number,
): void {
  const k = m.kstack.enter(F_SWIOTLB_TBL_UNMAP_SINGLE, tlb, size);
  try {
    const st = swiotlbOf(m);
    assert(st !== undefined, 'swiotlb_tbl_unmap_single without a pool');
    const nslots = Math.ceil(size / IO_TLB_SIZE);
    const index = Math.floor((tlb - st.start) / IO_TLB_SIZE);
    const orig = st.origAddr[index];
    const copies = orig !== INVALID_PHYS_ADDR && !(attrs & DMA_ATTR_SKIP_CPU_SYNC) && towardCpu(dir);
    slotsRecord(m, 'swiotlb-unmap', dev, orig === INVALID_PHYS_ADDR ? null : orig, tlb, index, nslots, size, dir, copies ? size : 0);
    if (copies) swiotlbBounce(m, orig, tlb, size, false);
    swiotlbRelease(st, index, nslots);
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * swiotlb_tbl_sync_single: the original address of the slot plus tlb's offset inside it.
 * SYNC_FOR_CPU copies bounce -> orig for FROM_DEVICE/BIDIRECTIONAL; SYNC_FOR_DEVICE copies
 * orig -> bounce for TO_DEVICE/BIDIRECTIONAL; the other direction copies nothing.
 */
export function swiotlbTblSyncSingle(
  m: Machine,
  dev: DeviceBase,
  tlb: number,
  size: number,
  dir: DmaDirection,
  target: 'cpu' | 'device',
): void {
  const k = m.kstack.enter(F_SWIOTLB_TBL_SYNC_SINGLE, tlb, size);
  try {
    const st = swiotlbOf(m);
    assert(st !== undefined, 'swiotlb_tbl_sync_single without a pool');
    const index = Math.floor((tlb - st.start) / IO_TLB_SIZE);
    let orig = st.origAddr[index];
    if (orig === INVALID_PHYS_ADDR) return;
    orig += (tlb - st.start) % IO_TLB_SIZE; // orig_addr += tlb_addr & ((1 << IO_TLB_SHIFT) - 1)
    const copies = target === 'cpu' ? towardCpu(dir) : towardDevice(dir);
    syncRecord(m, dev, orig, tlb, index, size, dir, target, copies ? size : 0);
    if (copies) swiotlbBounce(m, orig, tlb, size, target === 'device');
  } finally {
    m.kstack.leave(k);
  }
}
