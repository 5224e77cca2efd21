/**
 * Root, context and PASID entries as the v5.0.1 / v5.4.1 driver builds them
 * (drivers/iommu/intel-iommu.c domain_context_mapping_one and the context_set_* helpers,
 * drivers/iommu/intel-pasid.c intel_pasid_setup_*), as 64-bit words (bigint), low first;
 * and how the hardware reads them. Memory holds them little-endian.
 */
import type { Machine } from '../../machine.ts';
import { read64, write32 } from '../../mem/phys.ts';

const PAGE_MASK = ~0xfffn;
const M64 = (1n << 64n) - 1n;

export function readQwords(m: Machine, pa: number, n: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(read64(m.state.mem, pa + 8 * i));
  return out;
}

export function writeQwords(m: Machine, pa: number, q: readonly bigint[]): void {
  q.forEach((v, i) => {
    write32(m.state.mem, pa + 8 * i, Number(v & 0xffff_ffffn));
    write32(m.state.mem, pa + 8 * i + 4, Number((v >> 32n) & 0xffff_ffffn));
  });
}

// ---- root entries -------------------------------------------------------------------

/** A root entry pointing at a context table (iommu_context_addr: *entry = phy_addr | 1). */
export const rootEntryPointer = (ctxTablePa: number): bigint => BigInt(ctxTablePa) | 1n;

// ---- legacy context entries (128-bit) -------------------------------------------------

export const CONTEXT_TT_MULTI_LEVEL = 0;
export const CONTEXT_TT_DEV_IOTLB = 1;
export const CONTEXT_TT_PASS_THROUGH = 2;

/**
 * domain_context_mapping_one, legacy mode: context_clear_entry, set_domain_id (hi 23:8),
 * set_translation_type (lo 3:2), set_address_root (lo 63:12), set_address_width (hi 2:0),
 * set_fault_enable (lo bit 1 clear), set_present (lo bit 0).
 */
export function legacyContextEntry(a: { did: number; tt: number; pgd: number; aw: number }): [bigint, bigint] {
  let lo = 0n;
  let hi = 0n;
  hi |= BigInt(a.did & 0xffff) << 8n;
  lo = (lo & ~(3n << 2n)) | (BigInt(a.tt & 3) << 2n);
  if (a.tt !== CONTEXT_TT_PASS_THROUGH) lo = (lo & ~PAGE_MASK & M64) | (BigInt(a.pgd) & PAGE_MASK);
  hi |= BigInt(a.aw & 7);
  lo &= ~2n;
  lo |= 1n;
  return [lo, hi];
}

// ---- scalable-mode context entries (256-bit) ------------------------------------------

/**
 * context_get_sm_pds: PDTS codes a directory of 2^(PDTS + 7) entries: the index of the first
 * set bit of max_pasid >> PASID_PDE_SHIFT, less 7.
 */
export function contextSmPds(maxPasid: number): number {
  const maxPde = maxPasid >>> 6;
  let pds = 0;
  while (pds < 20 && ((maxPde >>> pds) & 1) === 0) pds++;
  return pds < 7 ? 0 : pds - 7;
}

/**
 * domain_context_mapping_one, scalable mode: lo = PASID directory | PDTS << 9 (| DTE bit 2,
 * PRE bit 4), hi = RID_PASID | bit 20 (context_set_sm_rid2pasid), then present, fault enabled.
 */
export function scalableContextEntry(a: { dirPa: number; maxPasid: number; rid2pasid: number; dte?: boolean; pre?: boolean }): [bigint, bigint, bigint, bigint] {
  let lo = BigInt(a.dirPa) | (BigInt(contextSmPds(a.maxPasid) & 7) << 9n);
  let hi = 0n;
  hi |= BigInt(a.rid2pasid & 0xfffff);
  hi |= 1n << 20n;
  if (a.dte) lo |= 1n << 2n;
  if (a.pre) lo |= 1n << 4n;
  lo &= ~2n;
  lo |= 1n;
  return [lo, hi, 0n, 0n];
}

/** context_domain_id: hi bits 23:8 (what domain_context_clear_one reads, in either format). */
export const contextDomainId = (hi: bigint): number => Number((hi >> 8n) & 0xffffn);

export interface ContextDecoded {
  readonly present: boolean;
  readonly fpd: boolean;
  /** Legacy. */
  readonly tt: number;
  readonly slptptr: number;
  readonly aw: number;
  readonly did: number;
  /** Scalable. */
  readonly pasidDir: number;
  readonly pdts: number;
  readonly rid2pasid: number;
}

