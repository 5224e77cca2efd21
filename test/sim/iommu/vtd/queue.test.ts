/**
 * The invalidation queue and the fault recording registers, as the hardware and dmar.c use
 * them: qi_submit_sync takes two slots (the descriptor, then a wait descriptor that writes
 * QI_DONE to its status word) and moves IQT to free_head << (4 + ECAP.SMTS)
 * (drivers/iommu/dmar.c qi_submit_sync, __dmar_enable_qi; include/linux/intel-iommu.h
 * qi_shift). A fault that finds its recording register still holding an unread fault is
 * lost and sets FSTS.PFO (VT-d spec 7.3.1).
 */
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import { loadScenario, runRecords } from '../../../helpers/scenario.ts';

type Rec = Record<string, unknown>;

function run(name: string, patch: (s: ReturnType<typeof loadScenario>) => ReturnType<typeof loadScenario>, kernel?: 'v5.0' | 'v5.4'): Rec[] {
  const m = buildMachine(patch(loadScenario(name)), { kernel }).machine;
  while (m.step()) {
    /* run */
  }
  return Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as Rec);
}

describe('queued invalidation', () => {
  it('legacy hardware: 128-bit descriptors, two slots per submit, IQT = index << 4', () => {
    const qi = runRecords('vtd-stale-iotlb').filter((r) => r.kind === 'qi');
    expect(qi.map((r) => r.slot)).toEqual(qi.map((_, i) => 2 * i));
    for (const r of qi) {
      expect((r.desc as string).split(' ')).toHaveLength(2);
      expect(r.iqt).toBe('0x' + (((r.slot as number) + 2) << 4).toString(16).padStart(8, '0'));
      expect((r.wait as string).split(' ')[0]).toBe('0x0000000200000025');
    }
    // IQA: the queue page with DW = 0, QS = 0.
    const iqa = runRecords('vtd-stale-iotlb').find((r) => r.kind === 'vtd-reg' && r.reg === 'IQA_REG');
    expect(BigInt(iqa!.val as string) & 0xfffn).toBe(0n);
  });

  it('ECAP.SMTS: 256-bit descriptors (qw2, qw3 zero), IQT = index << 5, IQA with DW (bit 11) and QS = 1', () => {
    const rs = runRecords('vtd-pasid-did');
    const qi = rs.filter((r) => r.kind === 'qi');
    for (const r of qi) {
      const w = (r.desc as string).split(' ');
      expect(w).toHaveLength(4);
      expect(w.slice(2)).toEqual(['0x0000000000000000', '0x0000000000000000']);
      expect(r.iqt).toBe('0x' + (((r.slot as number) + 2) << 5).toString(16).padStart(8, '0'));
    }
    const iqa = rs.find((r) => r.kind === 'vtd-reg' && r.reg === 'IQA_REG');
    expect(BigInt(iqa!.val as string) & 0xfffn).toBe(0x801n);
  });

  it('without ECAP.QI the register form runs: IVA_REG / IOTLB_REG, no qi records', () => {
    const rs = run('vtd-stale-iotlb', (s) => ({ ...s, vtd: { ...s.vtd!, units: s.vtd!.units.map((u) => ({ ...u, qi: false })) } }));
    expect(rs.filter((r) => r.kind === 'qi')).toEqual([]);
    expect(rs.some((r) => r.kind === 'klog' && r.text === 'DMAR: dmar0: Using Register based invalidation')).toBe(true);
    expect(rs.filter((r) => r.kind === 'iotlb-inval').map((r) => r.via)).toEqual(['register']);
  });
});

describe('fault recording', () => {
  it('one recording register: the second fault before the handler is lost and FSTS.PFO is set', () => {
    const rs = run('vtd-fault-reasons', (s) => ({ ...s, vtd: { ...s.vtd!, units: s.vtd!.units.map((u) => ({ ...u, faultRecords: 1 })) } }));
    const faults = rs.filter((r) => r.kind === 'dma' && r.dev === 'gpu0' && r.result === 'fault');
    expect(faults.length).toBe(4);
    const reports = rs.filter((r) => r.kind === 'dmar-fault');
    // gpu0's four faults come 1 ns apart, before the handler at +100 ns: only the first is kept.
    expect(reports.filter((r) => r.sid === '02:00.0').map((r) => r.reason)).toEqual([6]);
    const fsts = rs.find((r) => r.kind === 'vtd-reg' && r.reg === 'FSTS_REG' && r.op === 'read');
    expect(Number(BigInt(fsts!.val as string)) & 3).toBe(3); // PFO | PPF
  });
});

describe('Intel SVM through the queue', () => {
  it('with a vtd section, each flush submits the PASID-IOTLB and the device-IOTLB descriptors', () => {
    const rs = run('intel-svm-change-pte', (s) => ({ ...s, vtd: { cmdline: '', haw: 46, irqLatency: 100, units: [{ ...loadScenario('vtd-pasid-did').vtd!.units[0] }] } }), 'v5.0');
    const qi = rs.filter((r) => r.kind === 'qi' && r.by === 'intel_flush_svm_range_dev');
    const inval = rs.filter((r) => r.kind === 'atc-inval');
    expect(inval.length).toBeGreaterThan(0);
    expect(qi).toHaveLength(2 * inval.length);
    expect(qi.map((r) => r.type)).toEqual(inval.flatMap(() => ['p-iotlb', 'dev-p-iotlb']));
  });
});
