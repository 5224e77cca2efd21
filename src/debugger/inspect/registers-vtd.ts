/**
 * `info registers dmarN`: the DMAR unit's register file as the model keeps it, at the
 * offsets of include/linux/intel-iommu.h (v5.0.1 = v5.4.1 for these), decoded with the
 * header's cap_*, ecap_*, DMA_GSTS_*, DMA_FSTS_* and dma_frcd_* macros (VT-d spec 10.4).
 */
import { hex } from '../../sim/core/hex.ts';
import * as R from '../../sim/iommu/intel/regs.ts';
import { r32, r64big } from '../../sim/iommu/intel/hw.ts';
import { bdfText } from '../../sim/iommu/intel/bdf-text.ts';
import type { VtdState, VtdUnitState } from '../../sim/iommu/intel/state.ts';
import type { RegRow } from './registers.ts';

function flags(on: readonly (readonly [boolean, string])[]): string {
  const names = on.filter(([b]) => b).map(([, n]) => n);
  return names.length ? names.join(' | ') : '-';
}

const bit32 = (v: number, b: number): boolean => ((v >>> b) & 1) === 1;
const field = (v: bigint, lo: number, n: number): number => Number((v >> BigInt(lo)) & ((1n << BigInt(n)) - 1n));

function capText(c: bigint): string {
  const sagaw = R.cap.sagaw(c);
  // SAGAW bit 1: 3-level (39-bit), bit 2: 4-level (48-bit), bit 3: 5-level (57-bit).
  const levels = [1, 2, 3].filter((b) => sagaw & (1 << b)).map((b) => `${b + 2}-level`);
  const sps = R.cap.superPageVal(c);
  const sllps = [sps & 1 ? '2M' : '', sps & 2 ? '1G' : ''].filter(Boolean).join('+') || 'none';
  const extra = flags([[R.cap.rwbf(c), 'RWBF'], [R.cap.cachingMode(c), 'CM'], [R.cap.zlr(c), 'ZLR'], [R.cap.pgselInv(c), 'PSI'], [R.cap.writeDrain(c), 'DWD'], [R.cap.readDrain(c), 'DRD']]);
  return `ND ${R.cap.ndoms(c)} SAGAW ${hex(sagaw)} (${levels.join(',') || 'none'}) MGAW ${R.cap.mgaw(c)} FRO ${hex(R.cap.faultRegOffset(c))} NFR ${R.cap.numFaultRegs(c)} SLLPS ${sllps} MAMV ${R.cap.maxAmaskVal(c)} ${extra}`;
}

function ecapText(e: bigint): string {
  const on = flags([
    [R.ecap.coherent(e), 'C'], [R.ecap.qis(e), 'QI'], [R.ecap.devIotlb(e), 'DT'], [R.ecap.passThrough(e), 'PT'], [R.ecap.sc(e), 'SC'],
    [R.ecap.pasid(e), `PASID (PSS ${R.ecap.pss(e)})`], [R.ecap.smts(e), 'SMTS'], [R.ecap.slts(e), 'SLTS'], [R.ecap.flts(e), 'FLTS'], [R.ecap.smpwc(e), 'SMPWC'],
  ]);
  return `IRO ${hex(R.ecap.iotlbOffset(e))} ${on}`;
}

function fstsText(v: number): string {
  const on = flags([[bit32(v, 0), 'PFO'], [bit32(v, 1), 'PPF'], [bit32(v, 4), 'IQE'], [bit32(v, 5), 'ICE'], [bit32(v, 6), 'ITE'], [bit32(v, 7), 'PRO']]);
  return `${on} FRI ${R.dmaFstsFaultRecordIndex(v)}`;
}

/** IQH/IQT hold a byte offset into the queue; the descriptor index is it >> (4 + DW). */
function queueText(v: bigint, u: VtdUnitState): string {
  const off = Number(v & 0x7fff0n);
  return u.qi ? `offset ${hex(off)} desc ${off >> u.qi.shift}` : `offset ${hex(off)}`;
}

