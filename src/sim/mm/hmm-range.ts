/**
 * Snapshotting a range of a process's page table for a mirror (mm/hmm.c): the v5.0 API
 * (hmm_vma_get_pfns, hmm_vma_fault, hmm_vma_range_done) and the v5.4 one
 * (hmm_range_register, hmm_range_fault with HMM_FAULT_* flags, hmm_range_valid,
 * hmm_range_unregister), over one page walk with each version's rules: which entries
 * fault, what a special PTE gives, how a fault restarts the walk. Under the `p2p-vma-rfc`
 * what-if, a device-file VMA with p2p_map gives HMM_PFN_P2P entries instead of failing.
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { HMM_RANGE_VALID, P2P_VMA_RFC, kernelRelease } from '../kernel.ts';
import { hexText } from '../trace/field.ts';
import { type MmStruct, PAGE_SIZE, PMD_SIZE, type Vma } from './types.ts';
import { mmById, vpnOf } from './state.ts';
import { handleMmFault } from './fault.ts';
import { VMA_P2P_OPS, vmaIsDevice } from './devmap.ts';
import { HMM_PFN_ENCODINGS, type HmmMirror, type HmmPfnEncoding, type HmmRange } from './hmm-state.ts';
import { hmmModel } from './hmm.ts';

const HMM_C = 'mm/hmm.c';
const F_VMA_FAULT = kfunc('hmm_vma_fault', HMM_C, ['start', 'end', 'block']);
const F_VMA_GET_PFNS = kfunc('hmm_vma_get_pfns', HMM_C, ['start', 'end']);
const F_RANGE_FAULT = kfunc('hmm_range_fault', HMM_C, ['start', 'end', 'flags']);
const F_DO_FAULT = kfunc('hmm_vma_do_fault', HMM_C, ['addr', 'write_fault']);

const EPERM = -1;
const EFAULT = -14;
const EBUSY = -16;
const EINVAL = -22;
const EAGAIN = -11;

/** HMM_FAULT_ALLOW_RETRY and HMM_FAULT_SNAPSHOT (include/linux/hmm.h, v5.4.1). */
export const HMM_FAULT_ALLOW_RETRY = 1 << 0;
export const HMM_FAULT_SNAPSHOT = 1 << 1;

export const encodingOf = (mirror: HmmMirror): HmmPfnEncoding => HMM_PFN_ENCODINGS[mirror.encoding];

/** hmm_pfn_to_pfn (v5.0) / hmm_device_entry_to_pfn (v5.4): -1 for NONE/ERROR/SPECIAL or without VALID. */
export function hmmEntryToPfn(enc: HmmPfnEncoding, entry: bigint): number {
  if (entry === enc.none || entry === enc.error || entry === enc.special) return -1;
  if (!(entry & enc.valid)) return -1;
  return Number(entry >> BigInt(enc.pfnShift));
}

/** hmm_pfn_from_pfn (v5.0) / hmm_device_entry_from_pfn (v5.4): (pfn << pfn_shift) | flags[VALID]. */
export function hmmEntryFromPfn(enc: HmmPfnEncoding, pfn: number): bigint {
  return (BigInt(pfn) << BigInt(enc.pfnShift)) | enc.valid;
}

/** A new range for a mirror: every page asks for `request` (VALID, VALID|WRITE or 0). */
export function hmmRangeCreate(m: Machine, mirror: HmmMirror, start: number, end: number, request: bigint): HmmRange {
  const mdl = hmmModel(m);
  const n = (end - start) / PAGE_SIZE;
  const r: HmmRange = {
    id: mdl.ranges.length, mirror: mirror.id, start, end, pfns: new Array<bigint>(n).fill(request), defaultFlags: 0n, pfnFlagsMask: 0xffff_ffff_ffff_ffffn,
    valid: false, tracked: false, seq: 0, seqAtSnapshot: 0, pas: new Array<number>(n).fill(-1),
  };
  mdl.ranges.push(r);
  return r;
}

