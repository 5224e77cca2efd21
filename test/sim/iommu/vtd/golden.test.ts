/**
 * Golden traces of the VT-d scenarios on each kernel whose trace differs, byte for byte
 * (UPDATE_GOLDEN=1 rewrites them: read the diff). Each case also asserts what its scenario
 * claims, so a regenerated golden cannot silently lose it.
 */
import { describe, expect, it } from 'vitest';
import { expectGolden, runLines } from '../../../helpers/scenario.ts';
import type { KernelVersion } from '../../../../src/sim/kernel.ts';

type Rec = Record<string, unknown>;
const recs = (ls: string[]): Rec[] => ls.map((l) => JSON.parse(l) as Rec);
const of = (rs: Rec[], kind: string, where: Rec = {}): Rec[] => rs.filter((r) => r.kind === kind && Object.entries(where).every(([k, v]) => r[k] === v));
const klog = (rs: Rec[]): string[] => of(rs, 'klog').map((r) => r.text as string);

function golden(name: string, kernel: KernelVersion, overrides?: Record<string, string>): Rec[] {
  const ls = runLines(name, { kernel, overrides });
  const tag = overrides ? `.${Object.values(overrides).join('.')}` : '';
  expectGolden(`${name}${tag}.${kernel}.seed-1.jsonl`, ls);
  return recs(ls);
}

describe('vtd golden traces', () => {
  it('vtd-map-resource v5.0: dma_map_resource hands back the BAR address and the doorbell write faults with reason 5', () => {
    const r = golden('vtd-map-resource', 'v5.0');
    expect(of(r, 'map', { api: 'dma_map_resource' })[0]).toMatchObject({ iova: '0xfb001000', pa: '0xfb001000', result: 'ok' });
    expect(of(r, 'dma', { dev: 'nic0', addr: '0xfb001000' })[0]).toMatchObject({ result: 'fault', faultReason: 5 });
    expect(of(r, 'dmar-fault')).toHaveLength(1);
    expect(klog(r)).toContain('DMAR: [DMA Write] Request device [00:03.0] fault addr fb001000 [fault reason 05] PTE Write access is not set');
  });

  it('vtd-map-resource v5.4: intel_map_resource maps an IOVA and the write reaches the BAR', () => {
    const r = golden('vtd-map-resource', 'v5.4');
    const m = of(r, 'map', { api: 'dma_map_resource' })[0];
    expect(m).toMatchObject({ pa: '0xfb001000', result: 'ok', domain: 'vtd-dom1' });
    expect(of(r, 'dma', { dev: 'nic0', addr: m.iova })[0]).toMatchObject({ result: 'ok', pa: '0xfb001000' });
    expect(of(r, 'dmar-fault')).toEqual([]);
  });

  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`vtd-fault-reasons ${kernel}: one record and one line per fault, in dmar.c's wording`, () => {
      const r = golden('vtd-fault-reasons', kernel);
      const reasons = of(r, 'dmar-fault').map((f) => f.reason);
      // gpu0's first read: v5.0 has no domain yet (no root entry for bus 2), v5.4 attached it at boot.
      expect(reasons).toEqual([kernel === 'v5.0' ? 1 : 6, 5, 6, 4, 2]);
      expect(of(r, 'dma', { result: 'fault' }).map((d) => d.faultReason)).toEqual(reasons);
      expect(klog(r).filter((l) => l.includes('[fault reason'))).toHaveLength(5);
    });
  }

  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`vtd-iova-alloc ${kernel}: below 4 GiB first, power-of-two sizes, the range cache, 3 GiB above 4 GiB for 64-bit only`, () => {
      const r = golden('vtd-iova-alloc', kernel);
      const iovas = (dev: string) => of(r, 'map', { dev, api: 'dma_map_single' }).map((x) => x.iova ?? x.result);
      expect(iovas('nic0')).toEqual(['0xfffff000', '0xffff8000', '0xffff4100', '0xfffff000', '0xffff00000000']);
      expect(iovas('dev32')).toEqual(['0xfffff000', 'error', '0xffffc000']);
    });
  }

  it('vtd-pasid-did v5.0: DID 2 stored as 3, teardown with DID 0, a stale hit after the rescan', () => {
    const r = golden('vtd-pasid-did', 'v5.0');
    const entry = of(r, 'vtd-entry', { table: 'pasid', by: 'intel_pasid_setup_second_level' })[0];
    expect((entry.new as string).split(' ')[1]).toBe('0x0000000000000003');
    expect(of(r, 'iotlb-inval', { gran: 'pasid' })[0]).toMatchObject({ did: 0, dropped: 0 });
    expect(of(r, 'stale-tlb')).toHaveLength(1);
    expect(of(r, 'stale-tlb')[0]).toMatchObject({ did: 3, pasid: 0, cachedPa: '0x10000000' });
  });

  it('vtd-pasid-did v5.0-rc3: scalable mode by default (sm_on is no switch there), the same stale hit', () => {
    const r = golden('vtd-pasid-did', 'v5.0-rc3');
    expect(klog(r)).not.toContain('DMAR: Intel-IOMMU: scalable mode supported');
    expect(of(r, 'vtd-domain', { op: 'attach' })[0]).toMatchObject({ mode: 'scalable' });
    expect(of(r, 'stale-tlb')).toHaveLength(1);
  });

  it('vtd-pasid-did v5.4: DID 2 with PWSNP, teardown invalidates DID 2, nothing stale', () => {
    const r = golden('vtd-pasid-did', 'v5.4');
    const entry = of(r, 'vtd-entry', { table: 'pasid', by: 'intel_pasid_setup_second_level' })[0];
    expect((entry.new as string).split(' ')[1]).toBe('0x0000000000800002');
    expect(of(r, 'iotlb-inval', { gran: 'pasid' })[0]).toMatchObject({ did: 2, dropped: 1 });
    expect(of(r, 'stale-tlb')).toEqual([]);
  });

  it('vtd-pasid-did on v5.0 with one bug fixed: the teardown DID alone leaves the entry; read-first DID 3 drops it', () => {
    expect(of(golden('vtd-pasid-did', 'v5.0', { 'intel-pasid-snoop-did': 'pwsnp' }), 'stale-tlb')).toHaveLength(1);
    expect(of(golden('vtd-pasid-did', 'v5.0', { 'intel-pasid-teardown-did': 'read-first' }), 'stale-tlb')).toEqual([]);
  });

  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`vtd-stale-iotlb ${kernel}: the write after the unflushed unmap is served from the IOTLB and flagged`, () => {
      const r = golden('vtd-stale-iotlb', kernel);
      const stale = of(r, 'stale-tlb');
      expect(stale).toHaveLength(1);
      const cause = r[stale[0].changedBy as number];
      expect(cause).toMatchObject({ kind: 'pte', old: '0x0000000010000003', new: '0x0000000000000000' });
      expect(of(r, 'dma', { addr: '0xfffff000', dir: 'write' }).map((d) => d.hit)).toEqual(['miss', 'hit']);
    });
  }
});
