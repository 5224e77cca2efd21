/**
 * VT-d guests with shared virtual addressing (what-if: rows `ioasid` and `vsva-uapi`).
 *
 * - PASIDs: each guest has its own IOASID framework; its vIOMMU units register the
 *   virtual-command allocator (vcmd.ts), so a guest ioasid_alloc is a VCMD_CMD_ALLOC the VMM
 *   answers `vcmdLatency` ns later with a host PASID.
 * - Nested translation: each assigned device is an endpoint of a DMAR unit of the `vtd`
 *   section. At t=0 VFIO attaches it to a nesting domain and maps guest RAM into that
 *   domain's second-level table (intel_iommu_map: real table words). intel_svm_bind_gpasid
 *   writes a nested PASID entry (intel_pasid_setup_nested) pointing at the guest's
 *   first-stage table (x86 4-level, in guest RAM). The device looks in its device TLB (ATS),
 *   then the unit translates (nested.ts: IOTLB keyed DID, PASID, page; else the nested walk).
 * - Invalidations: the guest's page-table writes are `pte` records (the stale checker
 *   remembers them); its invalidation, trapped by the VMM, goes through the UAPI
 *   (cache-inv-uapi.ts), and the descriptors the host builds are submitted to the unit's
 *   invalidation queue (`qi` records; the unit drops IOTLB entries), the device-TLB ones also
 *   reach the device's ATC. A cached entry whose walk words (either stage) changed with no
 *   descriptor covering it is a `stale-tlb` whose changedBy is the guest's PTE write.
 */
import type { Machine } from '../../machine.ts';
import { PRIO } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import { eventKey, modelKey } from '../../core/keys.ts';
import { assertNever } from '../../core/assert.ts';
import { read64Word, write64 } from '../../mem/phys.ts';
import { staleReport, walkChanged } from '../stale.ts';
import { atsDecodeRange } from '../ats/atc.ts';
import { IOASID, VSVA_UAPI } from '../../kernel.ts';
import { ioasidAlloc, ioasidFind, ioasidFree, ioasidGet, ioasidRegisterAllocator, ioasidSpace, ioasidUnregisterAllocator } from '../ioasid.ts';
import { vcmdForceStatus, vcmdOps, VCMD_CMD_ALLOC, VCMD_CMD_FREE } from './vcmd.ts';
import {
  ADDR_FLAGS, CACHE_TYPES, type CacheInvalidateInfo, GRANULARITIES, INV_INFO_SIZE, cacheBits, flagBits, intelSvaInvalidate,
} from './cache-inv-uapi.ts';
import { QI_DEV_EIOTLB_SIZE } from './qi.ts';
import { qiSubmitSync } from './flush.ts';
import { intelIommuAttachNesting, intelIommuMap } from './domain.ts';
import { intelPasidSetupNested } from './pasid.ts';
import { vtdNestedTranslate } from './nested.ts';
import { dmarRecordFault } from './hw.ts';
import { vtdState } from './state.ts';

const IOMMU_C = 'drivers/iommu/intel/iommu.c';
const SVM_C = 'drivers/iommu/intel/svm.c';
const F_SVA_INVALIDATE = kfunc('intel_iommu_sva_invalidate', IOMMU_C);
const F_UAPI_INVALIDATE = kfunc('iommu_uapi_cache_invalidate', 'drivers/iommu/iommu.c');
const F_CACHE_INVALIDATE = kfunc('iommu_cache_invalidate', 'drivers/iommu/iommu.c');
const F_BIND_GPASID = kfunc('intel_svm_bind_gpasid', SVM_C, ['pasid']);
const F_REGISTER = kfunc('register_pasid_allocator', IOMMU_C);

/** A device-TLB entry: the unit's translation and the words (both stages) its walk read. */
export interface NestedTlbEntry {
  pasid: number;
  /** Page-aligned first-stage address. */
  va: number;
  hpa: number;
  write: boolean;
  walkPa: number[];
  walkWord: number[];
  /** Seq of the last record before the fill (stale-tlb's filledAfter). */
  filledAfter: number;
  staleReported: boolean;
}