interface Walk {
  readonly m: Machine;
  readonly mm: MmStruct;
  readonly range: HmmRange;
  readonly enc: HmmPfnEncoding;
  readonly v54: boolean;
  /** hmm_vma_walk.fault (v5.0) / !(flags & HMM_FAULT_SNAPSHOT) (v5.4). */
  readonly fault: boolean;
  last: number;
}

const idx = (w: Walk, addr: number): number => (addr - w.range.start) / PAGE_SIZE;

/** hmm_pte_need_fault: what the request (v5.4: folded with default_flags) wants of this CPU entry. */
function needFault(w: Walk, request: bigint, cpuFlags: bigint): { fault: boolean; writeFault: boolean } {
  const out = { fault: false, writeFault: false };
  if (!w.fault) return out;
  const enc = w.enc;
  const req = w.v54 ? (request & w.range.pfnFlagsMask) | w.range.defaultFlags : request;
  if (!(req & enc.valid)) return out;
  if (cpuFlags & enc.devicePrivate) {
    if (req & enc.devicePrivate) {
      out.writeFault = (req & enc.write) !== 0n;
      out.fault = true;
    }
    return out;
  }
  out.fault = !(cpuFlags & enc.valid);
  if (req & enc.write && !(cpuFlags & enc.write)) out.writeFault = out.fault = true;
  return out;
}

/** hmm_vma_do_fault: handle_mm_fault for the device; v5.0 -EAGAIN / v5.4 -EBUSY to restart, -EFAULT on error. */
function doFault(w: Walk, addr: number, writeFault: boolean): number {
  const k = w.m.kstack.enter(F_DO_FAULT, addr, writeFault ? 1 : 0);
  const r = handleMmFault(w.m, w.mm, addr, writeFault);
  w.m.kstack.leave(k);
  if (!r.ok) {
    w.range.pfns[idx(w, addr)] = w.enc.error;
    return EFAULT;
  }
  return w.v54 ? EBUSY : EAGAIN;
}

/** hmm_vma_walk_hole_: every page from addr to end gets NONE and, when asked, a fault. */
function walkHole(w: Walk, vma: Vma | undefined, addr: number, end: number, fault: boolean, writeFault: boolean): number {
  w.last = addr;
  if (w.v54 && writeFault && vma && !vma.write) return EPERM;
  for (let a = addr; a < end; a += PAGE_SIZE) {
    w.range.pfns[idx(w, a)] = w.enc.none;
    if (!fault && !writeFault) continue;
    if (!vma) {
      w.range.pfns[idx(w, a)] = w.enc.error; // v5.4 hmm_vma_do_fault: !vma -> err
      return EFAULT;
    }
    const r = doFault(w, a, writeFault);
    if (r !== (w.v54 ? EBUSY : EAGAIN)) return r;
  }
  return fault || writeFault ? (w.v54 ? EBUSY : EAGAIN) : 0;
}

/** hmm_vma_handle_pte for the page at addr; `end` is the end of its PMD's walk. */
function handlePte(w: Walk, vma: Vma, addr: number, end: number): number {
  const i = idx(w, addr);
  const orig = w.range.pfns[i];
  const enc = w.enc;
  w.range.pfns[i] = enc.none;
  const p = w.mm.ptes.get(vpnOf(addr));
  const cpuFlags = p && p.present ? enc.valid | (p.write ? enc.write : 0n) : 0n;
  const need = needFault(w, orig, cpuFlags);
  if (need.fault || need.writeFault) return walkHole(w, vma, addr, end, need.fault, need.writeFault);
  if (!p || !p.present) return 0; // pte_none, or a swap entry not asked to fault
  if (w.v54 && p.special) {
    w.range.pfns[i] = enc.special; // pte_special: the zero page, a PFN map
    return EFAULT;
  }
  w.range.pfns[i] = hmmEntryFromPfn(enc, p.pfn) | cpuFlags;
  return 0;
}

