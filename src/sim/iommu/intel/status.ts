/**
 * The VT-d model's state as plain typed data for the debugger (`info vtd`, `info pt`, the
 * VT-d and IOTLB panels): numbers, bigints and names, never text; read from machine state
 * (registers, the tables in memory), never written back.
 */
import type { Machine } from '../../machine.ts';
import { iovaFqPending, iovaRanges } from '../iova.ts';
import { type VtdWalkStep, VTD_PAGE_SIZE, vtdWalk } from '../../pgtable/vtd/index.ts';
import { read64Word } from '../../mem/phys.ts';
import { bdfText } from './bdf-text.ts';
import { decodeContext, decodePasid, readQwords, type ContextDecoded, type PasidDecoded } from './entries.ts';
import {
  DMAR_FECTL_REG, DMAR_FSTS_REG, DMAR_GCMD_REG, DMAR_GSTS_REG, DMAR_IQA_REG, DMAR_IQH_REG, DMAR_IQT_REG, DMAR_RTADDR_REG, DMA_FRCD_F,
  DMA_GSTS_QIES, DMA_GSTS_TES, PRIMARY_FAULT_REG_LEN, cap, ecap,
} from './regs.ts';
import { r32, r64, r64big } from './hw.ts';
import { dmarFaultReason } from './fault-reasons.ts';
import { DMAR_SM_FAULT_REASONS } from '../../kernel.ts';
import { vtdIotlbValid } from './iotlb.ts';
import { type VtdDevInfo, type VtdDomainState, type VtdUnitState, VTD_MODEL } from './state.ts';

export interface VtdFaultRecordStatus {
  readonly index: number;
  /** F: the record holds a fault the handler has not cleared. */
  readonly pending: boolean;
  readonly read: boolean;
  readonly reason: number;
  readonly reasonText: string;
  readonly sid: number;
  readonly addr: number;
  readonly words: readonly bigint[];
}

export interface VtdUnitStatus {
  readonly name: string;
  readonly base: number;
  readonly cap: bigint;
  readonly ecap: bigint;
  readonly mode: 'legacy' | 'scalable';
  readonly translating: boolean;
  readonly queued: boolean;
  readonly mgaw: number;
  readonly levels: readonly number[];
  readonly agaw: number;
  readonly faultRecords: number;
  readonly faultOffset: number;
  readonly psi: boolean;
  readonly mamv: number;
  readonly zlr: boolean;
  readonly cachingMode: boolean;
  readonly smpwc: boolean;
  readonly regs: { readonly gcmd: number; readonly gsts: number; readonly rtaddr: number; readonly fsts: number; readonly fectl: number; readonly iqa: number; readonly iqh: number; readonly iqt: number };
  readonly records: readonly VtdFaultRecordStatus[];
  readonly iotlbValid: number;
  readonly iotlbSize: number;
  readonly hits: number;
  readonly misses: number;
  readonly walks: number;
  readonly reads: number;
  readonly writes: number;
  readonly faults: number;
  readonly reported: number;
  readonly qiSubmits: number;
  readonly dids: readonly number[];
}

export interface VtdDomainStatus {
  readonly name: string;
  readonly unit: string;
  readonly did: number;
  readonly gaw: number;
  readonly agaw: number;
  readonly levels: number;
  readonly pgd: number;
  readonly tables: number;
  readonly devs: readonly string[];
  readonly alive: boolean;
  readonly iovaRanges: number;
  readonly fqPending: number;
}

export interface VtdEntryStatus<D> {
  readonly index: number;
  readonly addr: number;
  readonly words: readonly bigint[];
  readonly decoded: D;
}

