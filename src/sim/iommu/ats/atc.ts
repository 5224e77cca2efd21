/**
 * A device IOTLB (PCIe ATS address translation cache): a fixed array of entries tagged
 * (PASID, virtual page), LRU by a use counter with ties broken by index, so eviction is
 * deterministic. Invalidations arrive as ATS invalidate requests (page, S-bit range, or
 * the whole PASID) from the IOMMU driver.
 */
import { assert } from '../../core/assert.ts';

export const ATC_ENTRIES_MAX = 256; // per device; a scenario picks at or below this

export interface AtcState {
  size: number;
  pasid: Int32Array; // -1 = invalid entry
  vpn: Float64Array;
  pfn: Float64Array;
  write: Uint8Array;
  lru: Float64Array; // last use, from `clock`
  clock: number;
  /** seq of the record whose walk filled the entry. */
  filledBy: Float64Array;
  hits: number;
  misses: number;
}

export function atcCreate(size: number): AtcState {
  assert(size >= 1 && size <= ATC_ENTRIES_MAX, `ATC size ${size} out of range`);
  return {
    size,
    pasid: new Int32Array(size).fill(-1),
    vpn: new Float64Array(size),
    pfn: new Float64Array(size),
    write: new Uint8Array(size),
    lru: new Float64Array(size),
    clock: 0,
    filledBy: new Float64Array(size),
    hits: 0,
    misses: 0,
  };
}

/** Index of the entry for (pasid, vpn), or -1. A hit refreshes its LRU stamp. */
export function atcLookup(atc: AtcState, pasid: number, vpn: number): number {
  for (let i = 0; i < atc.size; i++) {
    if (atc.pasid[i] === pasid && atc.vpn[i] === vpn) {
      atc.lru[i] = ++atc.clock;
      return i;
    }
  }
  return -1;
}

/** Fill after a translation request completes: an invalid slot first, else the LRU one. */
export function atcFill(atc: AtcState, e: { pasid: number; vpn: number; pfn: number; write: boolean; seq: number }): number {
  let victim = -1;
  for (let i = 0; i < atc.size; i++) {
    if (atc.pasid[i] === e.pasid && atc.vpn[i] === e.vpn) { victim = i; break; }
    if (victim < 0 && atc.pasid[i] === -1) victim = i;
  }
  if (victim < 0) {
    victim = 0;
    for (let i = 1; i < atc.size; i++) if (atc.lru[i] < atc.lru[victim]) victim = i;
  }
  atc.pasid[victim] = e.pasid;
  atc.vpn[victim] = e.vpn;
  atc.pfn[victim] = e.pfn;
  atc.write[victim] = e.write ? 1 : 0;
  atc.lru[victim] = ++atc.clock;
  atc.filledBy[victim] = e.seq;
  return victim;
}

/** Drop entries of `pasid` with vpn in [vpnStart, vpnEnd); returns how many. */
export function atcInvalidate(atc: AtcState, pasid: number, vpnStart: number, vpnEnd: number): number {
  let n = 0;
  for (let i = 0; i < atc.size; i++) {
    if (atc.pasid[i] === pasid && atc.vpn[i] >= vpnStart && atc.vpn[i] < vpnEnd) {
      atc.pasid[i] = -1;
      n++;
    }
  }
  return n;
}

export function atcInvalidatePasid(atc: AtcState, pasid: number): number {
  return atcInvalidate(atc, pasid, 0, Infinity);
}

/** Decode an ATS invalidate address with the S bit: the lowest clear bit above bit 11
 * gives the size (PCIe ATS 1.1, 2.3.2): 0x...0fff with S covers 8 KiB, and so on. */
export function atsDecodeRange(addr: bigint, s: boolean): { start: bigint; size: bigint } {
  if (!s) return { start: addr & ~0xfffn, size: 0x1000n };
  let bit = 12n;
  while (bit < 63n && ((addr >> bit) & 1n) === 1n) bit++;
  const size = 1n << (bit + 1n);
  return { start: addr & ~(size - 1n), size };
}

export interface AtcEntryStatus {
  readonly index: number;
  readonly pasid: number;
  readonly va: number;
  readonly pa: number;
  readonly write: boolean;
  readonly lru: number;
}

export function atcEntries(atc: AtcState): AtcEntryStatus[] {
  const out: AtcEntryStatus[] = [];
  for (let i = 0; i < atc.size; i++) {
    if (atc.pasid[i] < 0) continue;
    const va = atc.vpn[i] * 4096, pa = atc.pfn[i] * 4096;
    out.push({ index: i, pasid: atc.pasid[i], va, pa, write: atc.write[i] === 1, lru: atc.lru[i] });
  }
  return out;
}