export interface VsvaGuestState {
  name: string;
  ramHpa: number;
  ramSize: number;
  units: string[];
  vcmdLatencyNs: number;
  /** Until when the guest polls an outstanding virtual command (register_lock held: one at a time). */
  vcmdBusyUntil: number;
  /** Next guest-physical page handed out for page tables (top of guest RAM, downwards). */
  nextTableGpa: number;
}

export interface VsvaDevState {
  name: string;
  guest: string;
  devid: number;
  /** The host DMAR unit (index in the vtd section) and the nesting domain's DID on it (0 until VFIO attached it). */
  unit: number;
  did: number;
  ats: boolean;
  qdep: number;
  atcEntries: number;
  /** The bound guest PASID and its first-stage root (guest physical), -1 when unbound. */
  pasid: number;
  pml4Gpa: number;
  atc: NestedTlbEntry[];
}

/** Plain-data ops, as the scenario gives them (vsva schema). */
export type VsvaPlanOp =
  | { op: 'ioasid-alloc'; kernel: string; min: number; max: number; set?: string; vmmStatus?: number }
  | { op: 'ioasid-free'; kernel: string; pasid: number; vmmStatus?: number }
  | { op: 'ioasid-get'; kernel: string; pasid: number }
  | { op: 'register-allocator' | 'unregister-allocator'; guest: string; unit?: string }
  | { op: 'bind-gpasid'; dev: string; pasid: number }
  | { op: 'guest-map'; dev: string; va: number; gpa: number; write: boolean }
  | { op: 'guest-unmap'; dev: string; va: number }
  | { op: 'dma'; dev: string; va: number; len: number; dir: 'read' | 'write' }
  | {
      op: 'cache-invalidate'; dev: string; version: number; cache: (typeof CACHE_TYPES)[number][]; granularity: (typeof GRANULARITIES)[number] | number;
      flags: (typeof ADDR_FLAGS)[number][]; pasid: number; addr: number; granuleSize: number; nbGranules: number; padding: number; dropped: boolean;
      argsz?: number;
    };

export interface VsvaState {
  guests: VsvaGuestState[];
  devices: VsvaDevState[];
  plan: VsvaPlanOp[];
}

export const VSVA_MODEL = modelKey<VsvaState>('vsva');
const VSVA_OP = eventKey('vsva.op');
const VSVA_VCMD_DONE = eventKey('vsva.vcmd-done');
const VSVA_ATTACH = eventKey('vsva.vfio-attach');

const PAGE = 4096;
/** x86 first-level PTE bits: present, writable, user. */
const PTE_P = 1;
const PTE_RW = 2;
const PTE_US = 4;
const ADDR_MASK = 0x000f_ffff_ffff_f000;

export function vsvaState(m: Machine): VsvaState {
  return m.model(VSVA_MODEL);
}

function guestOf(m: Machine, name: string): VsvaGuestState {
  return vsvaState(m).guests.find((g) => g.name === name)!;
}

function devOf(m: Machine, name: string): VsvaDevState {
  return vsvaState(m).devices.find((d) => d.name === name)!;
}

/** Build: the model, its events, and every op scheduled at its time. */
export function vsvaSetup(m: Machine, st: VsvaState, at: number[]): void {
  m.addModel(VSVA_MODEL, st);
  m.on(VSVA_OP, runOp);
  m.on(VSVA_VCMD_DONE, vcmdDone);
  m.on(VSVA_ATTACH, vfioAttach);
  // After the unit's boot (scheduled at build before this): VFIO takes the devices.
  st.devices.forEach((_, i) => m.schedule(0, m.typeOf(VSVA_ATTACH), i, 0, PRIO.kernel));
  st.plan.forEach((_, i) => m.schedule(at[i], m.typeOf(VSVA_OP), i, 0, PRIO.kernel));
}

