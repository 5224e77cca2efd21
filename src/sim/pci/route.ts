/**
 * Where a PCI device's memory request goes. A request for an address inside a peer's BAR
 * turns around at the nearest bridge above both (a switch routes it by address) unless an
 * ingress port on the way up has ACS P2P Request Redirect set, which sends it up to the
 * root complex. Everything else reaches the root complex: through the host bridge's IOMMU
 * when it has one (the address is an IOVA: the VT-d unit or AMD IOMMU translates it, with
 * its IOTLB, its faults and its stale-entry check), else bus address = CPU address outside
 * the MMIO window. The root complex forwards what lands in a BAR to that device.
 */
import type { Machine } from '../machine.ts';
import type { DeviceBase } from '../devices/device.ts';
import { type Translation, translatorMemo } from '../devices/port.ts';
import { bridgeWalk } from './distance.ts';
import { pciName } from './enumerate.ts';
import { PCI_ACS_RR } from './regs.ts';
import type { PciBar, PciFn, PciState } from './types.ts';

/** The BAR holding CPU physical address `pa`, on any host bridge. */
export function barAtCpu(st: PciState, pa: number): { fn: PciFn; bar: PciBar } | undefined {
  for (const fn of st.fns) for (const bar of fn.bars) if (pa >= bar.start && pa < bar.start + bar.size) return { fn, bar };
  return undefined;
}

/**
 * The last range found to decode (a DRAM region or a BAR), for the PCI state (so the machine)
 * it was found in. Both are fixed once the topology is enumerated: DRAM is the scenario's,
 * and firmware places BARs at enumeration and nothing moves them after (bar-move re-points
 * a mapping, not a BAR). Derived data for the hot path, never machine state.
 */
let decodedOf: PciState | undefined;
let decodedStart = 0;
let decodedEnd = 0;

/** Does DRAM or a BAR (on any host bridge) decode CPU physical address `pa`? DRAM first: most DMA lands there. */
function decodes(m: Machine, st: PciState, pa: number): boolean {
  if (st === decodedOf && pa >= decodedStart && pa < decodedEnd) return true;
  const dram = m.config.dram;
  for (let i = 0; i < dram.length; i++) if (pa >= dram[i].base && pa < dram[i].base + dram[i].size) return decoded(st, dram[i].base, dram[i].size);
  const fns = st.fns;
  for (let f = 0; f < fns.length; f++) {
    const bars = fns[f].bars;
    for (let b = 0; b < bars.length; b++) if (pa >= bars[b].start && pa < bars[b].start + bars[b].size) return decoded(st, bars[b].start, bars[b].size);
  }
  return false;
}

function decoded(st: PciState, start: number, size: number): true {
  decodedOf = st;
  decodedStart = start;
  decodedEnd = start + size;
  return true;
}

/** The BAR whose bus range under host `h` holds `bus`. */
function barAtBus(st: PciState, h: number, bus: number): { fn: PciFn; bar: PciBar } | undefined {
  const w = st.hosts[h].window;
  if (bus < w.bus || bus >= w.bus + w.size) return undefined;
  const hit = barAtCpu(st, bus - w.bus + w.cpu);
  return hit && hit.fn.host === h ? hit : undefined;
}

export type PciRoute =
  | { readonly kind: 'peer'; readonly target: number; readonly turn: number; readonly pa: number }
  | { readonly kind: 'host'; readonly redirectedBy: number };

/** Straight up to the root complex, no port redirecting: one object for every such request. */
const TO_HOST: PciRoute = Object.freeze({ kind: 'host', redirectedBy: -1 });

/** The path of a request from `requester` for bus address `bus`. */
export function pciRoute(st: PciState, requester: number, bus: number): PciRoute {
  const r = st.fns[requester];
  const t = barAtBus(st, r.host, bus);
  if (!t) return TO_HOST;
  const w = bridgeWalk(st, requester, t.fn.id);
  if (w.common < 0) return TO_HOST;
  // ACS is applied where the request enters a port from below, up to where it would turn.
  for (let x = r.up; x >= 0 && x !== w.common; x = st.fns[x].up) {
    const p = st.fns[x];
    if ((p.type === 'downstream' || p.type === 'root-port') && p.acsCap !== null && p.acsCtrl & PCI_ACS_RR) return { kind: 'host', redirectedBy: x };
  }
  const win = st.hosts[r.host].window;
  return { kind: 'peer', target: t.fn.id, turn: w.common, pa: bus - win.bus + win.cpu };
}

const redirectedText = (st: PciState, port: number): string => ` (ACS redirect at ${pciName(st.fns[port])})`;

/** The host bridge IOMMU's translator (an access runs this per page chunk). */
const hostTranslator = translatorMemo();

/**
 * One access of PCI function `requester` (driven by `dev`) at bus address `bus`, filling
 * `out` as a translator does: true when it reaches memory (DRAM, or a BAR through a switch
 * or the root complex). At an IOMMU the unit's translator fills the fault fields.
 */
export function pciTranslate(m: Machine, st: PciState, dev: DeviceBase, requester: number, bus: number, write: boolean, out: Translation): boolean {
  const route = pciRoute(st, requester, bus);
  if (route.kind === 'peer') {
    out.pa = route.pa;
    out.via = `peer via ${pciName(st.fns[route.turn])}`;
    return true;
  }
  const host = st.hosts[st.fns[requester].host];
  let pa = bus;
  if (host.iommu) {
    out.via = route.redirectedBy >= 0 ? `iommu${redirectedText(st, route.redirectedBy)}` : 'iommu';
    if (!hostTranslator(m, host.iommu.translator)(m, dev, bus, write, out)) return false;
    pa = out.pa;
  } else {
    const w = host.window;
    if (bus >= w.bus && bus < w.bus + w.size) pa = bus - w.bus + w.cpu;
    out.via = route.redirectedBy >= 0 ? `root complex${redirectedText(st, route.redirectedBy)}` : 'root complex';
  }
  // What reaches the root complex must be decoded by memory or a BAR, else the completion is
  // an Unsupported Request and the device sees an error.
  if (!decodes(m, st, pa)) {
    out.fault = 'unsupported request';
    out.reason = `nothing decodes ${'0x' + pa.toString(16)} (no DRAM, no BAR)`;
    return false;
  }
  out.pa = pa;
  return true;
}
