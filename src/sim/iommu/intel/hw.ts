/**
 * The DMAR unit's hardware side: register writes and their effects (GCMD/GSTS handshakes,
 * the root-table latch, the invalidation queue processed up to the new tail, register-based
 * IOTLB invalidation, RW1C fault status and fault records), fault recording with the
 * fault-event interrupt, and the IOTLB invalidations descriptors cause. VT-d spec chapters
 * 6.5 (invalidation), 7.3 (primary fault logging) and 10.4 (registers); the kernel's view
 * of them is include/linux/intel-iommu.h.
 */
import type { Machine } from '../../machine.ts';
import { PRIO } from '../../machine.ts';
import { eventKey } from '../../core/keys.ts';
import { write32 } from '../../mem/phys.ts';
import {
  DMAR_CCMD_REG, DMAR_FECTL_REG, DMAR_FSTS_REG, DMAR_GCMD_REG, DMAR_GSTS_REG, DMAR_IQA_REG, DMAR_IQH_REG, DMAR_IQT_REG,
  DMAR_RTADDR_REG, DMA_FECTL_IM, DMA_FECTL_IP, DMA_FRCD_F, DMA_FSTS_ICE, DMA_FSTS_IQE, DMA_FSTS_ITE, DMA_FSTS_PFO,
  DMA_FSTS_PPF, DMA_FSTS_PRO, DMA_GCMD_QIE, DMA_GCMD_SRTP, DMA_GCMD_TE, DMA_GSTS_QIES, DMA_GSTS_RTPS, DMA_GSTS_TES,
  DMA_RTADDR_SMT, PRIMARY_FAULT_REG_LEN, cap, dmarRegName, ecap,
} from './regs.ts';
import { readQwords } from './entries.ts';
import { vtdIotlbInvalAll, vtdIotlbInvalDomain, vtdIotlbInvalPages, vtdIotlbInvalPasid } from './iotlb.ts';
import { type VtdUnitState, vtdState } from './state.ts';

export const VTD_FAULT_IRQ = eventKey('vtd.fault-irq');

const W = 0x1_0000_0000;

export const r32 = (u: VtdUnitState, off: number): number => u.regs[off >>> 2] >>> 0;
/** A 64-bit register as a number (RTADDR, IQA, IQH, IQT, fault-record addresses: all below 2^53). */
export const r64 = (u: VtdUnitState, off: number): number => r32(u, off) + r32(u, off + 4) * W;
export const r64big = (u: VtdUnitState, off: number): bigint => BigInt(r32(u, off)) | (BigInt(r32(u, off + 4)) << 32n);

function set32(u: VtdUnitState, off: number, v: number): void {
  u.regs[off >>> 2] = v >>> 0;
}

function set64(u: VtdUnitState, off: number, v: bigint): void {
  set32(u, off, Number(v & 0xffff_ffffn));
  set32(u, off + 4, Number((v >> 32n) & 0xffff_ffffn));
}

export function unitFaultOffset(u: VtdUnitState): number {
  return cap.faultRegOffset(u.cap);
}

export function regNameOf(u: VtdUnitState, off: number): string {
  return dmarRegName(off, cap.faultRegOffset(u.cap), cap.numFaultRegs(u.cap), ecap.iotlbOffset(u.ecap));
}

function show(m: Machine, u: VtdUnitState, op: 'write' | 'read', off: number, val: number | bigint): void {
  m.emit('vtd-reg', { iommu: u.name, op, reg: regNameOf(u, off), off, val });
}

/** A CPU read of a register worth showing (the fault handler's reads). */
export function dmarRead32(m: Machine, u: VtdUnitState, off: number, visible = false): number {
  const v = r32(u, off);
  if (visible) show(m, u, 'read', off, v);
  return v;
}