function runOp(m: Machine, i: number): void {
  const op = vsvaState(m).plan[i];
  switch (op.op) {
    case 'ioasid-alloc': return ioasidAllocOp(m, i, op);
    case 'ioasid-free': return ioasidFreeOp(m, i, op);
    case 'ioasid-get': return ioasidGet(m, ioasidSpace(m, op.kernel), op.pasid, { by: 'scenario' });
    case 'register-allocator': return registerAllocator(m, op.guest, op.unit);
    case 'unregister-allocator': {
      const g = guestOf(m, op.guest);
      return ioasidUnregisterAllocator(m, ioasidSpace(m, g.name), vcmdOps(g.name, op.unit ?? g.units[0]), { by: 'intel_iommu_exit' });
    }
    case 'bind-gpasid': return bindGpasid(m, devOf(m, op.dev), op.pasid);
    case 'guest-map': return guestSetPte(m, devOf(m, op.dev), op.va, ((op.gpa & ADDR_MASK) + PTE_P + (op.write ? PTE_RW : 0) + PTE_US));
    case 'guest-unmap': return guestSetPte(m, devOf(m, op.dev), op.va, 0);
    case 'dma': return nestedAccess(m, devOf(m, op.dev), op.va, op.len, op.dir);
    case 'cache-invalidate': return cacheInvalidate(m, devOf(m, op.dev), op);
    default: assertNever(op, 'vsva op');
  }
}

/** A guest whose active allocator is its vIOMMU's: the alloc is a virtual command, answered later. */
function ioasidAllocOp(m: Machine, i: number, op: Extract<VsvaPlanOp, { op: 'ioasid-alloc' }>): void {
  const s = ioasidSpace(m, op.kernel);
  if (op.kernel !== 'host' && s.active >= 0 && s.list[s.active].ops.alloc === 'intel_vcmd_ioasid_alloc') {
    const g = guestOf(m, op.kernel);
    if (vcmdWait(m, g, i)) return;
    m.emit('vcmd', { kernel: g.name, unit: s.list[s.active].ops.pdata, cmd: 'alloc', phase: 'submit', vcmd: VCMD_CMD_ALLOC, latency: g.vcmdLatencyNs });
    m.schedule(g.vcmdLatencyNs, m.typeOf(VSVA_VCMD_DONE), i, 0, PRIO.kernel);
    return;
  }
  ioasidAlloc(m, s, op.set ?? null, op.min, op.max, null, { by: 'scenario' });
}

/**
 * vcmd_alloc_pasid / vcmd_free_pasid hold the unit's register_lock while they poll: a second
 * command waits for the first to be answered (the op runs again then). Otherwise the guest is
 * busy from now until the answer.
 */
function vcmdWait(m: Machine, g: VsvaGuestState, i: number): boolean {
  const now = m.state.now;
  if (g.vcmdBusyUntil > now) {
    m.schedule(g.vcmdBusyUntil - now, m.typeOf(VSVA_OP), i, 0, PRIO.kernel);
    return true;
  }
  g.vcmdBusyUntil = now + g.vcmdLatencyNs;
  return false;
}

/**
 * A free of an ID the virtual-command allocator holds is a VCMD_CMD_FREE, answered as late;
 * with references left (refcounted generation) ioasid_put only drops one, no command.
 */
function ioasidFreeOp(m: Machine, i: number, op: Extract<VsvaPlanOp, { op: 'ioasid-free' }>): void {
  const s = ioasidSpace(m, op.kernel);
  const a = s.active >= 0 ? s.list[s.active] : undefined;
  if (op.kernel !== 'host' && a?.ops.free === 'intel_vcmd_ioasid_free' && a.xa.some((d) => d.id === op.pasid && d.refs === 1)) {
    const g = guestOf(m, op.kernel);
    if (vcmdWait(m, g, i)) return;
    m.emit('vcmd', { kernel: g.name, unit: a.ops.pdata, cmd: 'free', phase: 'submit', vcmd: op.pasid * 256 + VCMD_CMD_FREE, pasid: op.pasid, latency: g.vcmdLatencyNs });
    m.schedule(g.vcmdLatencyNs, m.typeOf(VSVA_VCMD_DONE), i, 0, PRIO.kernel);
    return;
  }
  ioasidFree(m, s, op.pasid, { by: 'scenario' });
}

