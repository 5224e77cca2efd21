/**
 * How far apart two PCI functions are for peer-to-peer DMA (drivers/pci/p2pdma.c), as pure
 * functions of the topology: the bridge walk both versions share, v5.0's distance with its
 * -1 / -2, and v5.4's map type with the host-bridge whitelist.
 */
import { ACS_REDIR_BITS, PCI_VENDOR_ID_AMD, PCI_VENDOR_ID_INTEL } from './regs.ts';
import {
  PCI_P2PDMA_MAP_BUS_ADDR, PCI_P2PDMA_MAP_NOT_SUPPORTED, PCI_P2PDMA_MAP_THRU_HOST_BRIDGE,
  type P2pMapType, type PciFn, type PciHost,
} from './types.ts';

/** What the kernel reads of the topology: functions by id, host bridges by index. */
export interface PciTopo {
  readonly fns: readonly PciFn[];
  readonly hosts: readonly PciHost[];
}

/** pci_bridge_has_acs_redir: an ACS capability whose control word has RR, CR or EC. */
export function hasAcsRedir(f: PciFn): boolean {
  return f.acsCap !== null && (f.acsCtrl & ACS_REDIR_BITS) !== 0;
}

/** The walk of __upstream_bridge_distance (v5.4) / upstream_bridge_distance (v5.0). */
export interface BridgeWalk {
  /** The nearest common upstream node (a function id), or -1 when there is none. */
  readonly common: number;
  readonly distA: number;
  readonly distB: number;
  /** Functions with ACS redirect on the path, in the order the kernel lists them (acs_list). */
  readonly acs: readonly number[];
}

/**
 * For each node x of a's chain (a, then pci_upstream_bridge() until NULL): count x if it
 * has ACS redirect, then walk b's chain looking for x. Found: count ACS redirect on b's
 * chain below x. Not found: dist_a is a's chain length and dist_b b's (the last inner walk).
 */
export function bridgeWalk(t: PciTopo, a: number, b: number): BridgeWalk {
  const acs: number[] = [];
  let distA = 0;
  let distB = 0;
  for (let x = a; x >= 0; x = t.fns[x].up, distA++) {
    distB = 0;
    if (hasAcsRedir(t.fns[x])) acs.push(x);
    for (let bb = b; bb >= 0; bb = t.fns[bb].up, distB++) {
      if (bb !== x) continue;
      for (let y = b; y >= 0 && y !== x; y = t.fns[y].up) if (hasAcsRedir(t.fns[y])) acs.push(y);
      return { common: x, distA, distB, acs };
    }
  }
  return { common: -1, distA, distB, acs };
}

/** v5.0 upstream_bridge_distance: -1 with no common upstream bridge, -2 with ACS redirect on the path. */
export function distanceV50(w: BridgeWalk): number {
  if (w.common < 0) return -1;
  if (w.acs.length) return -2;
  return w.distA + w.distB;
}

/** One row of pci_p2pdma_whitelist (v5.4.1): REQ_SAME_HOST_BRIDGE is `sameHostBridge`. */
export interface WhitelistEntry {
  readonly vendor: number;
  readonly device: number;
  readonly sameHostBridge: boolean;
  readonly what: string;
}

export const P2PDMA_WHITELIST_ENTRIES: readonly WhitelistEntry[] = [
  { vendor: PCI_VENDOR_ID_AMD, device: 0x1450, sameHostBridge: false, what: 'AMD ZEN' },
  { vendor: PCI_VENDOR_ID_INTEL, device: 0x3c00, sameHostBridge: true, what: 'Intel Xeon E5/Core i7' },
  { vendor: PCI_VENDOR_ID_INTEL, device: 0x3c01, sameHostBridge: true, what: 'Intel Xeon E5/Core i7' },
  { vendor: PCI_VENDOR_ID_INTEL, device: 0x2f00, sameHostBridge: true, what: 'Intel Xeon E7 v3/Xeon E5 v3/Core i7' },
  { vendor: PCI_VENDOR_ID_INTEL, device: 0x2f01, sameHostBridge: true, what: 'Intel Xeon E7 v3/Xeon E5 v3/Core i7' },
];

/** __host_bridge_whitelist: the function at 00.0 of the root bus against the table. */
export function hostBridgeWhitelisted(t: PciTopo, host: number, sameHostBridge: boolean): boolean {
  const root = t.hosts[host].rootFn;
  if (root < 0) return false;
  const { vendor, device } = t.fns[root];
  const e = P2PDMA_WHITELIST_ENTRIES.find((x) => x.vendor === vendor && x.device === device);
  if (!e) return false;
  return !(e.sameHostBridge && !sameHostBridge);
}

/** host_bridge_whitelist(a, b): one bridge for both, or both bridges on the list. */
export function hostBridgeWhitelist(t: PciTopo, a: number, b: number): boolean {
  const ha = t.fns[a].host;
  const hb = t.fns[b].host;
  if (ha === hb) return hostBridgeWhitelisted(t, ha, true);
  return hostBridgeWhitelisted(t, ha, false) && hostBridgeWhitelisted(t, hb, false);
}

export interface MapTypeResult {
  readonly mapType: P2pMapType;
  readonly dist: number;
  readonly acsRedirects: boolean;
}

/** v5.4 upstream_bridge_distance (without the cache store): the map type, the distance, ACS. */
export function mapTypeV54(t: PciTopo, provider: number, client: number, w: BridgeWalk = bridgeWalk(t, provider, client)): MapTypeResult {
  const dist = w.distA + w.distB;
  const acsRedirects = w.common >= 0 && w.acs.length > 0;
  let mapType: P2pMapType = w.common < 0 || acsRedirects ? PCI_P2PDMA_MAP_THRU_HOST_BRIDGE : PCI_P2PDMA_MAP_BUS_ADDR;
  if (mapType === PCI_P2PDMA_MAP_THRU_HOST_BRIDGE && !hostBridgeWhitelist(t, provider, client)) mapType = PCI_P2PDMA_MAP_NOT_SUPPORTED;
  return { mapType, dist, acsRedirects };
}

/** map_types_idx(client): pci_domain_nr << 16 | bus << 8 | devfn. */
export function mapTypesIdx(f: PciFn): number {
  return f.segment * 0x10000 + (f.bus << 8) + f.devfn;
}