export interface VtdDeviceStatus {
  readonly dev: string;
  /** pci_name(): "0000:04:00.0" (the DMAR units here cover segment 0). */
  readonly bdf: string;
  /** The requester id its DMA carries, named the same way (differs from bdf for a quirky function). */
  readonly rid: string;
  readonly unit: string;
  readonly driver: string;
  readonly domain?: string;
  readonly did?: number;
  readonly root?: VtdEntryStatus<{ readonly present: boolean; readonly table: number }>;
  readonly context?: VtdEntryStatus<ContextDecoded>;
  readonly pasidDir?: VtdEntryStatus<{ readonly present: boolean; readonly table: number }>;
  readonly pasid?: VtdEntryStatus<PasidDecoded>;
  /** Present PASID entries other than RID_PASID (a guest's nested binds), index = the PASID. */
  readonly pasids?: readonly VtdEntryStatus<PasidDecoded>[];
  readonly scalable: boolean;
}

export interface VtdIotlbEntryStatus {
  readonly slot: number;
  readonly did: number;
  readonly pasid: number;
  readonly iova: number;
  readonly pa: number;
  readonly size: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly leaf: number;
  readonly lru: number;
  readonly stale: boolean;
}

export interface VtdStatus {
  readonly release: 'v5.0' | 'v5.4';
  readonly cmdline: string;
  readonly sm: boolean;
  readonly strict: boolean;
  readonly forcedac: boolean;
  readonly units: readonly VtdUnitStatus[];
  readonly domains: readonly VtdDomainStatus[];
  readonly devices: readonly VtdDeviceStatus[];
}

function unitStatus(m: Machine, u: VtdUnitState): VtdUnitStatus {
  const fro = cap.faultRegOffset(u.cap);
  const records: VtdFaultRecordStatus[] = [];
  for (let i = 0; i < cap.numFaultRegs(u.cap); i++) {
    const at = fro + i * PRIMARY_FAULT_REG_LEN;
    const hi = r32(u, at + 12);
    const addr = r64(u, at);
    if (!hi && !addr) continue;
    const reason = hi & 0xff;
    records.push({
      index: i, pending: (hi & DMA_FRCD_F) !== 0, read: (hi & (1 << 30)) !== 0, reason, reasonText: dmarFaultReason(reason, m.behaviour(DMAR_SM_FAULT_REASONS)).text,
      sid: r32(u, at + 8) & 0xffff, addr, words: [r64big(u, at), r64big(u, at + 8)],
    });
  }
  const sagaw = cap.sagaw(u.cap);
  return {
    name: u.name,
    base: u.base,
    cap: u.cap,
    ecap: u.ecap,
    mode: u.sm ? 'scalable' : 'legacy',
    translating: (r32(u, DMAR_GSTS_REG) & DMA_GSTS_TES) !== 0,
    queued: (r32(u, DMAR_GSTS_REG) & DMA_GSTS_QIES) !== 0,
    mgaw: cap.mgaw(u.cap),
    levels: [1, 2, 3].filter((a) => (sagaw >> a) & 1).map((a) => a + 2),
    agaw: u.agaw,
    faultRecords: cap.numFaultRegs(u.cap),
    faultOffset: fro,
    psi: cap.pgselInv(u.cap),
    mamv: cap.maxAmaskVal(u.cap),
    zlr: cap.zlr(u.cap),
    cachingMode: cap.cachingMode(u.cap),
    smpwc: ecap.smpwc(u.ecap),
    regs: {
      gcmd: r32(u, DMAR_GCMD_REG), gsts: r32(u, DMAR_GSTS_REG), rtaddr: r64(u, DMAR_RTADDR_REG), fsts: r32(u, DMAR_FSTS_REG),
      fectl: r32(u, DMAR_FECTL_REG), iqa: r64(u, DMAR_IQA_REG), iqh: r32(u, DMAR_IQH_REG), iqt: r32(u, DMAR_IQT_REG),
    },
    records,
    iotlbValid: vtdIotlbValid(u.iotlb),
    iotlbSize: u.iotlb.size,
    hits: u.iotlb.hits,
    misses: u.iotlb.misses,
    walks: u.walks,
    reads: u.reads,
    writes: u.writes,
    faults: u.faults,
    reported: u.reported,
    qiSubmits: u.qi?.submits ?? 0,
    dids: [...u.dids],
  };
}

