/**
 * PCI peer-to-peer DMA as drivers call it (drivers/pci/p2pdma.c, v5.0.1 and v5.4.1; which
 * one is the `p2pdma-whitelist` row): publishing BAR memory with ZONE_DEVICE pages,
 * the distance between a provider and its clients with the kernel's warnings, finding
 * the closest provider, allocating from its pool, and mapping a scatterlist for a client.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { nextU32 } from '../core/prng.ts';
import { P2PDMA_BUS_OFFSET, P2PDMA_WHITELIST } from '../kernel.ts';
import { DEVICES, type DeviceBase } from '../devices/device.ts';
import { type DmaDirection, type Scatterlist, dmaMapSg, dmaUnmapSg } from '../dma/api.ts';
import { PAGE_SIZE } from '../mem/phys.ts';
import { bridgeWalk, distanceV50, hostBridgeWhitelisted, mapTypeV54, mapTypesIdx, type BridgeWalk } from './distance.ts';
import { pciName } from './enumerate.ts';
import { pciLog, resourceText } from './log.ts';
import {
  MAP_TYPE_NAMES, PCI_MODEL, PCI_P2PDMA_MAP_BUS_ADDR, PCI_P2PDMA_MAP_NOT_SUPPORTED, PCI_P2PDMA_MAP_THRU_HOST_BRIDGE,
  PCI_P2PDMA_MAP_UNKNOWN, type P2pAlloc, type P2pChunk, type P2pMapType, type PciFn, type PciState,
} from './types.ts';

const P2PDMA_C = 'drivers/pci/p2pdma.c';
const F_ADD_RESOURCE = kfunc('pci_p2pdma_add_resource', P2PDMA_C, ['bar', 'size', 'offset']);
const F_DISTANCE_MANY = kfunc('pci_p2pdma_distance_many', P2PDMA_C, ['num_clients', 'verbose']);
const F_UBD_WARN = kfunc('upstream_bridge_distance_warn', P2PDMA_C);
const F_UBD = kfunc('upstream_bridge_distance', P2PDMA_C);
const F_FIND_MANY = kfunc('pci_p2pmem_find_many', P2PDMA_C, ['num_clients']);
const F_ALLOC = kfunc('pci_alloc_p2pmem', P2PDMA_C, ['size']);
const F_FREE = kfunc('pci_free_p2pmem', P2PDMA_C, ['size']);
const F_MAP_SG_V50 = kfunc('pci_p2pdma_map_sg', P2PDMA_C, ['nents']);
const F_MAP_SG_V54 = kfunc('pci_p2pdma_map_sg_attrs', P2PDMA_C, ['nents', 'attrs']);
const F_UNMAP_SG_V54 = kfunc('pci_p2pdma_unmap_sg_attrs', P2PDMA_C, ['nents', 'attrs']);

/** PAGE_SIZE / sizeof(struct pci_dev *): the most providers find_many keeps at one distance. */
const FIND_MAX_DEVS = PAGE_SIZE / 8;

export function pciState(m: Machine): PciState {
  return m.model(PCI_MODEL);
}

const v54 = (m: Machine): boolean => m.behaviour(P2PDMA_WHITELIST) === 'present';

/** The function a device drives (its `fn` link), or undefined off PCI. */
export function fnOfDevice(m: Machine, dev: DeviceBase): PciFn | undefined {
  const st = m.findModel(PCI_MODEL);
  if (!st) return undefined;
  const list = m.model(DEVICES).list;
  return st.fns.find((f) => f.dev >= 0 && list[f.dev] === dev);
}

/** The p2pdma chunk whose ZONE_DEVICE pages hold `pa` (is_pci_p2pdma_page), with its provider. */
export function p2pChunkOf(m: Machine, pa: number): { fn: PciFn; chunk: P2pChunk } | undefined {
  const st = m.findModel(PCI_MODEL);
  if (!st) return undefined;
  for (const fn of st.fns) {
    for (const chunk of fn.p2p?.chunks ?? []) if (pa >= chunk.start && pa < chunk.start + chunk.size) return { fn, chunk };
  }
  return undefined;
}

/**
 * pci_p2pdma_add_resource(pdev, bar, size, offset): size 0 takes the rest of the BAR; the
 * pages get ZONE_DEVICE struct pages (devm_memremap_pages) and go into the device's pool
 * with their bus address. Returns 0 or -EINVAL.
 */