/** The VMM answered: the guest's ioasid_alloc / ioasid_free completes through its custom allocator. */
function vcmdDone(m: Machine, i: number): void {
  const op = vsvaState(m).plan[i] as Extract<VsvaPlanOp, { op: 'ioasid-alloc' | 'ioasid-free' }>;
  if (op.vmmStatus !== undefined) vcmdForceStatus(m, op.kernel, op.vmmStatus);
  if (op.op === 'ioasid-free') return ioasidFree(m, ioasidSpace(m, op.kernel), op.pasid, { by: 'scenario' });
  ioasidAlloc(m, ioasidSpace(m, op.kernel), op.set ?? null, op.min, op.max, null, { by: 'scenario' });
}

/** register_pasid_allocator: a failed registration disables scalable mode in the guest. */
function registerAllocator(m: Machine, guest: string, unit: string | undefined): void {
  const g = guestOf(m, guest);
  const k = m.kstack.enter(F_REGISTER);
  const ret = ioasidRegisterAllocator(m, ioasidSpace(m, g.name), vcmdOps(g.name, unit ?? g.units[0]), { by: 'register_pasid_allocator' });
  if (ret) m.emit('klog', { level: 'warning', text: 'Custom PASID allocator failed, scalable mode disabled' });
  m.kstack.leave(k);
}

function guestHpa(g: VsvaGuestState, gpa: number): number {
  return g.ramHpa + gpa;
}

/** A zeroed page-table page from the top of guest RAM. */
function allocTablePage(m: Machine, g: VsvaGuestState): number {
  const gpa = g.nextTableGpa;
  g.nextTableGpa -= PAGE;
  for (let off = 0; off < PAGE; off += 8) write64(m.state.mem, guestHpa(g, gpa) + off, 0n);
  return gpa;
}

/**
 * VFIO's container: the device attached to a nesting domain on its unit, guest RAM mapped
 * GPA -> HPA into the domain's second level (vfio_iommu_type1's one contiguous pinned range).
 */
function vfioAttach(m: Machine, i: number): void {
  const d = vsvaState(m).devices[i];
  const g = guestOf(m, d.guest);
  const info = vtdState(m).devs[d.name];
  const dom = intelIommuAttachNesting(m, info);
  if (!dom) return void m.emit('klog', { level: 'err', text: `vfio-pci 0000:${bdf(d.devid)}: failed to attach to a nesting domain` });
  d.did = dom.did;
  const ret = intelIommuMap(m, dom, 0, g.ramHpa, g.ramSize);
  if (ret) m.emit('klog', { level: 'err', text: `vfio_iommu_type1: map of guest ${g.name}'s RAM failed (${ret})` });
}

const bdf = (devid: number): string =>
  `${(devid >> 8).toString(16).padStart(2, '0')}:${((devid >> 3) & 0x1f).toString(16).padStart(2, '0')}.${devid & 7}`;

/**
 * intel_svm_bind_gpasid: the host PASID must be one the VM owns (ioasid_find with the VM's
 * set: -ENOENT / -EACCES refuse the bind); then the nested PASID entry points at the guest's
 * first-stage root over the domain's second stage.
 */
function bindGpasid(m: Machine, d: VsvaDevState, pasid: number): void {
  const g = guestOf(m, d.guest);
  const k = m.kstack.enter(F_BIND_GPASID, pasid);
  const found = ioasidFind(m, ioasidSpace(m, 'host'), `vm ${g.name}`, pasid, { by: 'intel_svm_bind_gpasid' });
  if ('errno' in found) {
    m.emit('klog', { level: 'err', text: `${d.name}: intel_svm_bind_gpasid: PASID ${pasid} is not the VM's (${found.errno})` });
    m.kstack.leave(k);
    return;
  }
  const s = vtdState(m);
  const info = s.devs[d.name];
  if (info.domain < 0) {
    m.emit('klog', { level: 'err', text: `${d.name}: intel_svm_bind_gpasid: not attached to a nesting domain` });
    return void m.kstack.leave(k);
  }
  const pml4Gpa = allocTablePage(m, g);
  const ret = intelPasidSetupNested(m, s.units[d.unit], s.domains[info.domain], info, pasid, pml4Gpa);
  if (ret) {
    m.emit('klog', { level: 'err', text: `${d.name}: intel_svm_bind_gpasid: intel_pasid_setup_nested failed (${ret})` });
    return void m.kstack.leave(k);
  }
  d.pasid = pasid;
  d.pml4Gpa = pml4Gpa;
  m.emit('gpasid-bind', { dev: d.name, guest: g.name, pasid, did: d.did, pml4Gpa: d.pml4Gpa, pml4Hpa: guestHpa(g, d.pml4Gpa) });
  m.kstack.leave(k);
}

