/**
 * DMAR unit registers (include/linux/intel-iommu.h, v5.0.1 = v5.4.1 for everything used
 * here): offsets, the CAP and ECAP fields the driver decodes, and the command/status bits.
 * CAP and ECAP are 64-bit (bigint); the register file is u32 words (see hw.ts).
 */
export const DMAR_VER_REG = 0x0;
export const DMAR_CAP_REG = 0x8;
export const DMAR_ECAP_REG = 0x10;
export const DMAR_GCMD_REG = 0x18;
export const DMAR_GSTS_REG = 0x1c;
export const DMAR_RTADDR_REG = 0x20;
export const DMAR_CCMD_REG = 0x28;
export const DMAR_FSTS_REG = 0x34;
export const DMAR_FECTL_REG = 0x38;
export const DMAR_FEDATA_REG = 0x3c;
export const DMAR_PMEN_REG = 0x64;
export const DMAR_IQH_REG = 0x80;
export const DMAR_IQT_REG = 0x88;
export const DMAR_IQA_REG = 0x90;
export const DMAR_ICS_REG = 0x9c;
/** The register file the model keeps, in bytes (fault and IOTLB registers sit below it). */
export const DMAR_REG_SIZE = 0x1000;

export const DMA_GCMD_TE = 0x8000_0000;
export const DMA_GCMD_SRTP = 1 << 30;
export const DMA_GCMD_WBF = 1 << 27;
export const DMA_GCMD_QIE = 1 << 26;
export const DMA_GSTS_TES = 0x8000_0000;
export const DMA_GSTS_RTPS = 1 << 30;
export const DMA_GSTS_WBFS = 1 << 27;
export const DMA_GSTS_QIES = 1 << 26;
/** DMA_RTADDR_SMT: the root table holds scalable-mode entries. */
export const DMA_RTADDR_SMT = 1 << 10;

export const DMA_FSTS_PFO = 1 << 0;
export const DMA_FSTS_PPF = 1 << 1;
export const DMA_FSTS_IQE = 1 << 4;
export const DMA_FSTS_ICE = 1 << 5;
export const DMA_FSTS_ITE = 1 << 6;
export const DMA_FSTS_PRO = 1 << 7;
export const dmaFstsFaultRecordIndex = (s: number): number => (s >>> 8) & 0xff;
export const DMA_FECTL_IM = 0x8000_0000;
export const DMA_FECTL_IP = 1 << 30;
/** Fault recording register, high dword (+12): F bit 31, T bit 30, PASID 27:8, reason 7:0. */
export const DMA_FRCD_F = 0x8000_0000;
export const PRIMARY_FAULT_REG_LEN = 16;

/** IOTLB_REG (at ECAP.IRO + 8) and CCMD bits, as u64 fields split at bit 32. */
export const DMA_TLB_GLOBAL_FLUSH = 1n << 60n;
export const DMA_TLB_DSI_FLUSH = 2n << 60n;
export const DMA_TLB_PSI_FLUSH = 3n << 60n;
export const DMA_TLB_IVT = 1n << 63n;
export const DMA_TLB_WRITE_DRAIN = 1n << 48n;
export const DMA_TLB_DID = (did: number): bigint => BigInt(did & 0xffff) << 32n;
export const DMA_CCMD_ICC = 1n << 63n;
export const DMA_CCMD_GLOBAL_INVL = 1n << 61n;
export const DMA_CCMD_DOMAIN_INVL = 2n << 61n;
export const DMA_CCMD_DEVICE_INVL = 3n << 61n;

const bits = (v: bigint, lo: number, n: number): number => Number((v >> BigInt(lo)) & ((1n << BigInt(n)) - 1n));

/** The CAP fields the driver reads (cap_* in intel-iommu.h). */
export const cap = {
  ndoms: (c: bigint): number => 2 ** (4 + 2 * bits(c, 0, 3)),
  rwbf: (c: bigint): boolean => bits(c, 4, 1) === 1,
  cachingMode: (c: bigint): boolean => bits(c, 7, 1) === 1,
  sagaw: (c: bigint): number => bits(c, 8, 5),
  mgaw: (c: bigint): number => bits(c, 16, 6) + 1,
  zlr: (c: bigint): boolean => bits(c, 22, 1) === 1,
  faultRegOffset: (c: bigint): number => bits(c, 24, 10) * 16,
  superPageVal: (c: bigint): number => bits(c, 34, 4),
  pgselInv: (c: bigint): boolean => bits(c, 39, 1) === 1,
  numFaultRegs: (c: bigint): number => bits(c, 40, 8) + 1,
  maxAmaskVal: (c: bigint): number => bits(c, 48, 6),
  writeDrain: (c: bigint): boolean => bits(c, 54, 1) === 1,
  readDrain: (c: bigint): boolean => bits(c, 55, 1) === 1,
};

/** The ECAP fields the driver reads (ecap_* in intel-iommu.h). */
export const ecap = {
  coherent: (e: bigint): boolean => bits(e, 0, 1) === 1,
  qis: (e: bigint): boolean => bits(e, 1, 1) === 1,
  devIotlb: (e: bigint): boolean => bits(e, 2, 1) === 1,
  passThrough: (e: bigint): boolean => bits(e, 6, 1) === 1,
  sc: (e: bigint): boolean => bits(e, 7, 1) === 1,
  iotlbOffset: (e: bigint): number => bits(e, 8, 10) * 16,
  /** ECAP.NEST (bit 26): nested translation (ecap_nest). */
  nest: (e: bigint): boolean => bits(e, 26, 1) === 1,
  pss: (e: bigint): number => bits(e, 35, 5),
  pasid: (e: bigint): boolean => bits(e, 40, 1) === 1,
  dit: (e: bigint): boolean => bits(e, 41, 1) === 1,
  smts: (e: bigint): boolean => bits(e, 43, 1) === 1,
  slts: (e: bigint): boolean => bits(e, 46, 1) === 1,
  flts: (e: bigint): boolean => bits(e, 47, 1) === 1,
  smpwc: (e: bigint): boolean => bits(e, 48, 1) === 1,
};

