/**
 * dma-debug (kernel/dma/debug.c, CONFIG_DMA_API_DEBUG; the same messages in v5.0.1 and
 * v5.4.1): every successful map adds an entry (device, dma address, size, direction, phys);
 * unmap and sync look the entry up and complain, through err_printk, when the call does
 * not match it. Each complaint is a `dma-debug` record and the message as a kernel log
 * line (err_printk is WARN(1, "DMA-API: %s %s: " ...)): the WARN's own "WARNING: CPU: ..."
 * line is left out.
 *
 * The checks run only with CONFIG_DMA_API_DEBUG (the dma-api-debug row: `--override
 * dma-api-debug=on`); the live mappings are kept always, for `info mappings`.
 *
 * One check the kernel cannot make: a device touching a buffer after its driver unmapped
 * it (dma-debug sees only the API). Unmapped entries are kept (the latest few per machine)
 * until a new mapping covers them, and a device access inside one is flagged.
 */
import type { Machine } from '../machine.ts';
import { modelKey } from '../core/keys.ts';
import type { DeviceBase } from '../devices/device.ts';
import { devPrefix } from '../devices/identity.ts';
import { printk } from '../core/printk.ts';
import type { DmaDirection } from './api.ts';
import type { DMA_DEBUG_CHECKS } from './kinds.ts';
import { DMA_API_DEBUG } from '../kernel.ts';

/** CONFIG_DMA_API_DEBUG built in (the dma-api-debug row, off unless a scenario or --override turns it on). */
const enabled = (m: Machine): boolean => m.behaviour(DMA_API_DEBUG) === 'on';

export interface DmaDebugEntry {
  readonly dev: string;
  readonly api: string;
  readonly dma: number;
  readonly size: number;
  readonly dir: DmaDirection;
  readonly pa: number;
  /** Seq of the map record that made it (the trace's record count when it was added). */
  readonly seq: number;
}

export interface DmaDebugState {
  /** Live mappings, in map order. */
  live: DmaDebugEntry[];
  /** Recently unmapped ones (at most FREED_KEEP), newest last. */
  freed: DmaDebugEntry[];
}

export const DMA_DEBUG_MODEL = modelKey<DmaDebugState>('dma-debug');
const FREED_KEEP = 64;

/** dir2name[] of kernel/dma/debug.c. */
const DIR2NAME: Readonly<Record<DmaDirection, string>> = { bidirectional: 'DMA_BIDIRECTIONAL', 'to-device': 'DMA_TO_DEVICE', 'from-device': 'DMA_FROM_DEVICE' };

function state(m: Machine): DmaDebugState {
  return m.findModel(DMA_DEBUG_MODEL) ?? m.addModel(DMA_DEBUG_MODEL, { live: [], freed: [] });
}

/** "0x%016llx". */
function addr64(n: number): string {
  return '0x' + Math.floor(n / 2 ** 32).toString(16).padStart(8, '0') + (n % 2 ** 32 >>> 0).toString(16).padStart(8, '0');
}

type Check = (typeof DMA_DEBUG_CHECKS)[number];

/** err_printk: the record, then the message line. */
function errPrintk(m: Machine, dev: DeviceBase, check: Check, iova: number, size: number, msg: string): void {
  const text = `DMA-API: ${devPrefix(m, dev)}${msg}`;
  m.emit('dma-debug', { dev: dev.name, check, iova, size, text });
  printk(m, 'warning', text);
}

const overlaps = (e: DmaDebugEntry, dev: string, lo: number, hi: number) => e.dev === dev && e.dma < hi && e.dma + e.size > lo;

/** debug_dma_map_page (and each entry of debug_dma_map_sg): a successful map adds an entry. */
export function debugDmaMapPage(m: Machine, dev: DeviceBase, api: string, dma: number, pa: number, size: number, dir: DmaDirection): void {
  const st = state(m);
  st.live.push({ dev: dev.name, api, dma, size, dir, pa, seq: m.state.traceCount - 1 });
  // A new mapping rarely covers a recently freed one: look before building the list anew.
  const freed = st.freed;
  for (let i = 0; i < freed.length; i++) {
    if (overlaps(freed[i], dev.name, dma, dma + size)) {
      st.freed = freed.filter((e) => !overlaps(e, dev.name, dma, dma + size));
      return;
    }
  }
}

