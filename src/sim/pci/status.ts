/**
 * The PCI model as plain typed data for the debugger (`info pci`, `info p2p`, the PCI
 * panel): the tree in enumeration order with depths, ACS words, BARs and p2pmem, and the
 * p2pdma answer for a pair as both kernel versions compute it. Numbers and names, never
 * text; computed without emitting records (the pure functions of distance.ts).
 */
import type { Machine } from '../machine.ts';
import { DEVICES } from '../devices/device.ts';
import { P2PDMA_WHITELIST } from '../kernel.ts';
import { bridgeWalk, distanceV50, hostBridgeWhitelisted, mapTypeV54, mapTypesIdx } from './distance.ts';
import { pciName } from './enumerate.ts';
import { MAP_TYPE_NAMES, type MapTypeName, PCI_MODEL, type PciFnType } from './types.ts';

export interface PciBarStatus {
  readonly index: number;
  readonly start: number;
  readonly size: number;
  readonly is64: boolean;
  readonly prefetch: boolean;
  /** Bus address of start under its host bridge. */
  readonly bus: number;
}

export interface PciFnStatus {
  readonly id: number;
  readonly name: string;
  readonly bdf: string;
  readonly type: PciFnType;
  readonly depth: number;
  readonly vendor: number;
  readonly device: number;
  readonly driver: string;
  readonly host: number;
  /** Bridges: [secondary, subordinate]. */
  readonly buses?: readonly [number, number];
  readonly acsCap: number | null;
  readonly acsCtrl: number;
  readonly bars: readonly PciBarStatus[];
  /** p2pmem published / added: bytes, pages in use. */
  readonly p2pmem?: { readonly published: boolean; readonly size: number; readonly used: number; readonly start: number };
  /** The device that drives it, if any. */
  readonly dev?: string;
  /** Whether it is the last child of its parent (for drawing the tree). */
  readonly last: boolean;
}

export interface PciHostStatus {
  readonly name: string;
  readonly segment: number;
  readonly bus: number;
  readonly vendor: number;
  readonly device: number;
  readonly whitelisted: 'any' | 'same-host-bridge' | 'no';
  readonly window: { readonly cpu: number; readonly bus: number; readonly size: number };
  /** The IOMMU translating DMA that reaches the root complex: its driver and unit, or null. */
  readonly iommu: { readonly translator: 'vtd' | 'amd'; readonly unit: string } | null;
}

export interface PciStatus {
  readonly hosts: readonly PciHostStatus[];
  /** Every function, depth first under its host bridge (the tree's order). */
  readonly fns: readonly PciFnStatus[];
  readonly kernel: 'absent' | 'present';
}

export function pciStatus(m: Machine): PciStatus | undefined {
  const st = m.findModel(PCI_MODEL);
  if (!st) return undefined;
  const devs = m.findModel(DEVICES)?.list ?? [];
  const children = (up: number, host: number) => st.fns.filter((f) => f.up === up && f.host === host && f.type !== 'host').sort((a, b) => a.bus - b.bus || a.devfn - b.devfn);
  const fns: PciFnStatus[] = [];
  const visit = (id: number, depth: number, last: boolean) => {
    const f = st.fns[id];
    const w = st.hosts[f.host].window;
    const chunks = f.p2p?.chunks ?? [];
    fns.push({
      id, name: f.name, bdf: pciName(f), type: f.type, depth, vendor: f.vendor, device: f.device, driver: f.driver, host: f.host,
      ...(f.secondary >= 0 ? { buses: [f.secondary, f.subordinate] as const } : {}),
      acsCap: f.acsCap, acsCtrl: f.acsCtrl,
      bars: f.bars.map((b) => ({ index: b.index, start: b.start, size: b.size, is64: b.is64, prefetch: b.prefetch, bus: b.start - w.cpu + w.bus })),
      ...(f.p2p ? { p2pmem: { published: f.p2p.published, size: chunks.reduce((n, c) => n + c.size, 0), used: chunks.reduce((n, c) => n + c.used.filter((u) => u).length, 0) * 4096, start: chunks.length ? chunks[chunks.length - 1].start : 0 } } : {}),
      ...(f.dev >= 0 && devs[f.dev] ? { dev: devs[f.dev].name } : {}),
      last,
    });
    const kids = children(id, f.host);
    kids.forEach((k, i) => visit(k.id, depth + 1, i === kids.length - 1));
  };
  st.hosts.forEach((h, hi) => {
    if (h.rootFn >= 0) visit(h.rootFn, 0, false);
    const kids = children(-1, hi);
    kids.forEach((k, i) => visit(k.id, 0, i === kids.length - 1));
  });
  const hosts = st.hosts.map((h) => {
    const r = h.rootFn >= 0 ? st.fns[h.rootFn] : undefined;
    const any = hostBridgeWhitelisted(st, st.hosts.indexOf(h), false);
    const same = hostBridgeWhitelisted(st, st.hosts.indexOf(h), true);
    return {
      name: h.name, segment: h.segment, bus: h.bus, vendor: r?.vendor ?? 0, device: r?.device ?? 0,
      whitelisted: any ? ('any' as const) : same ? ('same-host-bridge' as const) : ('no' as const), window: { ...h.window }, iommu: h.iommu ? { ...h.iommu } : null,
    };
  });
  return { hosts, fns, kernel: m.behaviour(P2PDMA_WHITELIST) };
}

/** What pci_p2pdma_distance / upstream_bridge_distance answer for provider a and client b. */
export interface P2pPairStatus {
  readonly provider: string;
  readonly client: string;
  /** Their names in the scenario. */
  readonly providerName: string;
  readonly clientName: string;
  readonly common: string | undefined;
  readonly distA: number;
  readonly distB: number;
  /** Functions with ACS redirect on the path, as the kernel lists them. */
  readonly acs: readonly string[];
  readonly v50: number;
  readonly v54: { readonly mapType: MapTypeName; readonly dist: number; readonly viaHostBridge: boolean };
  /** v5.4: what the provider's map_types holds for this client now (UNKNOWN: never computed). */
  readonly cached: MapTypeName | undefined;
}

/** A function by name or PCI address. */
export function pciFnByName(m: Machine, name: string): number {
  const st = m.findModel(PCI_MODEL);
  if (!st) return -1;
  const devs = m.findModel(DEVICES)?.list ?? [];
  return st.fns.findIndex((f) => f.name === name || pciName(f) === name || pciName(f).slice(5) === name || (f.dev >= 0 && devs[f.dev]?.name === name));
}

export function p2pPairStatus(m: Machine, a: number, b: number): P2pPairStatus {
  const st = m.model(PCI_MODEL);
  const w = bridgeWalk(st, a, b);
  const r = mapTypeV54(st, a, b, w);
  const p = st.fns[a];
  const cached = p.p2p ? p.p2p.mapTypes[mapTypesIdx(st.fns[b])] : undefined;
  return {
    provider: pciName(p), client: pciName(st.fns[b]), providerName: p.name, clientName: st.fns[b].name, common: w.common >= 0 ? pciName(st.fns[w.common]) : undefined, distA: w.distA, distB: w.distB,
    acs: w.acs.map((i) => pciName(st.fns[i])), v50: distanceV50(w),
    v54: { mapType: MAP_TYPE_NAMES[r.mapType], dist: r.dist, viaHostBridge: w.common < 0 || r.acsRedirects },
    cached: p.p2p ? MAP_TYPE_NAMES[cached ?? 0] : undefined,
  };
}
