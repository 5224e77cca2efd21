// The vsva scenarios (what-if rows ioasid and vsva-uapi). Expected outcomes come from the
// kernel sources named in each test, not from the model's output; goldens pin the traces.
import { describe, expect, it } from 'vitest';
import { expectGolden, linesAfterRestore, loadScenario, runLines, runRecords } from '../../../helpers/scenario.ts';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import { ScenarioError } from '../../../../src/scenario/problems.ts';

type R = Record<string, unknown>;
const of = (recs: R[], kind: string) => recs.filter((r) => r.kind === kind);

describe('ioasid-custom-allocator (ioasid.c, intel/iommu.c register_pasid_allocator)', () => {
  const recs = runRecords('ioasid-custom-allocator');
  it('-EAGAIN while the default holds an ID, active after the free, shared for a second unit, -EEXIST for the same ops', () => {
    expect(of(recs, 'ioasid').filter((r) => r.op === 'register').map((r) => [r.ops, r.result, r.how])).toEqual([
      ['vm0:dmar0.pasid_allocator', -11, 'refused'],
      ['vm0:dmar0.pasid_allocator', 0, 'active'],
      ['vm0:dmar1.pasid_allocator', 0, 'shared'],
      ['vm0:dmar0.pasid_allocator', -17, 'refused'],
    ]);
  });
  it('guest PASIDs are host PASIDs, answered after the VCMD latency (3 us)', () => {
    const guest = of(recs, 'pasid-alloc').filter((r) => r.kernel === 'vm0' && r.allocator !== 'default');
    const host = of(recs, 'pasid-alloc').filter((r) => r.kernel === 'host' && r.by === 'vfio_pasid_alloc');
    expect(guest.map((r) => r.pasid)).toEqual([2, 3]); // the host's PASID 1 is taken at 1 us
    expect(host.map((r) => r.pasid)).toEqual([2, 3]);
    const submits = of(recs, 'vcmd').filter((r) => r.phase === 'submit' && r.cmd === 'alloc').map((r) => r.t as number);
    expect(guest.map((r) => r.t)).toEqual(submits.map((t) => t + 3000));
  });
  it('one virtual command at a time (vcmd_free_pasid holds register_lock while it polls): the free at 31 us is submitted at 33 us', () => {
    const frees = of(recs, 'vcmd').filter((r) => r.cmd === 'free').map((r) => [r.phase, r.pasid, r.t]);
    expect(frees).toEqual([['submit', 2, 30000], ['response', 2, 33000], ['submit', 3, 33000], ['response', 3, 36000]]);
  });
  it('unregistering the shared ops keeps the allocator; the last one switches back to the default', () => {
    expect(of(recs, 'ioasid').filter((r) => r.op === 'unregister').map((r) => [r.how, r.active])).toEqual([['left-shared', 'vm0:dmar0.pasid_allocator'], ['removed', 'default']]);
    expect(of(recs, 'pasid-alloc').at(-1)).toMatchObject({ kernel: 'vm0', allocator: 'default', pasid: 1 });
  });
  it('matches its golden trace', () => expectGolden('ioasid-custom-allocator.v5.4.seed-1.jsonl', runLines('ioasid-custom-allocator')));
});

describe('ioasid-refcount (what-if: the refcounted generation, drivers/iommu/ioasid.c of v5.11)', () => {
  const recs = runRecords('ioasid-refcount');
  it('ioasid_alloc sets refs to 1 and ioasid_get raises it: the first put only drops it, with no virtual command', () => {
    // ioasid_put: refcount_dec_and_test(&data->refs) is false at 2 -> 1: goto exit_unlock, nothing freed.
    expect(of(recs, 'ioasid').filter((r) => r.op === 'get' || r.op === 'put').slice(0, 2).map((r) => [r.op, r.refs, r.t])).toEqual([['get', 2, 6000], ['put', 1, 8000]]);
    expect(of(recs, 'vcmd').filter((r) => r.cmd === 'free').map((r) => [r.phase, r.t])).toEqual([['submit', 10000], ['response', 12000]]);
  });
  it('the last put frees through ops->free: VCMD_CMD_FREE, the host puts its PASID, then the guest xarray lets it go', () => {
    expect(of(recs, 'pasid-free').map((r) => [r.kernel, r.fn, r.pasid, r.result])).toEqual([['host', 'ioasid_put', 1, 'ok'], ['vm0', 'ioasid_put', 1, 'ok']]);
  });
  it('ioasid_get of an ID the active allocator no longer holds: WARN_ON(1), nothing taken', () => {
    const last = of(recs, 'ioasid').at(-1)!;
    expect(last).toMatchObject({ op: 'get', pasid: 1, result: -2 });
    expect(last.refs).toBeUndefined();
    expect(recs.some((r) => r.kind === 'klog' && /WARNING: .* ioasid_get$/.test(r.text as string))).toBe(true);
  });
  it('ioasid-get without the refcounted generation is refused at build, with the path and the override', () => {
    expect(() => runRecords('ioasid-refcount', { overrides: { ioasid: 'present' } })).toThrow(/vsva\.ops\[2\].*ioasid_get.*refcounted/s);
  });
  it('matches its golden trace', () => expectGolden('ioasid-refcount.v5.4.seed-1.jsonl', runLines('ioasid-refcount')));
});