const index = (va: number, level: number): number => Math.floor(va / 2 ** (12 + 9 * (level - 1))) % 512;

/** The guest kernel writes the leaf for `va` (building the upper levels on the way): `pte` records at host addresses. */
function guestSetPte(m: Machine, d: VsvaDevState, va: number, leaf: number): void {
  const g = guestOf(m, d.guest);
  if (d.pml4Gpa < 0) return void m.emit('klog', { level: 'err', text: `${d.name}: no first-stage table bound (bind-gpasid first)` });
  const domain = `${g.name}:pasid ${d.pasid}`;
  let table = d.pml4Gpa;
  for (let level = 4; level >= 1; level--) {
    const i = index(va, level);
    const pa = guestHpa(g, table) + 8 * i;
    const old = read64Word(m.state.mem, pa);
    const span = 2 ** (12 + 9 * (level - 1));
    const iova = Math.floor(va / span) * span;
    if (level === 1) {
      write64(m.state.mem, pa, BigInt(leaf));
      m.emit('pte', { domain, level, index: i, old: BigInt(old), new: BigInt(leaf), addr: pa, iova });
      return;
    }
    if (old & PTE_P) {
      table = old - (old % PAGE);
      continue;
    }
    if (!leaf) return; // nothing mapped below: nothing to clear
    const next = allocTablePage(m, g);
    const word = next + PTE_P + PTE_RW + PTE_US;
    write64(m.state.mem, pa, BigInt(word));
    m.emit('pte', { domain, level, index: i, old: BigInt(old), new: BigInt(word), addr: pa, iova });
    table = next;
  }
}

function lookup(t: NestedTlbEntry[], pasid: number, va: number): NestedTlbEntry | undefined {
  return t.find((e) => e.pasid === pasid && e.va === va);
}

function fill(t: NestedTlbEntry[], cap: number, e: NestedTlbEntry): void {
  if (t.length >= cap) t.shift(); // FIFO replacement
  t.push(e);
}

/** A cached entry whose walk words changed: report once per fill, serve from it anyway (as the hardware does). */
function checkStale(m: Machine, d: VsvaDevState, e: NestedTlbEntry, va: number, where: 'device TLB'): void {
  if (e.staleReported) return;
  const i = walkChanged(m, e.walkPa, e.walkWord, 0, e.walkPa.length);
  if (i < 0) return;
  e.staleReported = true;
  staleReport(m, {
    iommu: `vtd-nested (${where})`, dev: d.name, iova: va, cachedPa: e.hpa + (va - e.va), pteAddr: e.walkPa[i], cachedPte: e.walkWord[i],
    pte: read64Word(m.state.mem, e.walkPa[i]), filledAfter: e.filledAfter, did: d.did, pasid: e.pasid,
  });
}

