/**
 * The AMD model's state as plain typed data for the debugger (`info amd`, `info iova`, the
 * AMD and IOTLB panels): numbers and names, never text, never references into state.
 * Derived from machine state, never written back; src/debugger formats it.
 */
import type { Machine } from '../../machine.ts';
import { IOVA_ANCHOR, findIova, iovaFqPending } from '../iova.ts';
import { CMD_BUFFER_ENTRIES, CMD_ENTRY_SIZE, CMD_NAMES, DTE_LO_TV, DTE_LO_V, DTE_MODE_SHIFT, EVENT_ENTRY_SIZE, EVENT_NAMES, EVT_BUFFER_ENTRIES, DTE_HI_IR, DTE_HI_IW } from './defs.ts';
import { dteWords } from './dte.ts';
import { decodeEvent } from './evtlog.ts';
import { amdRingEntry } from './hw.ts';
import { amdIotlbValid } from './iotlb.ts';
import { type AmdWalkStep, amdWalk, ptePageSize, pteLevel, pteLevelPageSize, ptePresent } from './pgtable.ts';
import { amdEntryMatches } from './stale.ts';
import { AMD_MODEL, type AmdDomain, type AmdState, amdState } from './state.ts';
import { addrOf } from './words.ts';

export type Words4Status = readonly [number, number, number, number];

export interface AmdIommuStatus {
  readonly name: string;
  readonly devid: number;
  readonly cmdBase: number;
  readonly cmdHead: number;
  readonly cmdTail: number;
  readonly needSync: boolean;
  readonly cmds: number;
  readonly waits: number;
  readonly evtBase: number;
  readonly evtHead: number;
  readonly evtTail: number;
  readonly events: number;
  readonly evtDropped: number;
  readonly evtIrq: boolean;
  readonly iotlbValid: number;
  readonly iotlbSize: number;
  readonly hits: number;
  readonly misses: number;
  readonly walks: number;
  readonly faults: number;
  readonly reads: number;
  readonly writes: number;
}

export interface AmdCmdStatus {
  readonly slot: number;
  readonly words: Words4Status;
  readonly name: string;
}

export interface AmdEventStatus {
  readonly slot: number;
  readonly words: Words4Status;
  readonly type: string;
  readonly devid: number;
  /** The domain field as this kernel decodes it. */
  readonly domain: number;
  readonly address: number | bigint;
  readonly flags: number;
  /** Written by the hardware, not read by the driver yet (between head and tail). */
  readonly pending: boolean;
}

export interface AmdDteStatus {
  readonly words: Words4Status;
  readonly valid: boolean;
  readonly translationValid: boolean;
  readonly mode: number;
  readonly root: number;
  readonly ir: boolean;
  readonly iw: boolean;
  readonly domid: number;
  readonly iotlb: boolean;
}

export interface AmdDeviceStatus {
  readonly name: string;
  readonly bdf: string;
  readonly devid: number;
  readonly alias: number;
  readonly iommu: string;
  /** The attached domain's name and ID (undefined: detached). */
  readonly domain?: string;
  readonly domainId?: number;
  readonly dte: AmdDteStatus;
  /** Mappings the DMA API returned to its driver that it has not unmapped. */
  readonly live: number;
}

export interface AmdIovaRangeStatus {
  readonly lo: number;
  readonly hi: number;
  /** One of reserved_iova_ranges (MSI, HT, a PCI BAR). */
  readonly reserved: boolean;
  /** Allocated, but no live mapping, range-cache entry or flush-queue entry owns it: leaked. */
  readonly leaked: boolean;
}

export interface AmdIovaStatus {
  /** Allocated ranges of the rbtree (reserved ranges included), pfn_lo..pfn_hi. */
  readonly ranges: readonly AmdIovaRangeStatus[];
  /** Per-CPU range caches (CPU 0): per size bin the pfns it holds; `unknown`: those no tree node contains (not a pfn at all). */
  readonly rcache: readonly { readonly bin: number; readonly pfns: readonly number[]; readonly unknown: readonly number[] }[];
  /** Flush-queue entries waiting for a flush, with when queue_iova took them. */
  readonly fq: readonly { readonly pfn: number; readonly pages: number; readonly queuedAt?: number }[];
  readonly timerOn: boolean;
}

export interface AmdDomainStatus {
  readonly name: string;
  readonly id: number;
  readonly type: 'dma' | 'unmanaged';
  readonly mode: number;
  readonly root: number;
  readonly devIommu: readonly number[];
  readonly devCnt: number;
  readonly devs: readonly string[];
  readonly ptPages: number;
  readonly freed: boolean;
  readonly iova?: AmdIovaStatus;
}