describe('vsva-guest-invalidate / vsva-missing-invalidate', () => {
  it('with the invalidation passed down: PASID-IOTLB PSI and device-IOTLB descriptors, the next access walks to the new page', () => {
    const recs = runRecords('vsva-guest-invalidate');
    // The nesting domain's DID on dmar0 is 2: iommu_init_domains (intel-iommu.c) reserves 0
    // and, in scalable mode, FLPT_DEFAULT_DID 1; domain_attach_iommu takes the lowest free id.
    // qi_flush_piotlb: PASID 1 << 32 | DID 2 << 16 | PSI_PASID 3 << 4 | 6; qw1 = 0x400000, AM 0.
    // qi_flush_dev_iotlb_pasid (v5.8): SID 0x200, QDEP 16, PFSID 0x200 in bits 63:52; qw1 = GLOB(3 & 1) | addr.
    expect(of(recs, 'nested-desc').map((r) => [r.fn, r.qw0, r.qw1, r.dropped])).toEqual([
      ['qi_flush_piotlb', '0x0000000100020036', '0x0000000000400000', 1],
      ['qi_flush_dev_iotlb_pasid', '0x0200000102000108', '0x0000000000400001', 1],
    ]);
    // Both went through dmar0's queue (qi_submit_sync: the descriptor, then its wait
    // descriptor; each pair moves IQT by two 256-bit slots), and the unit dropped the entry.
    const qi = of(recs, 'qi').filter((r) => r.by === 'intel_iommu_sva_invalidate');
    expect(qi.map((r) => [r.type, String(r.desc).split(' ')[0]])).toEqual([['p-iotlb', '0x0000000100020036'], ['dev-p-iotlb', '0x0200000102000108']]);
    expect((qi[1].iqt as number) - (qi[0].iqt as number)).toBe(2 << 5);
    expect(of(recs, 'iotlb-inval').at(-1)).toMatchObject({ iommu: 'dmar0', gran: 'pasid-page', did: 2, pasid: 1, start: '0x400000', end: '0x401000', dropped: 1, via: 'qi' });
    const last = of(recs, 'dma').filter((r) => (r.t as number) >= 30000);
    expect(last.map((r) => [r.addr, r.pa, r.atc])).toEqual([['0x400000', '0x81200000', 'miss'], ['0x401000', '0x81101000', 'hit']]);
    expect(of(recs, 'stale-tlb')).toEqual([]);
  });
  it('dropped: the device uses the old page and stale-tlb names the guest PTE write', () => {
    const recs = runRecords('vsva-missing-invalidate');
    const [stale] = of(recs, 'stale-tlb');
    const write = recs[stale.changedBy as number];
    expect(write).toMatchObject({ kind: 'pte', domain: 'vm0:pasid 1', level: 1, iova: '0x400000', new: '0x0000000000200007' });
    expect(stale).toMatchObject({ dev: 'vf0', iova: '0x400000', cachedPa: '0x81100000', pasid: 1 });
    expect(recs.find((r) => r.kind === 'dma' && r.t === 30000)).toMatchObject({ pa: '0x81100000', atc: 'hit' });
  });
  for (const name of ['vsva-guest-invalidate', 'vsva-missing-invalidate', 'uapi-validity']) {
    it(`${name} matches its golden trace`, () => expectGolden(`${name}.v5.4.seed-1.jsonl`, runLines(name)));
  }
});