/** walk_page_range over [start, end): PMD by PMD, PTE by PTE; holes with no VMA (v5.4) via pte_hole. */
function walkPageRange(w: Walk, start: number, end: number): number {
  for (let a = start; a < end; ) {
    const pmdEnd = Math.min(end, (Math.floor(a / PMD_SIZE) + 1) * PMD_SIZE);
    for (; a < pmdEnd; a += PAGE_SIZE) {
      const vma = w.mm.vmas.find((v) => v.start <= a && a < v.end);
      let r: number;
      if (!vma) {
        const need = needFault(w, w.range.pfns[idx(w, a)], 0n);
        r = walkHole(w, undefined, a, a + PAGE_SIZE, need.fault, need.writeFault);
      } else r = handlePte(w, vma, a, Math.min(pmdEnd, vma.end));
      if (r) {
        w.last = a; // hmm_vma_walk_pmd: last = addr of the entry that stopped the walk
        return r;
      }
    }
  }
  w.last = end;
  return 0;
}

/** hmm_pfns_clear: values[NONE] from addr to end. */
function pfnsClear(w: Walk, addr: number, end: number): void {
  for (let a = addr; a < end; a += PAGE_SIZE) w.range.pfns[idx(w, a)] = w.enc.none;
}

function pfnsText(r: HmmRange): string {
  return r.pfns.map((p) => hexText(p)).join(' ');
}

function faultRecord(m: Machine, api: string, mirror: HmmMirror, r: HmmRange, flags: string, ret: number): void {
  m.emit('hmm-fault', { api, mirror: mirror.name, mm: mmById(m, mirror.mm).name, start: r.start, end: r.end, flags, ret, valid: r.valid, pfns: pfnsText(r) });
}

/** The RFC importer path for a device VMA: p2p_map for [start, min(end, vm_end)); every pfn P2P, or ERROR. */
function rfcP2pPiece(w: Walk, vma: Vma, importer: number, start: number, end: number): number {
  const pieceEnd = Math.min(end, vma.end);
  const write = (w.range.pfns[idx(w, start)] & w.enc.write) !== 0n;
  const pas: number[] = [];
  const ret = w.m.service(VMA_P2P_OPS).p2pMap(w.m, vma, importer, start, pieceEnd, pas, write);
  for (let a = start; a < pieceEnd; a += PAGE_SIZE) {
    const i = idx(w, a);
    w.range.pfns[i] = ret ? w.enc.error : w.enc.p2p;
    w.range.pas[i] = ret ? -1 : pas[(a - start) / PAGE_SIZE];
  }
  w.last = pieceEnd;
  return ret;
}

const rfcOn = (m: Machine): boolean => m.behaviour(P2P_VMA_RFC) === 'present';

// ---- v5.0 ---------------------------------------------------------------------------------

/** The checks hmm_vma_get_pfns and hmm_vma_fault share; 0 to walk, else the error (pfns set). */
function v50Prologue(m: Machine, mirror: HmmMirror, r: HmmRange, vma: Vma | undefined, w: Walk, importer: number): number | 'p2p' {
  if (!vma || r.start < vma.start || r.start >= vma.end || r.end < vma.start || r.end > vma.end) return EINVAL;
  if (!hmmModel(m).hmms.some((h) => h.mm === mirror.mm && h.live && h.subscribed)) return EINVAL; // !hmm->mmu_notifier.ops
  if (vmaIsDevice(vma)) {
    if (rfcOn(m) && vma.devmap?.rfc && importer >= 0) return 'p2p';
    for (let i = 0; i < r.pfns.length; i++) r.pfns[i] = w.enc.special; // hmm_pfns_special
    return EINVAL;
  }
  if (!vma.read) {
    pfnsClear(w, r.start, r.end);
    return EPERM;
  }
  return 0;
}

function trackRange(m: Machine, mirror: HmmMirror, r: HmmRange): void {
  const h = hmmModel(m).hmms.find((x) => x.mm === mirror.mm && x.live)!;
  r.valid = true;
  r.seqAtSnapshot = r.seq;
  if (!r.tracked) {
    h.ranges.unshift(r.id); // list_add_rcu
    r.tracked = true;
  }
}