export interface AmdStatus {
  readonly release: string;
  readonly fullflush: boolean;
  readonly npCache: boolean;
  readonly iommus: readonly AmdIommuStatus[];
  readonly domains: readonly AmdDomainStatus[];
  readonly devices: readonly AmdDeviceStatus[];
  readonly usedIds: readonly number[];
  readonly mismatches: number;
}

export function amdDte(words: readonly number[]): AmdDteStatus {
  return {
    words: [words[0], words[1], words[2], words[3]],
    valid: (words[0] & DTE_LO_V) !== 0,
    translationValid: (words[0] & DTE_LO_TV) !== 0,
    mode: (words[0] >>> DTE_MODE_SHIFT) & 7,
    root: addrOf(words[0], words[1]),
    ir: (words[1] & DTE_HI_IR) !== 0,
    iw: (words[1] & DTE_HI_IW) !== 0,
    domid: words[2] & 0xffff,
    iotlb: (words[3] & 1) !== 0,
  };
}

/** The rbtree's ranges, each marked reserved, or leaked when nothing owns it any more. */
function iovaRanges(s: AmdState, d: AmdDomain): AmdIovaRangeStatus[] {
  const iovad = d.iovad!;
  const owned = new Set<number>();
  for (const r of iovad.rcaches) for (const p of [...r.cpu[0].loaded, ...r.cpu[0].prev, ...r.depot.flat()]) owned.add(p);
  for (const e of iovaFqPending(iovad)) owned.add(e.pfn);
  const lives = d.devList.flatMap((i) => s.live[i]);
  return iovad.nodes
    .filter((n) => n.lo !== IOVA_ANCHOR)
    .map((n) => {
      const reserved = s.reserved.nodes.some((r) => r.lo <= n.lo && n.hi <= r.hi);
      const used = owned.has(n.lo) || lives.some((l) => Math.floor(l.dma / 4096) >= n.lo && Math.floor(l.dma / 4096) <= n.hi);
      return { lo: n.lo, hi: n.hi, reserved, leaked: !reserved && !used };
    });
}

export function amdStatus(m: Machine): AmdStatus | undefined {
  const s = m.findModel(AMD_MODEL);
  if (!s) return undefined;
  return {
    release: s.release,
    fullflush: s.fullflush,
    npCache: s.npCache,
    iommus: s.iommus.map((i) => ({
      name: i.name, devid: i.devid, cmdBase: i.cmdBase, cmdHead: i.cmdHead, cmdTail: i.cmdTail, needSync: i.needSync, cmds: i.cmds, waits: i.waits,
      evtBase: i.evtBase, evtHead: i.evtHead, evtTail: i.evtTail, events: i.events, evtDropped: i.evtDropped, evtIrq: i.evtIrq,
      iotlbValid: amdIotlbValid(i.iotlb), iotlbSize: i.iotlb.entries.length, hits: i.iotlb.hits, misses: i.iotlb.misses,
      walks: i.walks, faults: i.faults, reads: i.reads, writes: i.writes,
    })),
    domains: s.domains.map((d) => ({
      name: d.name, id: d.id, type: d.type, mode: d.mode, root: d.root, devIommu: [...d.devIommu], devCnt: d.devCnt,
      devs: d.devList.map((i) => s.devs[i].name), ptPages: d.ptPages, freed: d.freed,
      ...(d.iovad
        ? {
            iova: {
              ranges: iovaRanges(s, d),
              rcache: d.iovad.rcaches
                .map((r, bin) => {
                  const pfns = [...r.cpu[0].loaded, ...r.cpu[0].prev, ...r.depot.flat()];
                  return { bin, pfns, unknown: pfns.filter((p) => !findIova(d.iovad!, p)) };
                })
                .filter((r) => r.pfns.length),
              fq: iovaFqPending(d.iovad).map((e) => ({ pfn: e.pfn, pages: e.pages, queuedAt: s.fqQueuedAt[`${d.id}:${e.pfn}`] })),
              timerOn: d.iovad.fq?.timerOn ?? false,
            },
          }
        : {}),
    })),
    devices: s.devs.map((d, i) => {
      const dom = d.domain >= 0 ? s.domains[d.domain] : undefined;
      return {
        name: d.name, bdf: d.bdf, devid: d.devid, alias: d.alias, iommu: s.iommus[d.iommu].name,
        ...(dom ? { domain: dom.name, domainId: dom.id } : {}),
        dte: amdDte(dteWords(s, d.devid)), live: s.live[i].length,
      };
    }),
    usedIds: [...s.usedIds],
    mismatches: s.checks,
  };
}