export function decodeContext(q: readonly bigint[], scalable: boolean): ContextDecoded {
  const lo = q[0] ?? 0n;
  const hi = q[1] ?? 0n;
  return {
    present: (lo & 1n) === 1n,
    fpd: (lo & 2n) === 2n,
    tt: Number((lo >> 2n) & 3n),
    slptptr: scalable ? 0 : Number(lo & PAGE_MASK),
    aw: Number(hi & 7n),
    did: scalable ? 0 : contextDomainId(hi),
    pasidDir: scalable ? Number(lo & PAGE_MASK) : 0,
    pdts: Number((lo >> 9n) & 7n),
    rid2pasid: scalable ? Number(hi & 0xfffffn) : 0,
  };
}

// ---- PASID entries (512-bit) ------------------------------------------------------------

export const PASID_RID2PASID = 0;
export const FLPT_DEFAULT_DID = 1;
export const PASID_PGTT_FL = 1;
export const PASID_PGTT_SL = 2;
export const PASID_PGTT_PT = 4;

/** How pasid_set_page_snoop stores its value: v5.0.1 ORs it into bit 0 (DID bit 0), v5.4.1 into bit 23. */
export type PageSnoopStore = 'into-did' | 'pwsnp';

/** pasid_set_bits(ptr, mask, bits): (old & ~mask) | bits. */
const setBits = (v: bigint, mask: bigint, bits: bigint): bigint => (v & ~mask & M64) | bits;

function pageSnoop(val1: bigint, value: boolean, store: PageSnoopStore): bigint {
  const v = value ? 1n : 0n;
  return setBits(val1, 1n << 23n, store === 'pwsnp' ? v << 23n : v);
}

/** intel_pasid_setup_second_level: DID, SLPTPTR, AW, PGTT 2, fault enable, page snoop, SRE, present. */
export function pasidSecondLevelEntry(a: { did: number; pgd: number; aw: number; smpwc: boolean; snoop: PageSnoopStore }): bigint[] {
  const v = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
  v[1] = setBits(v[1], 0xffffn, BigInt(a.did & 0xffff));
  v[0] = setBits(v[0], PAGE_MASK & M64, BigInt(a.pgd) & PAGE_MASK);
  v[0] = setBits(v[0], 7n << 2n, BigInt(a.aw) << 2n);
  v[0] = setBits(v[0], 7n << 6n, BigInt(PASID_PGTT_SL) << 6n);
  v[0] = setBits(v[0], 2n, 0n);
  v[1] = pageSnoop(v[1], a.smpwc, a.snoop);
  v[2] = setBits(v[2], 1n, 1n);
  v[0] = setBits(v[0], 1n, 1n);
  return v;
}

/** intel_pasid_setup_pass_through: DID FLPT_DEFAULT_DID, AW, PGTT 4, fault enable, page snoop, SRE, present. */
export function pasidPassThroughEntry(a: { aw: number; smpwc: boolean; snoop: PageSnoopStore }): bigint[] {
  const v = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
  v[1] = setBits(v[1], 0xffffn, BigInt(FLPT_DEFAULT_DID));
  v[0] = setBits(v[0], 7n << 2n, BigInt(a.aw) << 2n);
  v[0] = setBits(v[0], 7n << 6n, BigInt(PASID_PGTT_PT) << 6n);
  v[0] = setBits(v[0], 2n, 0n);
  v[1] = pageSnoop(v[1], a.smpwc, a.snoop);
  v[2] = setBits(v[2], 1n, 1n);
  v[0] = setBits(v[0], 1n, 1n);
  return v;
}

/** intel_pasid_setup_first_level: FLPTR (mm->pgd), SRE for supervisor, DID, AW, page snoop, PGTT 1, present. */
export function pasidFirstLevelEntry(a: { did: number; pgd: number; aw: number; supervisor: boolean; smpwc: boolean; snoop: PageSnoopStore }): bigint[] {
  const v = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
  v[2] = setBits(v[2], PAGE_MASK & M64, BigInt(a.pgd) & PAGE_MASK);
  if (a.supervisor) v[2] = setBits(v[2], 1n, 1n);
  v[1] = setBits(v[1], 0xffffn, BigInt(a.did & 0xffff));
  v[0] = setBits(v[0], 7n << 2n, BigInt(a.aw) << 2n);
  v[1] = pageSnoop(v[1], a.smpwc, a.snoop);
  v[0] = setBits(v[0], 7n << 6n, BigInt(PASID_PGTT_FL) << 6n);
  v[0] = setBits(v[0], 1n, 1n);
  return v;
}