export function pciP2pdmaAddResource(m: Machine, fn: PciFn, barIndex: number, size: number, offset: number): number {
  const k = m.kstack.enter(F_ADD_RESOURCE, barIndex, size, offset);
  try {
    const bar = fn.bars.find((b) => b.index === barIndex);
    const fail = (why: string): number => {
      m.emit('p2pmem', { op: 'add_resource', dev: pciName(fn), bar: barIndex, size, result: `-EINVAL (${why})` });
      return -22;
    };
    if (!bar) return fail('not a memory BAR'); // !(pci_resource_flags(pdev, bar) & IORESOURCE_MEM)
    if (offset >= bar.size) return fail('offset beyond the BAR');
    const len = size || bar.size - offset;
    if (len + offset > bar.size) return fail('size + offset beyond the BAR');
    fn.p2p ??= { published: false, chunks: [], mapTypes: {} };
    const host = pciState(m).hosts[fn.host];
    const busAddr = bar.start - host.window.cpu + host.window.bus; // pci_bus_address(pdev, bar)
    const start = bar.start + offset;
    // pgmap->pci_p2pdma_bus_offset (v5.0) / p2p_pgmap->bus_offset (v5.4): bus - CPU.
    const chunk: P2pChunk = { bar: barIndex, start, size: len, busOffset: busAddr - bar.start, used: new Array<number>(Math.ceil(len / PAGE_SIZE)).fill(0) };
    fn.p2p.chunks.unshift(chunk); // gen_pool_add_*: list_add_rcu, the newest chunk is searched first
    m.emit('p2pmem', { op: 'add_resource', dev: pciName(fn), bar: barIndex, pa: start, bus: busAddr + offset, size: len, result: 'ok' });
    pciLog(m, 'info', fn, `added peer-to-peer DMA memory ${resourceText(start, len, bar)}`);
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/** pci_p2pmem_publish: only a device with p2pdma state can publish. */
export function pciP2pmemPublish(m: Machine, fn: PciFn, publish: boolean): void {
  if (fn.p2p) fn.p2p.published = publish;
  m.emit('p2pmem', { op: 'publish', dev: pciName(fn), result: fn.p2p ? (publish ? 'published' : 'unpublished') : 'no p2pdma' });
}

/** What host_bridge_whitelist looked at, for the record: "0000:00:00.0 1022:1450 listed". */
function whitelistText(st: PciState, provider: number, client: number): string {
  const hp = st.fns[provider].host;
  const hc = st.fns[client].host;
  const one = (h: number, same: boolean): string => {
    const root = st.hosts[h].rootFn;
    if (root < 0) return `${st.hosts[h].name}: no 00.0 function`;
    const r = st.fns[root];
    const id = `${r.vendor.toString(16).padStart(4, '0')}:${r.device.toString(16).padStart(4, '0')}`;
    return `${pciName(r)} ${id} ${hostBridgeWhitelisted(st, h, same) ? 'whitelisted' : 'not whitelisted'}`;
  };
  return hp === hc ? `same host bridge: ${one(hp, true)}` : `two host bridges: ${one(hp, false)}; ${one(hc, false)}`;
}

/** The ACS list as upstream_bridge_distance prints it: "a;b" (the final ';' dropped). */
const acsList = (st: PciState, w: BridgeWalk): string => w.acs.map((i) => pciName(st.fns[i])).join(';');

/**
 * upstream_bridge_distance (and its _warn wrapper when verbose), one provider and one
 * client. v5.0 returns the distance (or -1/-2); v5.4 the map type, storing it in the
 * provider's map_types, with the distance beside it.
 */
function upstreamBridgeDistance(m: Machine, provider: number, client: number, verbose: boolean): { ret: number; dist: number } {
  const st = pciState(m);
  const kw = verbose ? m.kstack.enter(F_UBD_WARN) : -1;
  const k = m.kstack.enter(F_UBD);
  const w = bridgeWalk(st, provider, client);
  const p = st.fns[provider];
  const c = st.fns[client];
  const base = {
    provider: pciName(p), client: pciName(c), common: w.common >= 0 ? pciName(st.fns[w.common]) : 'none', distA: w.distA, distB: w.distB, acs: w.acs.length ? acsList(st, w) : '-',
  };
  let out: { ret: number; dist: number };
  if (!v54(m)) {
    const d = distanceV50(w);
    m.emit('p2p-bridge', { ...base, distance: d });
    m.kstack.leave(k);
    if (verbose && d === -2) {
      pciLog(m, 'warning', c, `cannot be used for peer-to-peer DMA as ACS redirect is set between the client and provider (${pciName(p)})`);
      pciLog(m, 'warning', c, `to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=${acsList(st, w)}`);
    } else if (verbose && d < 0) {
      pciLog(m, 'warning', c, `cannot be used for peer-to-peer DMA as the client and provider (${pciName(p)}) do not share an upstream bridge`);
    }
    out = { ret: d, dist: d };
  } else {
    const r = mapTypeV54(st, provider, client, w);
    if (p.p2p) p.p2p.mapTypes[mapTypesIdx(c)] = r.mapType; // xa_store(&provider->p2pdma->map_types, ...)
    const viaHost = w.common < 0 || r.acsRedirects;
    m.emit('p2p-bridge', { ...base, distance: r.dist, mapType: MAP_TYPE_NAMES[r.mapType], whitelist: viaHost ? whitelistText(st, provider, client) : undefined });
    m.kstack.leave(k);
    if (verbose && r.acsRedirects) {
      pciLog(m, 'warning', c, `ACS redirect is set between the client and provider (${pciName(p)})`);
      pciLog(m, 'warning', c, `to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=${acsList(st, w)}`);
    }
    if (verbose && r.mapType === PCI_P2PDMA_MAP_NOT_SUPPORTED) {
      pciLog(m, 'warning', c, `cannot be used for peer-to-peer DMA as the client and provider (${pciName(p)}) do not share an upstream bridge or whitelisted host bridge`);
    }
    out = { ret: r.mapType, dist: r.dist };
  }
  if (kw >= 0) m.kstack.leave(kw);
  return out;
}

/** The dma address map_sg gives a page of a chunk: the kernel's phys - bus_offset, or the corrected phys + bus_offset. */
function p2pBusAddr(m: Machine, chunk: P2pChunk, pa: number): number {
  return m.behaviour(P2PDMA_BUS_OFFSET) === 'corrected' ? pa + chunk.busOffset : pa - chunk.busOffset;
}

/** A client: a PCI function (its id), or the name of a device that is not on PCI. */
export type P2pClient = number | string;

const clientName = (st: PciState, c: P2pClient): string => (typeof c === 'number' ? pciName(st.fns[c]) : c);

/**
 * pci_p2pdma_distance_many(provider, clients, num_clients, verbose): -1 for no clients, for
 * a client off PCI, or when any client cannot reach the provider; else the summed distance.
 * Without verbose it stops at the first refusal; with it every client is checked (and warned).
 */
export function pciP2pdmaDistanceMany(m: Machine, provider: number, clients: readonly P2pClient[], verbose: boolean): number {
  const st = pciState(m);
  const k = m.kstack.enter(F_DISTANCE_MANY, clients.length, verbose ? 1 : 0);
  const record = (distance: number): number => {
    m.emit('p2p-distance', { provider: pciName(st.fns[provider]), clients: clients.map((c) => clientName(st, c)).join(','), verbose, distance });
    m.kstack.leave(k);
    return distance;
  };
  if (clients.length === 0) return record(-1);
  const newer = v54(m);
  let notSupported = false;
  let total = 0;
  for (const c of clients) {
    if (typeof c === 'string') {
      if (verbose) m.emit('klog', { level: 'warning', text: `${c} ${c}: cannot be used for peer-to-peer DMA as it is not a PCI device` });
      return record(-1);
    }
    const { ret, dist } = upstreamBridgeDistance(m, provider, c, verbose);
    if (newer ? ret === PCI_P2PDMA_MAP_NOT_SUPPORTED : ret < 0) notSupported = true;
    if (notSupported && !verbose) break;
    total += newer ? dist : ret;
  }
  return record(notSupported ? -1 : total);
}

/** prandom_u32_max(n): ((u64)prandom_u32() * n) >> 32. */
function prandomU32Max(st: PciState, n: number): number {
  return Math.floor((nextU32(st.prng) * n) / 0x1_0000_0000);
}

/**
 * pci_p2pmem_find_many(clients): every device with published p2pmem, in pci_get_device()
 * order; keep those at the smallest distance (up to a page of pointers); pick one at random.
 * Returns the provider's function id, or -1 (NULL).
 */
export function pciP2pmemFindMany(m: Machine, clients: readonly P2pClient[]): number {
  const st = pciState(m);
  const k = m.kstack.enter(F_FIND_MANY, clients.length);
  let closest = Infinity;
  let set: number[] = [];
  for (const f of st.fns) {
    if (!f.p2p?.published) continue; // pci_has_p2pmem
    const d = pciP2pdmaDistanceMany(m, f.id, clients, false);
    if (d < 0 || d > closest) continue;
    if (d === closest && set.length >= FIND_MAX_DEVS) continue;
    if (d < closest) {
      set = [];
      closest = d;
    }
    set.push(f.id);
  }
  const pick = set.length ? set[prandomU32Max(st, set.length)] : -1;
  m.emit('p2pmem', {
    op: 'find', dev: pick >= 0 ? pciName(st.fns[pick]) : 'none', clients: clients.map((c) => clientName(st, c)).join(','),
    candidates: set.map((i) => pciName(st.fns[i])).join(','), distance: set.length ? closest : undefined, result: pick >= 0 ? 'ok' : 'NULL',
  });
  m.kstack.leave(k);
  return pick;
}

/**
 * pci_alloc_p2pmem(pdev, size): gen_pool_alloc, first fit in pages, the newest chunk first.
 * Returns the allocation (CPU physical address of its ZONE_DEVICE pages) or undefined.
 */
export function pciAllocP2pmem(m: Machine, fn: PciFn, size: number): P2pAlloc | undefined {
  const st = pciState(m);
  const k = m.kstack.enter(F_ALLOC, size);
  try {
    const pages = Math.ceil(size / PAGE_SIZE);
    for (const chunk of fn.p2p?.chunks ?? []) {
      for (let i = 0; i + pages <= chunk.used.length; i++) {
        let free = true;
        for (let j = i; j < i + pages && free; j++) free = chunk.used[j] === 0;
        if (!free) continue;
        for (let j = i; j < i + pages; j++) chunk.used[j] = 1;
        const pa = chunk.start + i * PAGE_SIZE;
        const a: P2pAlloc = { id: st.allocs.length ? st.allocs[st.allocs.length - 1].id + 1 : 0, provider: fn.id, pa, size };
        st.allocs.push(a);
        m.emit('p2pmem', { op: 'alloc', dev: pciName(fn), pa, bus: pa + chunk.busOffset, size, result: 'ok' });
        return a;
      }
    }
    m.emit('p2pmem', { op: 'alloc', dev: pciName(fn), size, result: fn.p2p ? 'NULL (pool exhausted)' : 'NULL (no p2pdma)' });
    return undefined;
  } finally {
    m.kstack.leave(k);
  }
}

/** pci_free_p2pmem: the pages go back to the provider's pool. */
export function pciFreeP2pmem(m: Machine, a: P2pAlloc): void {
  const st = pciState(m);
  const k = m.kstack.enter(F_FREE, a.size);
  const got = p2pChunkOf(m, a.pa);
  if (got) {
    const first = (a.pa - got.chunk.start) / PAGE_SIZE;
    for (let j = first; j < first + Math.ceil(a.size / PAGE_SIZE); j++) got.chunk.used[j] = 0;
  }
  st.allocs = st.allocs.filter((x) => x.id !== a.id);
  m.emit('p2pmem', { op: 'free', dev: pciName(st.fns[a.provider]), pa: a.pa, size: a.size, result: 'ok' });
  m.kstack.leave(k);
}

/** WARN_ON_ONCE at a line of drivers/pci/p2pdma.c (v5.4.1): the splat's first line, once per boot. */
function warnOnce(m: Machine, st: PciState, line: number, func: string): void {
  const key = `p2pdma.c:${line}`;
  if (st.warned.includes(key)) return;
  st.warned.push(key);
  m.emit('klog', { level: 'warning', text: `WARNING: CPU: 0 PID: 1 at ${P2PDMA_C}:${line} ${func}` });
}

/**
 * pci_p2pdma_map_sg (v5.0) / pci_p2pdma_map_sg_attrs (v5.4) for a client device. v5.0
 * gives every entry its bus address (phys - bus_offset) whatever the topology; v5.4 reads
 * the map type upstream_bridge_distance cached for (provider, client): BUS_ADDR as v5.0,
 * THRU_HOST_BRIDGE through dma_map_sg (the IOMMU, if any), anything else WARNs and fails.
 * Returns the entries mapped, 0 on failure.
 */
export function pciP2pdmaMapSg(m: Machine, dev: DeviceBase, sgl: Scatterlist[], dir: DmaDirection, attrs = 0): number {
  const st = pciState(m);
  const first = p2pChunkOf(m, sgl[0].pa);
  const provider = first ? pciName(first.fn) : 'none';
  const len = sgl.reduce((n, s) => n + s.length, 0);
  const rec = (ok: boolean, mapType: P2pMapType | undefined, reason?: string) =>
    m.emit('p2p-map', {
      api: v54(m) ? 'pci_p2pdma_map_sg_attrs' : 'pci_p2pdma_map_sg', dev: dev.name, provider, mapType: mapType === undefined ? undefined : MAP_TYPE_NAMES[mapType],
      nents: sgl.length, pa: sgl[0].pa, dma: ok ? sgl[0].dmaAddress : undefined, len, result: ok ? 'ok' : 'error', reason,
    });
  if (!v54(m)) {
    const k = m.kstack.enter(F_MAP_SG_V50, sgl.length);
    for (const s of sgl) {
      const c = p2pChunkOf(m, s.pa); // sg_page(s)->pgmap, per entry
      s.dmaAddress = c ? p2pBusAddr(m, c.chunk, s.pa) : s.pa;
      s.dmaLength = s.length;
    }
    rec(true, undefined);
    m.kstack.leave(k);
    return sgl.length;
  }
  const k = m.kstack.enter(F_MAP_SG_V54, sgl.length, attrs);
  try {
    const client = fnOfDevice(m, dev);
    if (!client || !first) {
      warnOnce(m, st, 862, 'pci_p2pdma_map_sg_attrs'); // WARN_ON_ONCE(!dev_is_pci(dev))
      rec(false, undefined, 'client is not a PCI device');
      return 0;
    }
    const type = (first.fn.p2p?.mapTypes[mapTypesIdx(client)] ?? PCI_P2PDMA_MAP_UNKNOWN) as P2pMapType;
    if (type === PCI_P2PDMA_MAP_THRU_HOST_BRIDGE) {
      const n = dmaMapSg(m, dev, sgl, dir, attrs);
      rec(n > 0, type, n > 0 ? undefined : 'dma_map_sg failed');
      return n;
    }
    if (type === PCI_P2PDMA_MAP_BUS_ADDR) {
      for (const s of sgl) {
        s.dmaAddress = p2pBusAddr(m, first.chunk, s.pa); // __pci_p2pdma_map_sg: one pgmap for the list
        s.dmaLength = s.length;
      }
      rec(true, type);
      return sgl.length;
    }
    warnOnce(m, st, 873, 'pci_p2pdma_map_sg_attrs'); // default: WARN_ON_ONCE(1)
    rec(false, type, type === PCI_P2PDMA_MAP_UNKNOWN ? 'no map type cached: pci_p2pdma_distance was never called for this pair' : 'not supported');
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}

/** pci_p2pdma_unmap_sg_attrs (v5.4): only a THRU_HOST_BRIDGE mapping has anything to undo. v5.0 has none. */
export function pciP2pdmaUnmapSg(m: Machine, dev: DeviceBase, sgl: Scatterlist[], nents: number, dir: DmaDirection, attrs = 0): void {
  if (!v54(m)) return;
  const first = p2pChunkOf(m, sgl[0].pa);
  const client = fnOfDevice(m, dev);
  const k = m.kstack.enter(F_UNMAP_SG_V54, nents, attrs);
  const type = first && client ? ((first.fn.p2p?.mapTypes[mapTypesIdx(client)] ?? PCI_P2PDMA_MAP_UNKNOWN) as P2pMapType) : PCI_P2PDMA_MAP_UNKNOWN;
  if (type === PCI_P2PDMA_MAP_THRU_HOST_BRIDGE) dmaUnmapSg(m, dev, sgl, nents, dir, attrs);
  m.emit('p2p-map', {
    api: 'pci_p2pdma_unmap_sg_attrs', dev: dev.name, provider: first ? pciName(first.fn) : 'none', mapType: MAP_TYPE_NAMES[type], nents, pa: sgl[0].pa,
    len: sgl.slice(0, nents).reduce((n, s) => n + s.length, 0), result: 'ok',
  });
  m.kstack.leave(k);
}