/** find_vma as a v5.0 driver calls it before filling range->vma: the first VMA ending above addr. */
export function findVmaAbove(mm: MmStruct, addr: number): Vma | undefined {
  return mm.vmas.find((v) => v.end > addr);
}

/** hmm_vma_get_pfns(range): snapshot without faulting; on 0 the caller owes one hmm_vma_range_done. */
export function hmmVmaGetPfns(m: Machine, mirror: HmmMirror, r: HmmRange): number {
  const mm = mmById(m, mirror.mm);
  const k = m.kstack.enter(F_VMA_GET_PFNS, r.start, r.end);
  const w: Walk = { m, mm, range: r, enc: encodingOf(mirror), v54: false, fault: false, last: r.start };
  const pro = v50Prologue(m, mirror, r, findVmaAbove(mm, r.start), w, -1);
  let ret = typeof pro === 'number' ? pro : EINVAL;
  if (ret === 0) {
    trackRange(m, mirror, r);
    walkPageRange(w, r.start, r.end);
  }
  faultRecord(m, 'hmm_vma_get_pfns', mirror, r, 'snapshot', ret);
  m.kstack.leave(k);
  return ret;
}

/**
 * hmm_vma_fault(range, block): walk, and after every fault walk again from the faulting
 * address (-EAGAIN) until done; on an error the rest of the range is cleared and the range
 * is ended here (hmm_vma_range_done). `importer` is the RFC's device (-1 without).
 */
export function hmmVmaFault(m: Machine, mirror: HmmMirror, r: HmmRange, block: boolean, importer = -1): number {
  const mm = mmById(m, mirror.mm);
  const k = m.kstack.enter(F_VMA_FAULT, r.start, r.end, block ? 1 : 0);
  const w: Walk = { m, mm, range: r, enc: encodingOf(mirror), v54: false, fault: true, last: r.start };
  const vma = findVmaAbove(mm, r.start);
  const pro = v50Prologue(m, mirror, r, vma, w, importer);
  let ret: number;
  if (pro === 'p2p') {
    trackRange(m, mirror, r);
    ret = rfcP2pPiece(w, vma!, importer, r.start, r.end);
  } else if (pro !== 0) ret = pro;
  else {
    trackRange(m, mirror, r);
    let start = r.start;
    do {
      ret = walkPageRange(w, start, r.end);
      start = w.last;
    } while (ret === EAGAIN);
    if (ret) {
      pfnsClear(w, w.last, r.end);
      untrack(m, mirror, r);
    }
  }
  faultRecord(m, 'hmm_vma_fault', mirror, r, block ? 'block' : '0', ret);
  m.kstack.leave(k);
  return ret;
}

function untrack(m: Machine, mirror: HmmMirror, r: HmmRange): void {
  for (const h of hmmModel(m).hmms) h.ranges = h.ranges.filter((x) => x !== r.id);
  r.tracked = false;
}

/** What a validity check reads under the `hmm-range-valid` row: the flag, or the flag and the sequence. */
function snapshotStillValid(m: Machine, r: HmmRange): boolean {
  if (m.behaviour(HMM_RANGE_VALID) === 'interval-seq') return r.valid && r.seq === r.seqAtSnapshot;
  return r.valid;
}

/** hmm_vma_range_done(range): stop tracking; true when no invalidation hit the snapshot. */
export function hmmVmaRangeDone(m: Machine, mirror: HmmMirror, r: HmmRange): boolean {
  untrack(m, mirror, r);
  const valid = snapshotStillValid(m, r);
  m.emit('hmm', { op: 'hmm_vma_range_done', mirror: mirror.name, mm: mmById(m, mirror.mm).name, start: r.start, end: r.end, valid });
  return valid;
}

// ---- v5.4 ---------------------------------------------------------------------------------