describe('uapi-validity: every outcome follows the tables', () => {
  // Expected per request, from iommu_check_cache_invl_data (v5.10), inv_type_granu_table and
  // intel_iommu_sva_invalidate: [result, descriptors, refusal check or undefined].
  const v510: [number, number, string | undefined][] = [
    [0, 0, 'inv_type_granu_table'], // iotlb x domain: valid UAPI, not in Intel's table: logged, 0
    [0, 2, undefined], // iotlb x pasid: NONG_PASID + device TLB (ATS)
    [0, 2, undefined], // iotlb x addr
    [-22, 0, 'iommu_check_cache_invl_data'], // dev-iotlb x domain: N/A
    [0, 0, 'inv_type_granu_table'], // dev-iotlb x pasid
    [0, 1, undefined], // dev-iotlb x addr
    [0, 0, 'inv_type_granu_table'], // pasid x domain
    [0, 0, 'inv_type_granu_table'], // pasid x pasid
    [-22, 0, 'iommu_check_cache_invl_data'], // pasid x addr: N/A
    [0, 3, undefined], // iotlb|dev-iotlb x addr: IOTLB falls through to the device TLB, then DEV_IOTLB again
    [0, 2, 'inv_type_granu_table'], // iotlb|pasid x pasid: IOTLB done, then the PASID cache stops the loop
    [0, 2, undefined], // ADDR 0x401000 order 1: only logged on v5.10
    [0, 2, undefined], // ADDR 0x402000 order 1
    [-22, 0, 'iommu_check_cache_invl_data'], // version 2
    [-22, 0, 'iommu_check_cache_invl_data'], // granularity 3
    [-22, 0, 'iommu_check_cache_invl_data'], // LEAF with PASID granularity
    [-22, 0, 'iommu_check_cache_invl_data'], // padding
  ];
  const outcomes = (overrides?: Record<string, string>) => {
    const recs = runRecords('uapi-validity', overrides ? { overrides } : {});
    return of(recs, 'cache-invalidate').map((ci) => {
      const next = recs.slice((ci.seq as number) + 1).find((r) => r.kind === 'cache-invalidate' || r.kind === 'uapi-reject');
      return [ci.result, ci.descs, next?.kind === 'uapi-reject' ? next.check : undefined];
    });
  };
  it('v5.10', () => expect(outcomes()).toEqual(v510));
  it('v5.8: no generic check; -ERANGE for the misaligned ADDR; the IOTLB loop flushes the device TLB once', () => {
    const v58 = v510.map((x) => [...x]);
    v58[3] = [0, 0, 'inv_type_granu_table'];
    v58[8] = [0, 0, 'inv_type_granu_table'];
    v58[9] = [0, 3, undefined]; // IOTLB + its device flush, then DEV_IOTLB's own
    v58[11] = [-34, 0, 'alignment'];
    v58[13] = [-22, 0, 'version'];
    v58[14] = [-22, 0, 'inv_type_granu_table'];
    v58[15] = [0, 2, undefined]; // v5.8 does not check flags
    v58[16] = [0, 2, undefined]; // nor padding
    expect(outcomes({ 'vsva-uapi': 'v5.8' })).toEqual(v58);
  });
});

describe('the section is a what-if', () => {
  it('without the ioasid and vsva-uapi overrides the build says which to set, with the JSON path', () => {
    const s = loadScenario('vsva-guest-invalidate');
    const e = (() => {
      try {
        buildMachine({ ...s, overrides: {} });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ScenarioError);
    const msgs = (e as ScenarioError).problems.map((p) => `${p.path}: ${p.hint}`);
    expect(msgs[0]).toMatch(/^vsva: .*--override ioasid=present/);
    expect(msgs.some((x) => /^vsva\.ops\[9\]: .*vsva-uapi/.test(x))).toBe(true);
  });
});

describe('limits', () => {
  it('a VCMD latency above the time slack is refused at validation, with its path', async () => {
    const { checkLimits } = await import('../../../../src/scenario/check-limits.ts');
    const s = loadScenario('vsva-guest-invalidate');
    s.vsva!.guests[0].vcmdLatency = 2 ** 41;
    const problems = JSON.stringify(checkLimits(s, 'x.json'));
    expect(problems).toContain('vsva.guests[0].vcmdLatency');
  });
});

describe('replay', () => {
  it('snapshot mid-run, restore, continue: the same trace (VCMD in flight, cached entries, IOASID spaces)', () => {
    for (const [name, k] of [['ioasid-custom-allocator', 8], ['vsva-missing-invalidate', 9], ['uapi-validity', 12]] as const) {
      expect(linesAfterRestore(name, k), name).toEqual(runLines(name));
    }
  });
});