/** A CPU write of a 32-bit register (writel). */
export function dmarWrite32(m: Machine, u: VtdUnitState, off: number, val: number, visible = true): void {
  val >>>= 0;
  if (visible) show(m, u, 'write', off, val);
  const fro = cap.faultRegOffset(u.cap);
  const nfr = cap.numFaultRegs(u.cap);
  if (off === DMAR_GCMD_REG) return gcmdWrite(u, val);
  if (off === DMAR_FSTS_REG) {
    // PFO, IQE, ICE, ITE and PRO are write-1-to-clear; PPF and FRI are computed.
    const clear = val & (DMA_FSTS_PFO | DMA_FSTS_IQE | DMA_FSTS_ICE | DMA_FSTS_ITE | DMA_FSTS_PRO);
    set32(u, off, r32(u, off) & ~clear);
    return;
  }
  if (off === DMAR_FECTL_REG) {
    set32(u, off, (val & DMA_FECTL_IM) | (r32(u, off) & DMA_FECTL_IP));
    if (!(val & DMA_FECTL_IM) && r32(u, off) & DMA_FECTL_IP) raiseFaultEvent(m, u);
    return;
  }
  if (off === DMAR_IQT_REG) {
    set32(u, off, val);
    processQueue(m, u);
    return;
  }
  if (off >= fro && off < fro + nfr * PRIMARY_FAULT_REG_LEN && (off - fro) % PRIMARY_FAULT_REG_LEN === 12) {
    // The F bit is write-1-to-clear; the rest of the record is read-only.
    if (val & DMA_FRCD_F) set32(u, off, r32(u, off) & ~DMA_FRCD_F);
    if (!anyFaultPending(u)) set32(u, DMAR_FSTS_REG, r32(u, DMAR_FSTS_REG) & ~(DMA_FSTS_PPF | 0xff00));
    return;
  }
  set32(u, off, val);
}

/** A CPU write of a 64-bit register (writeq / dmar_writeq). */
export function dmarWrite64(m: Machine, u: VtdUnitState, off: number, val: bigint, visible = true): void {
  if (visible) show(m, u, 'write', off, val);
  if (off === DMAR_CCMD_REG) {
    // Context-cache invalidation: CIRG 61:60 (global, domain, device), DID 15:0, SID 31:16,
    // FM 33:32; ICC clears and CAIG (60:59) reports the granularity done.
    const g = Number((val >> 61n) & 3n);
    contextCacheInval(u, g, Number(val & 0xffffn), Number((val >> 16n) & 0xffffn), Number((val >> 32n) & 3n));
    set64(u, off, (val & ~(1n << 63n)) | (BigInt(g) << 59n));
    return;
  }
  const iro = ecap.iotlbOffset(u.ecap);
  if (iro && off === iro + 8) return iotlbRegWrite(m, u, val);
  set64(u, off, val);
  if (off === DMAR_IQT_REG) processQueue(m, u);
}

function gcmdWrite(u: VtdUnitState, val: number): void {
  let sts = r32(u, DMAR_GSTS_REG);
  sts = val & DMA_GCMD_TE ? sts | DMA_GSTS_TES : sts & ~DMA_GSTS_TES;
  if (val & DMA_GCMD_SRTP) {
    const rt = r64(u, DMAR_RTADDR_REG);
    u.rootLatched = rt - (rt % 4096);
    u.smtLatched = (rt % 4096 & DMA_RTADDR_SMT) !== 0;
    sts |= DMA_GSTS_RTPS;
  }
  if (val & DMA_GCMD_QIE) {
    if (!(sts & DMA_GSTS_QIES)) set64(u, DMAR_IQH_REG, 0n);
    sts |= DMA_GSTS_QIES;
  } else sts &= ~DMA_GSTS_QIES;
  // WBF completes at once (WBFS reads back clear); SRTP/WBF are one-shot commands.
  set32(u, DMAR_GCMD_REG, val & ~(DMA_GCMD_SRTP | (1 << 27)));
  set32(u, DMAR_GSTS_REG, sts);
}

// ---- invalidation --------------------------------------------------------------------

/** Context-cache invalidation: 1 global, 2 domain-selective, 3 device-selective (SID under FM). */
function contextCacheInval(u: VtdUnitState, gran: number, did: number, sid: number, fm: number): void {
  // FM masks the low bits of the function number: 0 none, 1 bit 2, 2 bits 2:1, 3 bits 2:0.
  const mask = ~[0, 4, 6, 7][fm] & 0xffff;
  for (const [rid, e] of u.ctxCache) {
    if (gran === 1 || (gran === 2 && e.did === did) || (gran === 3 && (rid & mask) === (sid & mask))) u.ctxCache.delete(rid);
  }
  // What the unit resolved through a dropped context entry goes too.
  for (const [key, e] of u.pasidCache) {
    if (gran === 1 || (gran === 2 && e.did === did) || (gran === 3 && (e.rid & mask) === (sid & mask))) u.pasidCache.delete(key);
  }
}

/** PASID-cache invalidation (scalable mode): 0 domain-selective, 1 PASID-selective, 3 global. */
function pasidCacheInval(u: VtdUnitState, gran: number, did: number, pasid: number): void {
  for (const [rid, e] of u.ctxCache) {
    if (gran === 3 || (e.did === did && (gran === 0 || e.pasid === pasid))) u.ctxCache.delete(rid);
  }
  for (const [key, e] of u.pasidCache) {
    if (gran === 3 || (e.did === did && (gran === 0 || e.pasid === pasid))) u.pasidCache.delete(key);
  }
}