export const PASID_PGTT_NESTED = 3;

/** The guest's bind flags intel_pasid_setup_bind_data honours (IOMMU_SVA_VTD_GPASID_SRE / WPE / EAFE). */
export interface GpasidBindFlags {
  sre: boolean;
  wpe: boolean;
  eafe: boolean;
}

/**
 * intel_pasid_setup_nested (drivers/iommu/intel/pasid.c, v5.8), in its order: FLPM 0 for a
 * 4-level guest (val[2] 3:2), FLPTR = the guest's first-level root in GPA (val[2] 63:12);
 * intel_pasid_setup_bind_data: SRE (val[2] bit 0) and then WPE (bit 4) if the guest asked,
 * EAFE (bit 7); then SLPTR = the domain's second level (val[0] 63:12), fault enable (clear
 * FPD, val[0] bit 1), DID (val[1] 15:0), AW (val[0] 4:2), page-walk snoop (val[1] bit 23:
 * v5.8 has the fixed pasid_set_page_snoop), PGTT 3 nested (val[0] 8:6), present.
 */
export function pasidNestedEntry(a: { did: number; slptr: number; aw: number; flptr: number; flags: GpasidBindFlags; smpwc: boolean }): bigint[] {
  const v = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
  v[2] = setBits(v[2], 3n << 2n, 0n);
  v[2] = setBits(v[2], PAGE_MASK & M64, BigInt(a.flptr) & PAGE_MASK);
  if (a.flags.sre) {
    v[2] = setBits(v[2], 1n, 1n);
    if (a.flags.wpe) v[2] = setBits(v[2], 1n << 4n, 1n << 4n);
  }
  if (a.flags.eafe) v[2] = setBits(v[2], 1n << 7n, 1n << 7n);
  v[0] = setBits(v[0], PAGE_MASK & M64, BigInt(a.slptr) & PAGE_MASK);
  v[0] = setBits(v[0], 2n, 0n);
  v[1] = setBits(v[1], 0xffffn, BigInt(a.did & 0xffff));
  v[0] = setBits(v[0], 7n << 2n, BigInt(a.aw) << 2n);
  v[1] = pageSnoop(v[1], a.smpwc, 'pwsnp');
  v[0] = setBits(v[0], 7n << 6n, BigInt(PASID_PGTT_NESTED) << 6n);
  v[0] = setBits(v[0], 1n, 1n);
  return v;
}

/** pasid_get_domain_id: val[1] bits 15:0. */
export const pasidDomainId = (v: readonly bigint[]): number => Number((v[1] ?? 0n) & 0xffffn);

export interface PasidDecoded {
  readonly present: boolean;
  readonly fpd: boolean;
  readonly aw: number;
  readonly pgtt: number;
  readonly slptptr: number;
  readonly did: number;
  readonly pwsnp: boolean;
  readonly sre: boolean;
  readonly flptr: number;
  /** val[2]: first-level paging mode, write protect, extended access flag. */
  readonly flpm: number;
  readonly wpe: boolean;
  readonly eafe: boolean;
}

export function decodePasid(v: readonly bigint[]): PasidDecoded {
  const [v0 = 0n, v1 = 0n, v2 = 0n] = v;
  return {
    present: (v0 & 1n) === 1n,
    fpd: (v0 & 2n) === 2n,
    aw: Number((v0 >> 2n) & 7n),
    pgtt: Number((v0 >> 6n) & 7n),
    slptptr: Number(v0 & PAGE_MASK),
    did: Number(v1 & 0xffffn),
    pwsnp: ((v1 >> 23n) & 1n) === 1n,
    sre: (v2 & 1n) === 1n,
    flptr: Number(v2 & PAGE_MASK),
    flpm: Number((v2 >> 2n) & 3n),
    wpe: ((v2 >> 4n) & 1n) === 1n,
    eafe: ((v2 >> 7n) & 1n) === 1n,
  };
}

export const PGTT_NAMES: Readonly<Record<number, string>> = { 1: 'first-level', 2: 'second-level', 3: 'nested', 4: 'pass-through' };