/** The last `n` commands written to an IOMMU's ring, oldest first. */
export function amdCmdTail(m: Machine, iommu: number, n: number): AmdCmdStatus[] {
  const i = amdState(m).iommus[iommu];
  const out: AmdCmdStatus[] = [];
  const count = Math.min(n, i.cmds, CMD_BUFFER_ENTRIES);
  const tail = i.cmdTail / CMD_ENTRY_SIZE;
  for (let k = count; k > 0; k--) {
    const slot = (tail - k + CMD_BUFFER_ENTRIES) % CMD_BUFFER_ENTRIES;
    const words = amdRingEntry(m, i.cmdBase, slot);
    out.push({ slot, words, name: CMD_NAMES[words[1] >>> 28] ?? `opcode ${words[1] >>> 28}` });
  }
  return out;
}

/** The last `n` entries of an IOMMU's event log, oldest first (read ones and pending ones). */
export function amdEventLog(m: Machine, iommu: number, n: number): AmdEventStatus[] {
  const s = amdState(m);
  const i = s.iommus[iommu];
  const out: AmdEventStatus[] = [];
  const count = Math.min(n, i.events, EVT_BUFFER_ENTRIES);
  const tail = i.evtTail / EVENT_ENTRY_SIZE;
  const head = i.evtHead / EVENT_ENTRY_SIZE;
  const pendingCount = (tail - head + EVT_BUFFER_ENTRIES) % EVT_BUFFER_ENTRIES;
  for (let k = count; k > 0; k--) {
    const slot = (tail - k + EVT_BUFFER_ENTRIES) % EVT_BUFFER_ENTRIES;
    const words = amdRingEntry(m, i.evtBase, slot);
    const e = decodeEvent(s.release, words);
    out.push({ slot, words, type: EVENT_NAMES[e.type] ?? (e.type === 0 ? '(cleared)' : 'UNKNOWN'), devid: e.devid, domain: e.domain, address: e.address, flags: e.flags, pending: k <= pendingCount });
  }
  return out;
}

export interface AmdIotlbEntryStatus {
  readonly slot: number;
  readonly domid: number;
  readonly iova: number;
  readonly pa: number;
  readonly size: number;
  readonly ir: boolean;
  readonly iw: boolean;
  /** The page table no longer holds what the entry was filled from. */
  readonly stale: boolean;
}

/** An IOMMU's valid IOTLB entries, each checked against the page table (a read, nothing cached). */
export function amdIotlbEntries(m: Machine, iommu: number): AmdIotlbEntryStatus[] {
  const i = amdState(m).iommus[iommu];
  const out: AmdIotlbEntryStatus[] = [];
  i.iotlb.entries.forEach((e, slot) => {
    if (e.valid) out.push({ slot, domid: e.domid, iova: e.iova, pa: e.pa, size: e.size, ir: e.ir, iw: e.iw, stale: !amdEntryMatches(m, e) });
  });
  return out;
}

export interface AmdWalkStatus extends AmdWalkStep {
  readonly present: boolean;
  readonly next: number;
  readonly addr64: number;
  /** A leaf: the bytes it maps (next level 0: the level's size; 7: encoded in the address). */
  readonly leafSize?: number;
  readonly ir: boolean;
  readonly iw: boolean;
  readonly fc: boolean;
}

/** The hardware walk of `iova` for a device: its DTE, then each level's word (empty with no translation). */
export function amdDeviceWalk(m: Machine, dev: string, iova: number): { dte: AmdDteStatus; steps: AmdWalkStatus[] } | undefined {
  const s = amdState(m);
  const d = s.devs.find((x) => x.name === dev);
  if (!d) return undefined;
  const dte = amdDte(dteWords(s, d.devid));
  if (!dte.valid || !dte.translationValid || dte.mode === 0) return { dte, steps: [] };
  const steps = amdWalk(m, dte.root, dte.mode, iova).map((w): AmdWalkStatus => {
    const next = pteLevel(w.lo);
    const present = ptePresent(w.lo);
    const leaf = present && (next === 0 || next === 7);
    return {
      ...w, present, next, addr64: addrOf(w.lo, w.hi), ir: (w.hi & (1 << 29)) !== 0, iw: (w.hi & (1 << 30)) !== 0, fc: (w.hi & (1 << 28)) !== 0,
      ...(leaf ? { leafSize: next === 7 ? ptePageSize(w.lo, w.hi) : pteLevelPageSize(w.level) } : {}),
    };
  });
  return { dte, steps };
}
