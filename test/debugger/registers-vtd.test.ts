/**
 * `info registers dmar0` and `watch reg dmar0 FSTS` on vtd-fault-reasons (v5.4, legacy mode,
 * one unit with MGAW 39 and 4-level tables): gpu0 (02:00.0) first reads IOVA 0x10000, which
 * nothing maps. Expected values decoded by hand from include/linux/intel-iommu.h (v5.4.1) and
 * drivers/iommu/dmar.c (dmar_fault, dmar_fault_do_one):
 * - FSTS (DMAR_FSTS_REG 0x34) at the fault: DMA_FSTS_PPF (bit 1) set, dma_fsts_fault_record_index
 *   (bits 15:8) 0, the first record: 0x00000002.
 * - CAP (DMAR_CAP_REG 0x8): cap_mgaw = bits 21:16 + 1 = 39; cap_sagaw bit 2 (4-level).
 * - The fault record at cap_fault_reg_offset (bits 33:24 * 16): dword 3 holds F (bit 31), the
 *   type (bit 30, dma_frcd_type: 1 is "DMA Read") and the reason (bits 7:0: 6, "PTE Read access
 *   is not set"); dword 2 the source id 0x0200 (bus 2, devfn 0): 0xc000000600000200. Dwords
 *   0-1 the page address, dma_frcd_page_addr: 0x10000.
 * - dmar_fault's final write is DMA_FSTS_PFO | DMA_FSTS_PPF | DMA_FSTS_PRO = 0x83; after it
 *   (and the F bit cleared before it) no fault is pending and FSTS reads 0.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { build } from '../helpers/scenario.ts';

const row = (lines: readonly string[], name: string) => lines.find((l) => l.includes(` ${name} `));

function atFirstFault(): Session {
  const s = new Session(build('vtd-fault-reasons'));
  expect(s.exec('break dma if result=fault').error).toBeUndefined();
  expect(s.exec('continue').stop?.record).toMatchObject({ kind: 'dma', dev: 'gpu0', addr: 0x10000, faultReason: 6 });
  return s;
}

describe('info registers dmar0 at a VT-d fault', () => {
  it('FSTS, CAP and the fault record decode as dmar_fault reads them', () => {
    const lines = atFirstFault().exec('info registers dmar0').lines;
    expect(lines[0]).toMatch(/^dmar0 \(intel-iommu DRHD at 0x/);
    expect(row(lines, 'FSTS')).toMatch(/ 0x034 {2}FSTS +0x00000002 {2}PPF FRI 0$/);
    const capHex = row(lines, 'CAP')!.match(/ 0x008 {2}CAP +0x([0-9a-f]{16}) /)![1];
    const cap = BigInt(`0x${capHex}`);
    expect(Number((cap >> 16n) & 0x3fn) + 1).toBe(39);
    expect(Number((cap >> 8n) & 0x1fn)).toBe(0b100);
    expect(row(lines, 'CAP')).toMatch(/SAGAW 0x4 \(4-level\) MGAW 39 /);
    const fro = Number((cap >> 24n) & 0x3ffn) * 16;
    const at = (off: number) => `0x${off.toString(16).padStart(3, '0')}`;
    expect(row(lines, 'FRCD0.lo')).toContain(`${at(fro)}  FRCD0.lo`);
    expect(row(lines, 'FRCD0.lo')).toMatch(/0x0000000000010000 {2}addr 0x10000$/);
    expect(row(lines, 'FRCD0.hi')).toContain(`${at(fro + 8)}  FRCD0.hi`);
    expect(row(lines, 'FRCD0.hi')).toMatch(/0xc000000600000200 {2}F read SID 02:00\.0 reason 6$/);
  });

  it('an unknown block names the ones there are', () => {
    expect(atFirstFault().exec('info registers dmar9').lines).toEqual(['no register block "dmar9": blocks here: dmar0']);
  });
});

describe('watch reg dmar0 FSTS', () => {
  it('stops at the fault handler\'s write, after which FSTS and the record\'s F bit read clear', () => {
    const s = atFirstFault();
    s.exec('info registers dmar0');
    s.exec('delete');
    expect(s.exec('watch reg dmar0 FSTS').error).toBeUndefined();
    expect(s.exec('continue').stop?.record).toMatchObject({ kind: 'vtd-reg', iommu: 'dmar0', op: 'write', reg: 'FSTS_REG', val: 0x83 });
    const lines = s.exec('info registers dmar0').lines;
    expect(row(lines, 'FSTS')).toMatch(/^\* 0x034 {2}FSTS +0x00000000 {2}- FRI 0$/);
    expect(row(lines, 'FRCD0.hi')).toMatch(/^\* .*0x4000000600000200 {2}read SID 02:00\.0 reason 6$/);
  });

  it('a misspelt register or block is an error with a did-you-mean', () => {
    const s = new Session(build('vtd-fault-reasons'));
    expect(s.exec('watch reg dmar0 FSTX').error?.hint).toBe('did you mean "FSTS"?');
    expect(s.exec('watch reg dmar9 FSTS').error?.message).toBe('no register block "dmar9"');
    expect(s.exec('watch reg dmar0 DMAR_FSTS_REG').error).toBeUndefined();
  });
});