/** hmm_range_register(range, mirror): aligned, non-empty; valid unless an invalidation is in flight. */
export function hmmRangeRegister(m: Machine, mirror: HmmMirror, r: HmmRange): number {
  const mm = mmById(m, mirror.mm);
  r.valid = false;
  let ret = 0;
  const h = mirror.hmm >= 0 ? hmmModel(m).hmms[mirror.hmm] : undefined;
  if (r.start % PAGE_SIZE || r.end % PAGE_SIZE || r.start >= r.end) ret = EINVAL;
  else if (!h || mm.exited) ret = EFAULT; // !mmget_not_zero
  else {
    h.ranges.unshift(r.id);
    r.tracked = true;
    if (!h.notifiers) r.valid = true;
  }
  m.emit('hmm', { op: 'hmm_range_register', mirror: mirror.name, mm: mm.name, start: r.start, end: r.end, ret, valid: r.valid });
  return ret;
}

/** hmm_range_unregister: off the list, valid = false. */
export function hmmRangeUnregister(m: Machine, mirror: HmmMirror, r: HmmRange): void {
  untrack(m, mirror, r);
  r.valid = false;
  m.emit('hmm', { op: 'hmm_range_unregister', mirror: mirror.name, mm: mmById(m, mirror.mm).name, start: r.start, end: r.end });
}

/** hmm_range_valid(range), read under the driver's lock (with the row's rule). */
export function hmmRangeValid(m: Machine, mirror: HmmMirror, r: HmmRange): boolean {
  const valid = snapshotStillValid(m, r);
  m.emit('hmm', { op: 'hmm_range_valid', mirror: mirror.name, mm: mmById(m, mirror.mm).name, start: r.start, end: r.end, valid });
  return valid;
}

const flagsText = (flags: number): string =>
  flags === 0 ? '0' : [flags & HMM_FAULT_ALLOW_RETRY ? 'HMM_FAULT_ALLOW_RETRY' : '', flags & HMM_FAULT_SNAPSHOT ? 'HMM_FAULT_SNAPSHOT' : ''].filter(Boolean).join('|');

/**
 * hmm_range_fault(range, flags): per VMA from range->start: -EBUSY if the range was
 * invalidated, -EFAULT for no VMA or a device VMA (VM_IO|VM_PFNMAP|VM_MIXEDMAP), -EPERM
 * without VM_READ; walk once and throw the result away (the v5.4.1 code does), then walk
 * while it returns -EBUSY and the range stays valid. Returns the pages valid from start.
 */
export function hmmRangeFault(m: Machine, mirror: HmmMirror, r: HmmRange, flags: number, importer = -1): number {
  const mm = mmById(m, mirror.mm);
  const k = m.kstack.enter(F_RANGE_FAULT, r.start, r.end, flags);
  const w: Walk = { m, mm, range: r, enc: encodingOf(mirror), v54: true, fault: !(flags & HMM_FAULT_SNAPSHOT), last: r.start };
  r.seqAtSnapshot = r.seq;
  const done = (ret: number): number => {
    faultRecord(m, 'hmm_range_fault', mirror, r, flagsText(flags), ret);
    m.kstack.leave(k);
    return ret;
  };
  let start = r.start;
  do {
    if (!r.valid) return done(EBUSY);
    const vma = findVmaAbove(mm, start);
    if (!vma) return done(EFAULT);
    if (vmaIsDevice(vma)) {
      if (!(rfcOn(m) && vma.devmap?.rfc && importer >= 0)) return done(EFAULT);
      const ret = rfcP2pPiece(w, vma, importer, start, r.end);
      if (ret) return done(ret);
      start = Math.min(r.end, vma.end);
      continue;
    }
    if (!vma.read) {
      pfnsClear(w, r.start, r.end);
      return done(EPERM);
    }
    w.last = start;
    const end = Math.min(r.end, vma.end);
    walkPageRange(w, start, end);
    let ret: number;
    do {
      ret = walkPageRange(w, start, end);
      start = w.last;
    } while (ret === EBUSY && r.valid);
    if (ret) {
      pfnsClear(w, w.last, r.end);
      return done(ret);
    }
    start = end;
  } while (start < r.end);
  return done((w.last - r.start) / PAGE_SIZE);
}

/** v5.0 or v5.4 API, as the scenario's kernel runs. */
export const hmmV54 = (m: Machine): boolean => kernelRelease(m.config.kernel) === 'v5.4';