/** One device access with the bound PASID: the device TLB, else a translation request to the unit. */
function nestedAccess(m: Machine, d: VsvaDevState, va: number, len: number, dir: 'read' | 'write'): void {
  const page = va - (va % PAGE);
  if (d.pasid < 0) return void m.emit('dma', { dev: d.name, addr: va, len, dir, result: 'fault', pasid: -1, reason: 'no PASID bound' });
  let atc: 'hit' | 'miss' | undefined;
  if (d.ats) {
    const e = lookup(d.atc, d.pasid, page);
    if (e && (dir === 'read' || e.write)) {
      checkStale(m, d, e, va, 'device TLB');
      return void m.emit('dma', { dev: d.name, addr: va, len, dir, result: 'ok', pa: e.hpa + (va - page), pasid: d.pasid, atc: 'hit' });
    }
    atc = 'miss';
  }
  const s = vtdState(m);
  const u = s.units[d.unit];
  const r = vtdNestedTranslate(m, u, s.devs[d.name], d.pasid, va, dir === 'write');
  if (!r.ok) {
    // The unit records it with the PASID (PP set); the host's dmar_fault reports it.
    const info = s.devs[d.name];
    dmarRecordFault(m, u, { sid: info.rid, addr: va, read: dir === 'read', reason: r.code, pasid: d.pasid, dev: d.name });
    return void m.emit('dma', { dev: d.name, addr: va, len, dir, result: 'fault', pasid: d.pasid, atc, hit: r.hit, reason: r.reason, faultReason: r.code });
  }
  if (d.ats) {
    // The translation completion carries the unit's entry; the device caches it with its walk.
    const t = u.iotlb;
    const at = r.slot * t.walkMax;
    const n = t.walkN[r.slot];
    fill(d.atc, d.atcEntries, {
      pasid: d.pasid, va: page, hpa: t.pa[r.slot], write: (t.perm[r.slot] & 2) !== 0,
      walkPa: Array.from(t.walkPa.subarray(at, at + n)), walkWord: Array.from(t.walkWord.subarray(at, at + n)),
      filledAfter: t.pteSeq[r.slot], staleReported: t.staleReported[r.slot] === 1,
    });
  }
  m.emit('dma', { dev: d.name, addr: va, len, dir, result: 'ok', pa: r.pa, pasid: d.pasid, atc, hit: r.hit });
}

const granuName = (g: number): string => GRANULARITIES[g] ?? String(g);
const cacheName = (bits: number): string => (bits & ~7 ? `0x${bits.toString(16)}` : CACHE_TYPES.filter((_, i) => bits & (1 << i)).join('|') || 'none');

/**
 * The VMM passes the guest's invalidation to the host: iommu_cache_invalidate (v5.8) or
 * iommu_uapi_cache_invalidate (v5.10), then intel_iommu_sva_invalidate. Each descriptor the
 * host submits drops what the hardware decodes from it.
 */
function cacheInvalidate(m: Machine, d: VsvaDevState, op: Extract<VsvaPlanOp, { op: 'cache-invalidate' }>): void {
  if (op.dropped) return; // the VMM lost it: nothing reaches the host
  const gen = m.behaviour(VSVA_UAPI);
  if (gen === 'absent') return; // the build refuses cache-invalidate ops without the what-if
  const granularity = typeof op.granularity === 'number' ? op.granularity : GRANULARITIES.indexOf(op.granularity);
  const info: CacheInvalidateInfo = {
    argsz: gen === 'v5.10' ? (op.argsz ?? INV_INFO_SIZE) : undefined,
    version: op.version, cache: cacheBits(op.cache), granularity, padding: op.padding, flags: flagBits(op.flags), archid: 0,
    pasid: op.pasid, addr: op.addr, granuleSize: op.granuleSize, nbGranules: op.nbGranules,
  };
  const k0 = m.kstack.enter(gen === 'v5.10' ? F_UAPI_INVALIDATE : F_CACHE_INVALIDATE);
  const r = intelSvaInvalidate(gen, info, { did: d.did, sid: d.devid, pfsid: d.devid, qdep: d.qdep, ats: d.ats });
  const addr = granularity === 2;
  m.emit('cache-invalidate', {
    guest: d.guest, dev: d.name, argsz: info.argsz, version: op.version, cache: cacheName(info.cache), granularity: granuName(granularity),
    flags: ADDR_FLAGS.filter((_, i) => info.flags & (1 << i)).join('|') || 'none', pasid: op.pasid,
    addr: addr ? op.addr : undefined, granuleSize: addr ? op.granuleSize : undefined, nbGranules: addr ? op.nbGranules : undefined, order: addr ? r.order : undefined,
    result: r.ret, descs: r.descs.length, kernelGen: gen,
  });
  const k = r.rejected?.check === 'iommu_check_cache_invl_data' || r.rejected?.check === 'argsz' ? -1 : m.kstack.enter(F_SVA_INVALIDATE);
  for (const l of r.klog) m.emit('klog', { level: l.level, text: l.text });
  if (r.rejected) m.emit('uapi-reject', { guest: d.guest, dev: d.name, check: r.rejected.check, cache: r.rejected.cache, result: r.ret, why: r.rejected.why });
  for (const x of r.descs) submitDesc(m, d, x.fn, x.desc.qw0, x.desc.qw1);
  if (k >= 0) m.kstack.leave(k);
  m.kstack.leave(k0);
}

