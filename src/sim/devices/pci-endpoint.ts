/**
 * A PCI endpoint and its driver, scripted op by op: a block device doing O_DIRECT reads,
 * an RDMA NIC or GPU using peer-to-peer memory, a GPU mirroring a process through HMM
 * with its own page table, an exporter mapping its BAR into a process. Its bus accesses
 * are routed through the PCI topology (src/sim/pci/route.ts); accesses to process
 * addresses go through its device page table (hmm-mirror-driver.ts).
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import type { Prng } from '../core/prng.ts';
import { eventKey } from '../core/keys.ts';
import type { DmaDirection, Scatterlist } from '../dma/api.ts';
import type { DevmapHow } from '../mm/devmap.ts';
import type { HmmPfnEncodingName } from '../mm/hmm-state.ts';
import type { P2pClient } from '../pci/p2pdma.ts';
import { type DeviceBase, DEVICES } from './device.ts';
import { workloadNext } from './workload.ts';

export type PciEpOp =
  | { op: 'p2p-distance'; provider: number; clients: P2pClient[] }
  | { op: 'p2p-alloc'; as: string; len: number; provider: number; clients: P2pClient[] }
  | { op: 'p2p-free'; handle: string }
  | { op: 'p2p-map'; handle: string; as: string; dir: DmaDirection }
  | { op: 'p2p-unmap'; handle: string }
  | { op: 'dma-map'; as: string; pa: number; len: number; dir: DmaDirection }
  | { op: 'dma-unmap'; handle: string }
  | { op: 'write'; handle: string; offset: number; len: number; pattern: number }
  | { op: 'read'; handle: string; offset: number; len: number }
  | { op: 'odirect-read'; mm: string; va: number; len: number; pattern: number }
  | { op: 'mmap-bar'; mm: string; va: number; len: number; bar: number; offset: number; how: DevmapHow }
  | { op: 'bar-move'; mm: string; va: number; len: number; offset: number }
  | { op: 'hmm-mirror'; mm: string }
  | { op: 'hmm-unmirror' }
  | { op: 'hmm-access'; va: number; len: number; write: boolean; pattern: number }
  | { op: 'hmm-fault'; va: number; len: number; write: boolean }
  | { op: 'delay'; ns: number; jitter: number };

/** A named piece of P2P memory or a DMA mapping the driver holds. */
export interface PciHandle {
  name: string;
  kind: 'p2pmem' | 'p2p-map' | 'dma-map';
  /** p2pmem: the allocation id (pci_alloc_p2pmem); maps: the handle it maps (p2p) or -1. */
  alloc: number;
  pa: number;
  len: number;
  dir: DmaDirection;
  sgl: Scatterlist[];
  /** Entries mapped (0: the mapping failed). */
  nents: number;
  live: boolean;
}

/** A device fault the driver is servicing (one at a time, as a fault buffer entry). */
export interface PciFaultWork {
  start: number;
  end: number;
  write: boolean;
  /** The range being snapshotted (HmmModel.ranges), -1 before. */
  range: number;
  tries: number;
  /** Resume the hmm-access op after (demand fault) or just move on (hmm-fault prefetch). */
  replay: boolean;
}

export interface PciEndpointState extends DeviceBase {
  kind: 'pci-endpoint';
  /** Its function in the PCI topology, -1 without one. */
  fn: number;
  ops: PciEpOp[];
  pc: number;
  round: number;
  repeat: number;
  periodNs: number;
  jitterNs: number;
  prng: Prng;
  handles: PciHandle[];
  /** What the translator does with the next access: route a bus address, or walk the device page table. */
  space: 'bus' | 'va';
  /** HMM: the mirror its driver registered (HmmModel.mirrors), -1 without. */
  mirror: number;
  encoding: HmmPfnEncodingName;
  fault: PciFaultWork | null;
  /** Where an hmm-access op continues after a fault was serviced (-1: from its start). */
  resume: number;
  /** The page whose fault could not be serviced: skipped when the access replays. */
  cancelled: number;
  faultLatencyNs: number;
  commitDelayNs: number;
  commitJitterNs: number;
  /** The driver thread is stuck in a call that never returns (v5.0 hmm_mirror_register). */
  stuck: boolean;
}

export const PCI_EP_STEP = eventKey('pci-endpoint.step');

export function pciEndpoint(m: Machine, index: number): PciEndpointState {
  return m.model(DEVICES).list[index] as PciEndpointState;
}

export function pciEndpointStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.typeOf(PCI_EP_STEP), index, 0, PRIO.device);
}

/** After an op: the next one (or the next round), `delay` later; nothing once the workload ended. */
export function pciEndpointNext(m: Machine, index: number, delay: number): void {
  const d = pciEndpoint(m, index);
  d.resume = -1;
  d.cancelled = -1;
  const next = workloadNext(m, d, d.ops.length, delay, 1);
  if (next !== undefined) m.schedule(next, m.typeOf(PCI_EP_STEP), index, 0, PRIO.device);
}

/** Run the current op again (an hmm-access replaying after its fault was serviced). */
export function pciEndpointReplay(m: Machine, index: number, delay: number): void {
  m.schedule(delay, m.typeOf(PCI_EP_STEP), index, 0, PRIO.device);
}