/** The live entry of this device at this dma address (check_unmap's hash_bucket_find), or -1. */
function liveIndex(live: readonly DmaDebugEntry[], dev: string, dma: number): number {
  for (let i = 0; i < live.length; i++) if (live[i].dma === dma && live[i].dev === dev) return i;
  return -1;
}

/** live.splice(i, 1) without the array of removed entries splice returns (one per unmap). */
function removeAt(live: DmaDebugEntry[], i: number): void {
  for (let j = i + 1; j < live.length; j++) live[j - 1] = live[j];
  live.pop();
}

/** check_unmap: the entry with this device and dma address must exist and match. */
export function debugDmaUnmapPage(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void {
  const st = state(m);
  const i = liveIndex(st.live, dev.name, dma);
  if (!enabled(m)) {
    if (i >= 0) removeAt(st.live, i);
    return;
  }
  if (i < 0) {
    errPrintk(m, dev, 'unmap-not-mapped', dma, size, `device driver tries to free DMA memory it has not allocated [device address=${addr64(dma)}] [size=${size} bytes]`);
    return;
  }
  const e = st.live[i];
  if (e.size !== size) {
    errPrintk(m, dev, 'unmap-size', dma, size, `device driver frees DMA memory with different size [device address=${addr64(dma)}] [map size=${e.size} bytes] [unmap size=${size} bytes]`);
  }
  if (e.dir !== dir) {
    errPrintk(m, dev, 'unmap-dir', dma, size, `device driver frees DMA memory with different direction [device address=${addr64(dma)}] [size=${size} bytes] [mapped with ${DIR2NAME[e.dir]}] [unmapped with ${DIR2NAME[dir]}]`);
  }
  removeAt(st.live, i);
  st.freed.push(e);
  if (st.freed.length > FREED_KEEP) st.freed.shift();
}

/** check_sync: the range must lie in a live entry of the device, synced in its direction. */
export function debugDmaSync(m: Machine, dev: DeviceBase, dma: number, size: number, dir: DmaDirection): void {
  if (!enabled(m)) return;
  const st = state(m);
  const e = st.live.find((x) => x.dev === dev.name && dma >= x.dma && dma < x.dma + x.size);
  if (!e) {
    errPrintk(m, dev, 'sync-not-mapped', dma, size, `device driver tries to sync DMA memory it has not allocated [device address=${addr64(dma)}] [size=${size} bytes]`);
    return;
  }
  // bucket_find_contain hands check_sync a ref whose size is offset + size.
  const end = dma - e.dma + size;
  if (end > e.size) {
    errPrintk(m, dev, 'sync-range', dma, size, `device driver syncs DMA memory outside allocated range [device address=${addr64(e.dma)}] [allocation size=${e.size} bytes] [sync offset+size=${end}]`);
  }
  if (e.dir === 'bidirectional') return;
  if (dir !== e.dir) {
    errPrintk(m, dev, 'sync-dir', dma, size, `device driver syncs DMA memory with different direction [device address=${addr64(dma)}] [size=${e.size} bytes] [mapped with ${DIR2NAME[e.dir]}] [synced with ${DIR2NAME[dir]}]`);
  }
}

/** A device access: inside a buffer its driver unmapped (and nothing maps again)? */
export function debugDmaDeviceAccess(m: Machine, dev: DeviceBase, addr: number, len: number): void {
  const st = m.findModel(DMA_DEBUG_MODEL);
  if (!st || !st.freed.length || !enabled(m)) return;
  const f = st.freed.find((e) => overlaps(e, dev.name, addr, addr + len));
  if (!f || st.live.some((e) => overlaps(e, dev.name, addr, addr + len))) return;
  const text = `dmadbg (not a kernel check): ${dev.name} accessed [device address=${addr64(addr)}] [size=${len} bytes] after its driver unmapped it (${f.api}, mapped at record ${f.seq})`;
  m.emit('dma-debug', { dev: dev.name, check: 'access-after-unmap', iova: addr, size: len, text });
}

/** Live mappings (debug_dma_dump_mappings' view), optionally of one device. */
export function dmaDebugMappings(m: Machine, dev?: string): readonly DmaDebugEntry[] {
  const live = m.findModel(DMA_DEBUG_MODEL)?.live ?? [];
  return dev ? live.filter((e) => e.dev === dev) : live;
}