function domainStatus(units: readonly VtdUnitState[], d: VtdDomainState): VtdDomainStatus {
  return {
    name: d.name, unit: units[d.unit].name, did: d.did, gaw: d.pt.gaw, agaw: d.pt.agaw, levels: d.pt.agaw + 2, pgd: d.pt.pgd,
    tables: d.pt.tables, devs: [...d.devs], alive: d.alive, iovaRanges: iovaRanges(d.iovad).length, fqPending: iovaFqPending(d.iovad).length,
  };
}

/** The root, context and (scalable mode) PASID entries the hardware would read for a device's requester id. */
function deviceStatus(m: Machine, units: readonly VtdUnitState[], domains: readonly VtdDomainState[], info: VtdDevInfo): VtdDeviceStatus {
  const u = units[info.unit];
  const dom = info.domain >= 0 ? domains[info.domain] : undefined;
  const base: VtdDeviceStatus = {
    dev: info.dev, bdf: `0000:${bdfText(info.bus, info.devfn)}`, rid: `0000:${bdfText(info.rid >> 8, info.rid & 0xff)}`, unit: u.name, driver: info.driver,
    scalable: u.sm, ...(dom ? { domain: dom.name, did: dom.did } : {}),
  };
  if (!u.rootPa) return base;
  const bus = info.rid >> 8;
  let devfn = info.rid & 0xff;
  let rootAddr = u.rootPa + 16 * bus;
  if (u.sm && devfn >= 0x80) {
    rootAddr += 8;
    devfn -= 0x80;
  }
  const rootWords = readQwords(m, u.rootPa + 16 * bus, 2);
  const rootWord = read64Word(m.state.mem, rootAddr);
  const root = { index: bus, addr: u.rootPa + 16 * bus, words: rootWords, decoded: { present: rootWord % 2 === 1, table: rootWord - (rootWord % 4096) } };
  if (!root.decoded.present) return { ...base, root };
  const n = u.sm ? 4 : 2;
  const ctxAddr = root.decoded.table + (u.sm ? 32 : 16) * devfn;
  const cw = readQwords(m, ctxAddr, n);
  const context = { index: devfn, addr: ctxAddr, words: cw, decoded: decodeContext(cw, u.sm) };
  if (!u.sm || !context.decoded.present) return { ...base, root, context };
  const pasid = context.decoded.rid2pasid;
  const dirAddr = context.decoded.pasidDir + 8 * (pasid >> 6);
  const pde = read64Word(m.state.mem, dirAddr);
  const pasidDir = { index: pasid >> 6, addr: dirAddr, words: [BigInt(pde)], decoded: { present: pde % 2 === 1, table: pde - (pde % 4096) } };
  if (!pasidDir.decoded.present) return { ...base, root, context, pasidDir };
  const peAddr = pasidDir.decoded.table + 64 * (pasid & 0x3f);
  const pw = readQwords(m, peAddr, 8);
  const pasids = otherPasids(m, info, pasid);
  return { ...base, root, context, pasidDir, pasid: { index: pasid & 0x3f, addr: peAddr, words: pw, decoded: decodePasid(pw) }, ...(pasids.length ? { pasids } : {}) };
}

/** Present entries of the leaf tables the driver allocated, RID_PASID's excepted. */
function otherPasids(m: Machine, info: VtdDevInfo, rid2pasid: number): VtdEntryStatus<PasidDecoded>[] {
  const t = info.pasidTable;
  if (!t) return [];
  const out: VtdEntryStatus<PasidDecoded>[] = [];
  for (let dir = 0; dir < (4096 << t.order) / 8; dir++) {
    const pde = read64Word(m.state.mem, t.dirPa + 8 * dir);
    if (pde % 2 === 0) continue;
    for (let i = 0; i < 64; i++) {
      const pa = pde - (pde % 4096) + 64 * i;
      if (dir * 64 + i === rid2pasid || read64Word(m.state.mem, pa) % 2 === 0) continue;
      const w = readQwords(m, pa, 8);
      out.push({ index: dir * 64 + i, addr: pa, words: w, decoded: decodePasid(w) });
    }
  }
  return out;
}

