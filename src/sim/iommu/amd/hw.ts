/**
 * The AMD IOMMU hardware side of the command buffer and the event log.
 *
 * Commands: the driver copies 16 bytes to the ring at the tail and writes MMIO_CMD_TAIL
 * (copy_cmd_to_buffer); the IOMMU fetches and executes in order. Here the command processor
 * keeps up: it executes each command as the tail moves past it, so the head follows the tail
 * and COMPLETION_WAIT's store has happened by the time the driver polls cmd_sem. The ring
 * itself lives in DRAM (x/4w shows it).
 *
 * Events: on a fault the IOMMU writes a 16-byte entry at the event-log tail and raises the
 * event-log interrupt; the driver's thread (evtlog.ts) reads entries from head to tail later,
 * `irqLatency` after the first unreported event.
 */
import { ridText } from '../../pci/bdf.ts';
import type { Machine } from '../../machine.ts';
import { PRIO } from '../../machine.ts';
import { eventKey } from '../../core/keys.ts';
import { read32, write32 } from '../../mem/phys.ts';
import {
  ALL_PAGES_HI,
  ALL_PAGES_LO,
  CMD_BUFFER_SIZE,
  CMD_COMPL_WAIT,
  CMD_COMPL_WAIT_STORE_MASK,
  CMD_ENTRY_SIZE,
  CMD_INV_ALL,
  CMD_INV_DEV_ENTRY,
  CMD_INV_IOMMU_PAGES,
  CMD_INV_IOMMU_PAGES_GN_MASK,
  CMD_INV_IOMMU_PAGES_PDE_MASK,
  CMD_INV_IOMMU_PAGES_SIZE_MASK,
  CMD_INV_IOTLB_PAGES,
  CMD_NAMES,
  EVENT_ENTRY_SIZE,
  EVT_BUFFER_SIZE,
} from './defs.ts';
import type { CmdWords } from './cmd.ts';
import { amdIotlbInvalidate, amdIotlbInvalidateAll } from './iotlb.ts';
import { DEVICES } from '../../devices/device.ts';
import type { SvaDeviceState } from '../../devices/sva-device.ts';
import { atcInvalidate, atcInvalidatePasid } from '../ats/atc.ts';
import { type AmdIommu, amdState } from './state.ts';
import { SZ_4G, ffz64 } from './words.ts';

/** The driver thread that polls the event log (amd_iommu_int_thread); `a` is the IOMMU index. */
export const AMD_EVT_IRQ = eventKey('amd.evt-irq');

/** "%02x:%02x.%x" of a requester id, as the kernel prints devid. */
/** A devid as the driver prints it ("%02x:%02x.%x"). */
export const devidText = ridText;

/** A command's address field (bits 63:12 of data[3]:data[2]); a bigint past 2^53. */
function cmdAddress(lo: number, hi: number): number | bigint {
  const a = (lo & 0xffff_f000) >>> 0;
  return hi < 0x20_0000 ? a + hi * SZ_4G : (BigInt(hi) << 32n) | BigInt(a);
}

/**
 * copy_cmd_to_buffer + the IOMMU executing the entry. `sync` is what the caller passes to
 * __iommu_queue_command_sync (iommu->need_sync). Returns the ring slot used.
 */