/** The rows of one DMAR unit, in offset order. */
export function dmarRegisterRows(u: VtdUnitState): RegRow[] {
  const rows: RegRow[] = [];
  const row32 = (off: number, name: string, text: (v: number) => string) => {
    const v = r32(u, off);
    rows.push({ off, name, val: v, fields: text(v) });
  };
  const row64 = (off: number, name: string, text: (v: bigint) => string) => {
    const v = r64big(u, off);
    rows.push({ off, name, val: v, wide: true, fields: text(v) });
  };
  row32(R.DMAR_VER_REG, 'VER', (v) => `${(v >>> 4) & 0xf}.${v & 0xf}`);
  row64(R.DMAR_CAP_REG, 'CAP', capText);
  row64(R.DMAR_ECAP_REG, 'ECAP', ecapText);
  row32(R.DMAR_GCMD_REG, 'GCMD', (v) => flags([[bit32(v, 31), 'TE'], [bit32(v, 30), 'SRTP'], [bit32(v, 27), 'WBF'], [bit32(v, 26), 'QIE']]));
  row32(R.DMAR_GSTS_REG, 'GSTS', (v) => flags([[bit32(v, 31), 'TES'], [bit32(v, 30), 'RTPS'], [bit32(v, 27), 'WBFS'], [bit32(v, 26), 'QIES']]));
  // RTADDR: root table 63:12, TTM (DMA_RTADDR_SMT) bit 10.
  row64(R.DMAR_RTADDR_REG, 'RTADDR', (v) => (v ? `root ${hex(Number(v & ~0xfffn))} ${v & BigInt(R.DMA_RTADDR_SMT) ? 'scalable' : 'legacy'}` : 'not set'));
  // CCMD: ICC 63, CIRG 62:61, CAIG 60:59, FM 33:32, SID 31:16, DID 15:0.
  const GRAN = ['-', 'global', 'domain', 'device'];
  row64(R.DMAR_CCMD_REG, 'CCMD', (v) => (v ? `${v >> 63n ? 'ICC ' : ''}CIRG ${GRAN[field(v, 61, 2)]} CAIG ${GRAN[field(v, 59, 2)]} DID ${field(v, 0, 16)} SID ${hex(field(v, 16, 16))}` : '-'));
  row32(R.DMAR_FSTS_REG, 'FSTS', fstsText);
  row32(R.DMAR_FECTL_REG, 'FECTL', (v) => flags([[bit32(v, 31), 'IM'], [bit32(v, 30), 'IP']]));
  row32(R.DMAR_PMEN_REG, 'PMEN', (v) => flags([[bit32(v, 31), 'EPM'], [bit32(v, 0), 'PRS']]));
  row64(R.DMAR_IQH_REG, 'IQH', (v) => queueText(v, u));
  row64(R.DMAR_IQT_REG, 'IQT', (v) => queueText(v, u));
  // IQA: base 63:12, DW bit 11 (256-bit descriptors), QS 2:0 (2^QS pages).
  row64(R.DMAR_IQA_REG, 'IQA', (v) => (v ? `base ${hex(Number(v & ~0xfffn))} ${field(v, 11, 1) ? '256' : '128'}-bit QS ${field(v, 0, 3)}` : 'not set'));
  // Fault recording registers: dword 0-1 the page address (dma_frcd_page_addr); dword 2 SID
  // 15:0 and PP bit 31 (dma_frcd_source_id, dma_frcd_pasid_present); dword 3 F 31, T 30,
  // PASID 27:8, reason 7:0 (dma_frcd_type, dma_frcd_pasid_value, dma_frcd_fault_reason).
  const fro = R.cap.faultRegOffset(u.cap);
  for (let i = 0; i < R.cap.numFaultRegs(u.cap); i++) {
    const at = fro + i * R.PRIMARY_FAULT_REG_LEN;
    row64(at, `FRCD${i}.lo`, (v) => (v ? `addr ${hex(Number(v & ~0xfffn))}` : '-'));
    row64(at + 8, `FRCD${i}.hi`, (v) => {
      if (!v) return '-';
      const dw2 = field(v, 0, 32);
      const dw3 = field(v, 32, 32);
      const pasid = dw2 >>> 31 ? ` PASID ${hex((dw3 >>> 8) & 0xfffff)}` : '';
      return `${dw3 >>> 31 ? 'F ' : ''}${(dw3 >>> 30) & 1 ? 'read' : 'write'} SID ${bdfText((dw2 >>> 8) & 0xff, dw2 & 0xff)}${pasid} reason ${dw3 & 0xff}`;
    });
  }
  const iro = R.ecap.iotlbOffset(u.ecap);
  if (iro) {
    row64(iro, 'IVA', (v) => (v ? `addr ${hex(Number(v & ~0xfffn))} AM ${field(v, 0, 6)} IH ${field(v, 6, 1)}` : '-'));
    // IOTLB_REG: IVT 63, IIRG 61:60, IAIG 58:57, DR 49, DW 48, DID 47:32.
    const TLB = ['-', 'global', 'domain', 'page'];
    row64(iro + 8, 'IOTLB', (v) => (v ? `${v >> 63n ? 'IVT ' : ''}IIRG ${TLB[field(v, 60, 2)]} IAIG ${TLB[field(v, 57, 2)]} DID ${field(v, 32, 16)}` : '-'));
  }
  return rows;
}

export function dmarBlocks(s: VtdState): { name: string; title: string; rows: RegRow[] }[] {
  return s.units.map((u) => ({ name: u.name, title: `${u.name} (intel-iommu DRHD at ${hex(u.base)})`, rows: dmarRegisterRows(u) }));
}