/** What a scenario says about a unit's hardware; composed into CAP and ECAP words. */
export interface DmarHw {
  /** Page-table levels the unit walks (SAGAW bit 1: 3, bit 2: 4, bit 3: 5). */
  readonly levels: readonly number[];
  readonly mgaw: number;
  readonly zlr: boolean;
  readonly cachingMode: boolean;
  readonly rwbf: boolean;
  /** Fault recording registers and their offset. */
  readonly faultRecords: number;
  readonly faultOffset: number;
  readonly psi: boolean;
  readonly mamv: number;
  /** Superpage sizes: 2 MiB (SLLPS bit 0), 1 GiB (bit 1). */
  readonly superpages: readonly ('2M' | '1G')[];
  readonly ndoms: number;
  readonly writeDrain: boolean;
  readonly readDrain: boolean;
  readonly coherent: boolean;
  readonly qi: boolean;
  readonly passThrough: boolean;
  readonly snoopControl: boolean;
  readonly iotlbOffset: number;
  readonly smts: boolean;
  readonly pasid: boolean;
  /** PASID width - 1 (ECAP.PSS). */
  readonly pss: number;
  readonly slts: boolean;
  readonly flts: boolean;
  readonly smpwc: boolean;
  /** ECAP.NEST: nested first-level over second-level translation. */
  readonly nest?: boolean;
}

const put = (v: number, lo: number): bigint => BigInt(v) << BigInt(lo);

/** The CAP register a unit with this hardware reports. */
export function composeCap(h: DmarHw): bigint {
  const sagaw = h.levels.reduce((a, l) => a | (1 << (l - 2)), 0);
  const sllps = (h.superpages.includes('2M') ? 1 : 0) | (h.superpages.includes('1G') ? 2 : 0);
  const nd = Math.round((Math.log2(h.ndoms) - 4) / 2);
  return (
    put(nd, 0) |
    put(h.rwbf ? 1 : 0, 4) |
    put(h.cachingMode ? 1 : 0, 7) |
    put(sagaw, 8) |
    put(h.mgaw - 1, 16) |
    put(h.zlr ? 1 : 0, 22) |
    put(h.faultOffset / 16, 24) |
    put(sllps, 34) |
    put(h.psi ? 1 : 0, 39) |
    put(h.faultRecords - 1, 40) |
    put(h.mamv, 48) |
    put(h.writeDrain ? 1 : 0, 54) |
    put(h.readDrain ? 1 : 0, 55)
  );
}

/** The ECAP register a unit with this hardware reports. */
export function composeEcap(h: DmarHw): bigint {
  return (
    put(h.coherent ? 1 : 0, 0) |
    put(h.qi ? 1 : 0, 1) |
    put(h.passThrough ? 1 : 0, 6) |
    put(h.snoopControl ? 1 : 0, 7) |
    put(h.iotlbOffset / 16, 8) |
    put(h.nest ? 1 : 0, 26) |
    put(h.pasid ? h.pss : 0, 35) |
    put(h.pasid ? 1 : 0, 40) |
    put(h.smts ? 1 : 0, 43) |
    put(h.slts ? 1 : 0, 46) |
    put(h.flts ? 1 : 0, 47) |
    put(h.smpwc ? 1 : 0, 48)
  );
}

/** Register names for records and `info vtd`. */
export function dmarRegName(off: number, faultOff: number, nfr: number, iotlbOff: number): string {
  const fixed: Record<number, string> = {
    [DMAR_VER_REG]: 'VER_REG', [DMAR_CAP_REG]: 'CAP_REG', [DMAR_ECAP_REG]: 'ECAP_REG', [DMAR_GCMD_REG]: 'GCMD_REG',
    [DMAR_GSTS_REG]: 'GSTS_REG', [DMAR_RTADDR_REG]: 'RTADDR_REG', [DMAR_CCMD_REG]: 'CCMD_REG', [DMAR_FSTS_REG]: 'FSTS_REG',
    [DMAR_FECTL_REG]: 'FECTL_REG', [DMAR_FEDATA_REG]: 'FEDATA_REG', [DMAR_PMEN_REG]: 'PMEN_REG', [DMAR_IQH_REG]: 'IQH_REG',
    [DMAR_IQT_REG]: 'IQT_REG', [DMAR_IQA_REG]: 'IQA_REG', [DMAR_ICS_REG]: 'ICS_REG',
  };
  if (fixed[off]) return fixed[off];
  if (off >= faultOff && off < faultOff + nfr * PRIMARY_FAULT_REG_LEN) {
    const i = Math.floor((off - faultOff) / PRIMARY_FAULT_REG_LEN);
    return `FRCD_REG(${i})+${(off - faultOff) % PRIMARY_FAULT_REG_LEN}`;
  }
  if (off === iotlbOff) return 'IVA_REG';
  if (off === iotlbOff + 8) return 'IOTLB_REG';
  return `REG_0x${off.toString(16)}`;
}