export function amdQueueCommand(m: Machine, iommu: AmdIommu, w: CmdWords, by: string, sync: boolean): number {
  const slot = iommu.cmdTail / CMD_ENTRY_SIZE;
  const at = iommu.cmdBase + iommu.cmdTail;
  for (let i = 0; i < 4; i++) write32(m.state.mem, at + 4 * i, w[i]);
  iommu.cmdTail = (iommu.cmdTail + CMD_ENTRY_SIZE) % CMD_BUFFER_SIZE;
  iommu.needSync = sync;
  iommu.cmds++;
  const op = w[1] >>> 28;
  const name = CMD_NAMES[op] ?? 'INVALIDATE_IOMMU_ALL';
  const s = (w[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK) !== 0;
  switch (op) {
    case CMD_INV_IOMMU_PAGES:
      m.emit('amd-cmd', { iommu: iommu.name, slot, cmd: name, dw: w, domid: w[1] & 0xffff, address: cmdAddress(w[2], w[3]), s, pde: (w[2] & CMD_INV_IOMMU_PAGES_PDE_MASK) !== 0, by });
      break;
    case CMD_INV_IOTLB_PAGES:
      m.emit('amd-cmd', { iommu: iommu.name, slot, cmd: name, dw: w, devid: devidText(w[0] & 0xffff), address: cmdAddress(w[2], w[3]), s, by });
      break;
    case CMD_INV_DEV_ENTRY:
      m.emit('amd-cmd', { iommu: iommu.name, slot, cmd: name, dw: w, devid: devidText(w[0] & 0xffff), by });
      break;
    default:
      m.emit('amd-cmd', { iommu: iommu.name, slot, cmd: name, dw: w, by });
  }
  amdExecute(m, iommu, w);
  iommu.cmdHead = iommu.cmdTail;
  return slot;
}

/** The IOMMU executes one command. */
function amdExecute(m: Machine, iommu: AmdIommu, w: CmdWords): void {
  switch (w[1] >>> 28) {
    case CMD_COMPL_WAIT:
      // The store bit: write data[3]:data[2] (the value 1) to the 8-byte-aligned address.
      if (w[0] & CMD_COMPL_WAIT_STORE_MASK) {
        const pa = ((w[0] & 0xffff_fff8) >>> 0) + (w[1] & 0x000f_ffff) * SZ_4G;
        write32(m.state.mem, pa, w[2]);
        write32(m.state.mem, pa + 4, w[3]);
      }
      return;
    case CMD_INV_IOMMU_PAGES: {
      // GN: a guest (PASID) invalidation; this IOTLB holds no PASID translations.
      if (w[2] & CMD_INV_IOMMU_PAGES_GN_MASK) return;
      const domid = w[1] & 0xffff;
      const pde = (w[2] & CMD_INV_IOMMU_PAGES_PDE_MASK) !== 0;
      const s = (w[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK) !== 0;
      const lo = (w[2] & 0xffff_f000) >>> 0;
      if (s && lo === ALL_PAGES_LO && w[3] === ALL_PAGES_HI) {
        const dropped = amdIotlbInvalidate(iommu.iotlb, domid);
        m.emit('iotlb-inval', { iommu: iommu.name, domid, scope: 'all', pde, dropped });
        return;
      }
      // S with any other address: the size is encoded by the lowest clear bit above 11, as in ATS.
      const size = s ? 2 ** (ffz64(lo | 0xfff, w[3]) + 1) : 4096;
      const addr = lo + w[3] * SZ_4G;
      const start = addr - (addr % size);
      const dropped = amdIotlbInvalidate(iommu.iotlb, domid, start, start + size);
      m.emit('iotlb-inval', { iommu: iommu.name, domid, scope: s ? 'range' : 'page', start, end: start + size, pde, dropped });
      return;
    }
    case CMD_INV_ALL:
      amdIotlbInvalidateAll(iommu.iotlb);
      return;
    case CMD_INV_IOTLB_PAGES:
      atcDropped = invalidateDeviceIotlb(m, w);
      return;
    default:
      // INVALIDATE_DEVTAB_ENTRY: the model reads the device table on every walk (no DTE
      // cache), so there is nothing cached to drop.
      return;
  }
}

/** ATC entries the last INVALIDATE_IOTLB_PAGES dropped (read right after queueing it). */
let atcDropped = 0;
export const amdLastAtcDropped = (): number => atcDropped;

/**
 * INVALIDATE_IOTLB_PAGES passed on to the device as an ATS invalidation: only IOMMUv2
 * devices here have an ATC (DMA-path devices with `ats` have none modelled). With GN the
 * PASID is data[0] bits 23:16 (high byte) and data[1] bits 23:16 (low byte).
 */
function invalidateDeviceIotlb(m: Machine, w: CmdWords): number {
  const devid = w[0] & 0xffff;
  const dd = amdState(m).devs.find((d) => d.v2 && d.devid === devid);
  if (!dd) return 0;
  const atc = (m.model(DEVICES).list[dd.devIndex] as SvaDeviceState).atc;
  const pasid = (((w[0] >>> 16) & 0xff) << 8) | ((w[1] >>> 16) & 0xff);
  const s = (w[2] & CMD_INV_IOMMU_PAGES_SIZE_MASK) !== 0;
  const lo = (w[2] & 0xffff_f000) >>> 0;
  if (s && lo === ALL_PAGES_LO && w[3] === ALL_PAGES_HI) return atcInvalidatePasid(atc, pasid);
  const size = s ? 2 ** (ffz64(lo | 0xfff, w[3]) + 1) : 4096;
  const start = Math.floor((lo + w[3] * SZ_4G) / size) * size;
  return atcInvalidate(atc, pasid, start / 4096, (start + size) / 4096);
}

/** The 64-bit semaphore at semPa as the driver polls it (wait_on_sem). */
export function amdReadSem(m: Machine, iommu: AmdIommu): number {
  return read32(m.state.mem, iommu.semPa) + read32(m.state.mem, iommu.semPa + 4) * SZ_4G;
}

/**
 * The IOMMU writes an event-log entry. A full log (tail + 16 would reach head) drops the
 * event. The first unreported event schedules the driver's interrupt thread.
 */
export function amdLogEvent(m: Machine, iommu: AmdIommu, w: readonly number[]): boolean {
  const next = (iommu.evtTail + EVENT_ENTRY_SIZE) % EVT_BUFFER_SIZE;
  if (next === iommu.evtHead) {
    iommu.evtDropped++;
    return false;
  }
  const at = iommu.evtBase + iommu.evtTail;
  for (let i = 0; i < 4; i++) write32(m.state.mem, at + 4 * i, w[i]);
  iommu.evtTail = next;
  iommu.events++;
  if (!iommu.evtIrq) {
    iommu.evtIrq = true;
    m.schedule(amdState(m).irqLatencyNs, m.typeOf(AMD_EVT_IRQ), iommu.index, 0, PRIO.irq);
  }
  return true;
}

/** An entry of a ring in DRAM, as four words. */
export function amdRingEntry(m: Machine, base: number, slot: number): [number, number, number, number] {
  const at = base + 16 * slot;
  const mem = m.state.mem;
  return [read32(mem, at), read32(mem, at + 4), read32(mem, at + 8), read32(mem, at + 12)];
}