/**
 * qi_submit_sync on the device's unit (a `qi` record, the wait descriptor, IQT/IQH): the unit
 * drops the IOTLB entries a PASID-IOTLB descriptor matches; a device-TLB descriptor is
 * forwarded to the device, whose ATC drops what the ATS range encodes. `nested-desc` sums up.
 */
function submitDesc(m: Machine, d: VsvaDevState, fn: 'qi_flush_piotlb' | 'qi_flush_dev_iotlb_pasid', qw0: bigint, qw1: bigint): void {
  const u = vtdState(m).units[d.unit];
  const pasid = Number((qw0 >> 32n) & 0xfffffn);
  let start: number | undefined;
  let end: number | undefined;
  let dropped: number;
  if (fn === 'qi_flush_piotlb') {
    const gran = Number((qw0 >> 4n) & 3n);
    if (gran === 3) {
      const size = 2 ** (12 + Number(qw1 & 0x3fn));
      start = Number(qw1 & ~0xfffn) - (Number(qw1 & ~0xfffn) % size);
      end = start + size;
    }
    const before = u.iotlb.invalidated;
    qiSubmitSync(m, u, { qw0, qw1 }, 'intel_iommu_sva_invalidate', { did: Number((qw0 >> 16n) & 0xffffn), pasid });
    dropped = u.iotlb.invalidated - before;
  } else {
    qiSubmitSync(m, u, { qw0, qw1 }, 'intel_iommu_sva_invalidate', { pasid });
    const global = (qw1 & 1n) === 1n;
    const r = atsDecodeRange(qw1 & ~0xfffn, (qw1 & QI_DEV_EIOTLB_SIZE) !== 0n);
    start = Number(r.start);
    end = Number(r.start + r.size);
    const before = d.atc.length;
    d.atc = d.atc.filter((e) => !((global || e.pasid === pasid) && e.va >= start! && e.va < end!));
    dropped = before - d.atc.length;
  }
  m.emit('nested-desc', { dev: d.name, fn, qw0, qw1, start, end, pasid, dropped });
}

/** For `info ioasid` / `info pasid`: the spaces and the bound devices, as data. */
export interface VsvaPasidStatus {
  dev: string;
  guest: string;
  pasid: number;
  did: number;
  pml4Hpa: number;
  iotlb: number;
  atc: number;
}

export function vsvaPasidStatus(m: Machine): VsvaPasidStatus[] {
  const st = m.findModel(VSVA_MODEL);
  if (!st) return [];
  return st.devices.map((d) => {
    const g = st.guests.find((x) => x.name === d.guest)!;
    const t = vtdState(m).units[d.unit].iotlb;
    let iotlb = 0;
    for (let i = 0; i < t.size; i++) if (t.did[i] === d.did && t.pasid[i] === d.pasid) iotlb++;
    return { dev: d.name, guest: d.guest, pasid: d.pasid, did: d.did, pml4Hpa: d.pml4Gpa >= 0 ? guestHpa(g, d.pml4Gpa) : -1, iotlb, atc: d.atc.length };
  });
}

/** Whether the what-ifs the section needs are selected. */
export function vsvaWhatIfs(m: Machine): { ioasid: boolean; uapi: boolean } {
  return { ioasid: m.behaviour(IOASID) !== 'absent', uapi: m.behaviour(VSVA_UAPI) !== 'absent' };
}