export function vtdStatus(m: Machine): VtdStatus | undefined {
  const s = m.findModel(VTD_MODEL);
  if (!s) return undefined;
  return {
    release: s.release,
    cmdline: s.cmdline,
    sm: s.sm,
    strict: s.strict,
    forcedac: s.forcedac,
    units: s.units.map((u) => unitStatus(m, u)),
    domains: s.domains.map((d) => domainStatus(s.units, d)),
    // Scenario devices in boot order, then those attached later (VFIO-assigned functions).
    devices: [...s.boot.order, ...Object.keys(s.devs).filter((d) => !s.boot.order.includes(d))].map((dev) => deviceStatus(m, s.units, s.domains, s.devs[dev])),
  };
}

/** The second-level walk of `iova` in a domain (by name), or undefined for no such live domain. */
export function vtdDomainWalk(m: Machine, domain: string, iova: number): { levels: number; pgd: number; steps: VtdWalkStep[] } | undefined {
  const d = m.findModel(VTD_MODEL)?.domains.find((x) => x.name === domain && x.alive && x.pt.pgd);
  if (!d) return undefined;
  const levels = d.pt.agaw + 2;
  return { levels, pgd: d.pt.pgd, steps: vtdWalk(m.state.mem, d.pt.pgd, levels, iova) };
}

/** Every leaf of a domain's table as (iova, pa, size, read, write), in IOVA order. */
export function vtdDomainLeaves(m: Machine, domain: string): { iova: number; pa: number; size: number; read: boolean; write: boolean }[] | undefined {
  const d = m.findModel(VTD_MODEL)?.domains.find((x) => x.name === domain && x.alive && x.pt.pgd);
  if (!d) return undefined;
  const out: { iova: number; pa: number; size: number; read: boolean; write: boolean }[] = [];
  const walk = (table: number, level: number, base: number): void => {
    for (let i = 0; i < 512; i++) {
      const v = read64Word(m.state.mem, table + 8 * i);
      if (v % 4 === 0) continue;
      const span = 512 ** (level - 1) * VTD_PAGE_SIZE;
      const iova = base + i * span;
      const flags = v % 4096;
      if (level === 1 || ((level === 2 || level === 3) && flags & 0x80)) out.push({ iova, pa: v - flags, size: span, read: (flags & 1) !== 0, write: (flags & 2) !== 0 });
      else walk(v - flags, level - 1, iova);
    }
  };
  walk(d.pt.pgd, d.pt.agaw + 2, 0);
  return out;
}

/** A unit's valid IOTLB entries, most recently used first, with whether the table still backs them. */
export function vtdIotlbEntries(m: Machine, unit: number): VtdIotlbEntryStatus[] {
  const u = m.findModel(VTD_MODEL)?.units[unit];
  if (!u) return [];
  const t = u.iotlb;
  const out: VtdIotlbEntryStatus[] = [];
  for (let i = 0; i < t.size; i++) {
    if (t.did[i] < 0) continue;
    let stale = false;
    for (let k = 0; k < t.walkN[i]; k++) if (read64Word(m.state.mem, t.walkPa[i * t.walkMax + k]) !== t.walkWord[i * t.walkMax + k]) stale = true;
    out.push({
      slot: i, did: t.did[i], pasid: t.pasid[i], iova: t.pfn[i] * VTD_PAGE_SIZE, pa: t.pa[i], size: t.pages[i] * VTD_PAGE_SIZE,
      read: (t.perm[i] & 1) !== 0, write: (t.perm[i] & 2) !== 0, leaf: t.walkWord[i * t.walkMax + t.walkN[i] - 1], lru: t.lru[i], stale,
    });
  }
  return out.sort((a, b) => b.lru - a.lru);
}
