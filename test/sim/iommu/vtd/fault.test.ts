/**
 * Fault recording and the fault handler, derived by hand. The hardware writes a 128-bit
 * record (VT-d spec 10.4.14; the kernel's accessors in include/linux/intel-iommu.h):
 * qword 0 = page address (dma_frcd_page_addr), dword 2 = source id (dma_frcd_source_id),
 * dword 3 = F bit 31 | T bit 30 (1 = read) | reason 7:0 (DMA_FRCD_F, dma_frcd_type,
 * dma_frcd_fault_reason). dmar_fault (drivers/iommu/dmar.c) prints
 *   v5.0.1: "[%s] Request device [%02x:%02x.%d] fault addr %llx [fault reason %02d] %s"
 *   v5.4.1: "[%s] Request device [%02x:%02x.%d] PASID %x fault addr %llx [fault reason %02d] %s"
 * with pr_fmt "DMAR: ", after "DRHD: handling fault status reg %x".
 */
import { describe, expect, it } from 'vitest';
import { runRecords } from '../../../helpers/scenario.ts';
import { DMA_REMAP_FAULT_REASONS, dmarFaultReason } from '../../../../src/sim/iommu/intel/translate.ts';

type Rec = Record<string, unknown>;

/** F | T(read) | reason in dword 3, source id in dword 2, as the high qword. */
const hi = (read: boolean, reason: number, sid: number): string =>
  '0x' + ((0x8000_0000 | (read ? 0x4000_0000 : 0) | reason) >>> 0).toString(16).padStart(8, '0') + sid.toString(16).padStart(8, '0');
const lo = (addr: number): string => '0x' + addr.toString(16).padStart(16, '0');

describe('dmar-fault records: reasons 1, 2, 4, 5 and 6 (vtd-fault-reasons on v5.0)', () => {
  const rs = runRecords('vtd-fault-reasons', { kernel: 'v5.0' });
  const faults = rs.filter((r) => r.kind === 'dmar-fault');
  // gpu0 is 02:00.0 (sid 0x0200); sata0's DMA carries 03:00.1 (sid 0x0301).
  const want: [number, boolean, number, number, string][] = [
    [1, true, 0x0200, 0x10000, 'Present bit in root entry is clear'], // no device on bus 2 attached yet
    [5, false, 0x0200, 0xffff_f000, 'PTE Write access is not set'], // a write to a to-device (read-only) page
    [6, true, 0x0200, 0x20000, 'PTE Read access is not set'], // an IOVA never mapped
    [4, false, 0x0200, 0x80_0000_0000, 'Access beyond MGAW'], // 2^39 with MGAW 39
    [2, false, 0x0301, 0xffff_f000, 'Present bit in context entry is clear'], // function 1 has no context entry
  ];

  it('each record holds the hand-derived words', () => {
    expect(faults).toHaveLength(5);
    faults.forEach((f, i) => {
      const [reason, read, sid, addr, text] = want[i];
      expect(f.frcd, `record ${i}`).toBe(`${lo(addr)} ${hi(read, reason, sid)}`);
      expect(f).toMatchObject({ reason, reasonText: text, type: read ? 'DMA Read' : 'DMA Write', index: i });
    });
    expect(faults.map((f) => f.fsts)).toEqual(['0x00000002', '0x00000002', '0x00000002', '0x00000002', '0x00000402']);
  });

  it('the v5.0 log lines', () => {
    const lines = rs.filter((r) => r.kind === 'klog' && r.level === 'err').map((r) => r.text);
    expect(lines).toEqual([
      'DMAR: DRHD: handling fault status reg 2',
      'DMAR: [DMA Read] Request device [02:00.0] fault addr 10000 [fault reason 01] Present bit in root entry is clear',
      'DMAR: [DMA Write] Request device [02:00.0] fault addr fffff000 [fault reason 05] PTE Write access is not set',
      'DMAR: [DMA Read] Request device [02:00.0] fault addr 20000 [fault reason 06] PTE Read access is not set',
      'DMAR: [DMA Write] Request device [02:00.0] fault addr 8000000000 [fault reason 04] Access beyond MGAW',
      'DMAR: DRHD: handling fault status reg 402',
      'DMAR: [DMA Write] Request device [03:00.1] fault addr fffff000 [fault reason 02] Present bit in context entry is clear',
    ]);
  });

  it('the faulting access comes first (the dma record), the report after the interrupt latency', () => {
    const first = rs.find((r) => r.kind === 'dma' && r.result === 'fault') as Rec;
    expect(first).toMatchObject({ dev: 'gpu0', faultReason: 1, fault: 'Present bit in root entry is clear' });
    expect((faults[0].t as number) - (first.t as number)).toBe(100);
  });
});

describe('v5.4 prints the PASID (-1 when the record has none)', () => {
  it('reads PP from dword 2 bit 31 and prints %x of -1', () => {
    const rs = runRecords('vtd-fault-reasons', { kernel: 'v5.4' });
    const line = rs.find((r) => r.kind === 'klog' && String(r.text).includes('[fault reason 02]'));
    expect(line?.text).toBe('DMAR: [DMA Write] Request device [03:00.1] PASID ffffffff fault addr fffff000 [fault reason 02] Present bit in context entry is clear');
    expect(rs.filter((r) => r.kind === 'dmar-fault').every((f) => f.pasid === -1)).toBe(true);
  });
});

describe("dmar_get_fault_reason", () => {
  it('indexes dma_remap_fault_reasons (14 entries), then the interrupt-remapping table from 0x20, else Unknown', () => {
    expect(DMA_REMAP_FAULT_REASONS).toHaveLength(14);
    expect(dmarFaultReason(0xd).text).toBe('PCE for translation request specifies blocking');
    expect(dmarFaultReason(0xe)).toEqual({ text: 'Unknown', type: 'unknown' });
    expect(dmarFaultReason(0x22)).toEqual({ text: 'Present field in the IRTE entry is clear', type: 'intr' });
    expect(dmarFaultReason(0x59).text).toBe('Unknown');
  });

  it('v5.4 also decodes 0x30-0x90 from dma_remap_sm_fault_reasons; its gaps and what lies past it stay Unknown', () => {
    // Index = reason - 0x30 in v5.4.1's table: 0x59 is entry 41, 0x71 entry 65, 0x90 the last (96).
    expect(dmarFaultReason(0x59, 'decoded')).toEqual({ text: 'SM: Present bit in PASID Table Entry is clear', type: 'dma' });
    expect(dmarFaultReason(0x51, 'decoded').text).toBe('SM: Present bit in Directory Entry is clear');
    expect(dmarFaultReason(0x5b, 'decoded').text).toBe('SM: Invalid Scalable-Mode PASID Table Entry');
    expect(dmarFaultReason(0x30, 'decoded').text).toBe('SM: Invalid Root Table Address');
    expect(dmarFaultReason(0x90, 'decoded').text).toBe('SM: A/D bit update needed in first-level entry when set up in no snoop');
    // "Unknown" entries inside the table (0x33-0x37) are still DMA_REMAP faults; 0x91 is past it.
    expect(dmarFaultReason(0x35, 'decoded')).toEqual({ text: 'Unknown', type: 'dma' });
    expect(dmarFaultReason(0x91, 'decoded')).toEqual({ text: 'Unknown', type: 'unknown' });
    // The interrupt-remapping table is looked at first, and the legacy one is unchanged.
    expect(dmarFaultReason(0x22, 'decoded').type).toBe('intr');
    expect(dmarFaultReason(0x5, 'decoded').text).toBe('PTE Write access is not set');
  });
});