function invalRecord(
  m: Machine,
  u: VtdUnitState,
  a: { gran: 'global' | 'domain' | 'page' | 'pasid' | 'pasid-page'; did?: number; pasid?: number; pfn?: number; am?: number; ih?: number; via: 'qi' | 'register' },
): void {
  const t = u.iotlb;
  // The hardware ignores the address bits below the mask (ADDR is taken aligned to 2^AM pages).
  if (a.pfn !== undefined) a = { ...a, pfn: a.pfn - (a.pfn % 2 ** a.am!) };
  let dropped = 0;
  switch (a.gran) {
    case 'global':
      dropped = vtdIotlbInvalAll(t);
      break;
    case 'domain':
      dropped = vtdIotlbInvalDomain(t, a.did!);
      break;
    case 'page':
      dropped = vtdIotlbInvalPages(t, a.did!, a.pfn!, a.am!);
      break;
    case 'pasid':
      dropped = vtdIotlbInvalPasid(t, a.did!, a.pasid!);
      break;
    case 'pasid-page':
      dropped = vtdIotlbInvalPasid(t, a.did!, a.pasid!, { pfn: a.pfn!, am: a.am! });
      break;
  }
  const ranged = a.gran === 'page' || a.gran === 'pasid-page';
  m.emit('iotlb-inval', {
    iommu: u.name,
    gran: a.gran,
    did: a.did,
    pasid: a.pasid,
    start: ranged ? a.pfn! * 4096 : undefined,
    end: ranged ? (a.pfn! + 2 ** a.am!) * 4096 : undefined,
    am: ranged ? a.am : undefined,
    ih: a.gran === 'page' ? a.ih : undefined,
    dropped,
    via: a.via,
  });
}

/** IOTLB_REG write with IVT: the register-based invalidation (__iommu_flush_iotlb). */
function iotlbRegWrite(m: Machine, u: VtdUnitState, val: bigint): void {
  const iro = ecap.iotlbOffset(u.ecap);
  const iirg = Number((val >> 60n) & 3n);
  const did = Number((val >> 32n) & 0xffffn);
  if (val >> 63n) {
    if (iirg === 1) invalRecord(m, u, { gran: 'global', via: 'register' });
    else if (iirg === 2) invalRecord(m, u, { gran: 'domain', did, via: 'register' });
    else if (iirg === 3) {
      const iva = r64(u, iro);
      invalRecord(m, u, { gran: 'page', did, pfn: Math.floor(iva / 4096), am: iva % 64, ih: Math.floor(iva / 64) % 2, via: 'register' });
    }
  }
  // IVT clears when done; IAIG (58:57) reports the granularity performed.
  set64(u, iro + 8, (val & ~(1n << 63n) & ~(3n << 57n)) | (BigInt(iirg) << 57n));
}

/** The queue's descriptor size (log2) and number of descriptors, from IQA_REG. */
function queueGeometry(u: VtdUnitState): { base: number; shift: number; n: number } {
  const iqa = r64(u, DMAR_IQA_REG);
  const dw = (iqa % 4096 & (1 << 11)) !== 0;
  const qs = iqa % 8;
  const shift = dw ? 5 : 4;
  return { base: iqa - (iqa % 4096), shift, n: ((2 ** (qs + 8)) * 16) >> shift };
}

/** Fetch and execute descriptors from IQH up to IQT (the hardware does it at the tail write). */
function processQueue(m: Machine, u: VtdUnitState): void {
  if (!(r32(u, DMAR_GSTS_REG) & DMA_GSTS_QIES)) return;
  const { base, shift, n } = queueGeometry(u);
  let head = r32(u, DMAR_IQH_REG) >>> shift;
  const tail = r32(u, DMAR_IQT_REG) >>> shift;
  while (head !== tail) {
    const [qw0, qw1] = readQwords(m, base + (head << shift), 2);
    executeDescriptor(m, u, qw0, qw1);
    head = (head + 1) % n;
    set32(u, DMAR_IQH_REG, head << shift);
  }
}

function executeDescriptor(m: Machine, u: VtdUnitState, qw0: bigint, qw1: bigint): void {
  const type = Number(qw0 & 0xfn);
  const did = Number((qw0 >> 16n) & 0xffffn);
  const gran = Number((qw0 >> 4n) & 3n);
  switch (type) {
    case 0x1:
      contextCacheInval(u, gran, did, Number((qw0 >> 32n) & 0xffffn), Number((qw0 >> 48n) & 3n));
      return;
    case 0x7:
      pasidCacheInval(u, gran, did, Number((qw0 >> 32n) & 0xfffffn));
      return;
    case 0x2: {
      // IOTLB invalidate: granularity 1 global, 2 domain, 3 page (ADDR 63:12, IH 6, AM 5:0).
      if (gran === 1) invalRecord(m, u, { gran: 'global', via: 'qi' });
      else if (gran === 2) invalRecord(m, u, { gran: 'domain', did, via: 'qi' });
      else if (gran === 3) invalRecord(m, u, { gran: 'page', did, pfn: Number(qw1 >> 12n), am: Number(qw1 & 0x3fn), ih: Number((qw1 >> 6n) & 1n), via: 'qi' });
      return;
    }
    case 0x5: {
      // Invalidation wait: with SW, write the status data (qw0 63:32) to qw1.
      if (qw0 & (1n << 5n)) write32(m.state.mem, Number(qw1 & ~3n), Number(qw0 >> 32n));
      return;
    }
    case 0x6: {
      // PASID-based IOTLB invalidate: 2 NONG_PASID (all of one PASID), 3 PSI_PASID.
      const pasid = Number((qw0 >> 32n) & 0xfffffn);
      if (gran === 2) invalRecord(m, u, { gran: 'pasid', did, pasid, via: 'qi' });
      else if (gran === 3) invalRecord(m, u, { gran: 'pasid-page', did, pasid, pfn: Number(qw1 >> 12n), am: Number(qw1 & 0x3fn), via: 'qi' });
      else invalRecord(m, u, { gran: 'domain', did, via: 'qi' });
      return;
    }
    default:
      // Device-TLB descriptors reach devices through their own models; IEC has no effect here.
      return;
  }
}

// ---- fault recording -------------------------------------------------------------------

function anyFaultPending(u: VtdUnitState): boolean {
  const fro = cap.faultRegOffset(u.cap);
  for (let i = 0; i < cap.numFaultRegs(u.cap); i++) if (r32(u, fro + i * PRIMARY_FAULT_REG_LEN + 12) & DMA_FRCD_F) return true;
  return false;
}

export interface DmarFaultIn {
  sid: number;
  addr: number;
  /** T: 1 for a read request, 0 for a write. */
  read: boolean;
  reason: number;
  /** A request with PASID (PP set), else -1. */
  pasid: number;
  dev: string;
}

/**
 * Primary fault logging: the record goes to the register the unit's index points at, unless
 * that one still holds an unread fault (then PFO, and the fault is lost). The first record
 * while no fault is pending sets PPF and FRI and sends the fault event.
 */
export function dmarRecordFault(m: Machine, u: VtdUnitState, f: DmarFaultIn): void {
  const fro = cap.faultRegOffset(u.cap);
  const nfr = cap.numFaultRegs(u.cap);
  const i = u.frNext;
  const at = fro + i * PRIMARY_FAULT_REG_LEN;
  let fsts = r32(u, DMAR_FSTS_REG);
  if (r32(u, at + 12) & DMA_FRCD_F) {
    set32(u, DMAR_FSTS_REG, fsts | DMA_FSTS_PFO);
    return;
  }
  const page = f.addr - (f.addr % 4096);
  set32(u, at, page % W);
  set32(u, at + 4, Math.floor(page / W));
  set32(u, at + 8, (f.sid & 0xffff) | (f.pasid >= 0 ? 0x8000_0000 : 0));
  set32(u, at + 12, DMA_FRCD_F | (f.read ? 1 << 30 : 0) | ((Math.max(f.pasid, 0) & 0xfffff) << 8) | (f.reason & 0xff));
  u.faultDev[i] = f.dev;
  u.frNext = (i + 1) % nfr;
  u.faults++;
  if (!(fsts & DMA_FSTS_PPF)) {
    fsts = (fsts & ~0xff00) | DMA_FSTS_PPF | (i << 8);
    set32(u, DMAR_FSTS_REG, fsts);
    raiseFaultEvent(m, u);
  }
}

/** The fault event: an interrupt unless masked (then FECTL.IP waits for the unmask). */
function raiseFaultEvent(m: Machine, u: VtdUnitState): void {
  const fectl = r32(u, DMAR_FECTL_REG);
  if (fectl & DMA_FECTL_IM) {
    set32(u, DMAR_FECTL_REG, fectl | DMA_FECTL_IP);
    return;
  }
  set32(u, DMAR_FECTL_REG, fectl & ~DMA_FECTL_IP);
  if (u.irqPending) return;
  u.irqPending = true;
  m.schedule(vtdState(m).irqLatencyNs, m.typeOf(VTD_FAULT_IRQ), u.id, 0, PRIO.irq);
}
