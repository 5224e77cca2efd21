/**
 * TLB flush flow (mtk_iommu_tlb_add_flush_nosync / mtk_iommu_tlb_sync): a range flush
 * writes INV_SEL, INVLD_START_A, INVLD_END_A (inclusive), INVALIDATE = 1, and the sync
 * polls CPE_DONE. When the scenario makes a range invalidation never complete, the poll
 * times out and the driver falls back to a full flush (INVALIDATE = 2), which does drop
 * the entries.
 */
import { describe, expect, it } from 'vitest';
import { build, kinds, mtkScenario, runAll } from './mtk-helpers.ts';

const ops = [
  { op: 'read', map: 'm', offset: 0, len: 16 },
  { op: 'unmap', map: 'm' },
];

describe('mtk TLB flush', () => {
  it('a range flush is INV_SEL, START, END (inclusive), INVALIDATE=1, then a CPE_DONE poll', () => {
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', [{ larb: 0, port: 0, ops }])));
    const i = recs.findIndex((r) => r.kind === 'reg' && r.reg === 'INVLD_START_A');
    expect(recs.slice(i - 1, i + 5).map((r) => `${r.reg ?? r.kind}=${r.val ?? r.scope}`)).toEqual([
      'INV_SEL=0x00000003',
      'INVLD_START_A=0xffffe000',
      'INVLD_END_A=0xffffefff',
      'INVALIDATE=0x00000001',
      'tlb-inval=range',
      'CPE_DONE=0x00000001',
    ]);
  });

  it('a range flush that times out falls back to flush_all', () => {
    // Range invalidations 0 and 1 are the two pages of the map (TLBI_ON_MAP); 2 and 3 the
    // unmap's tlb_add_page calls, both before the one sync. CPE_DONE is one flag, so both
    // must stick for the poll to time out (one completing would raise it).
    const recs = runAll(build(mtkScenario('mt8183', 'v5.4', [{ larb: 0, port: 0, ops }], { inject: { rangeFlushTimeout: [2, 3] } })));
    const poll = recs.find((r) => r.kind === 'reg' && r.op === 'poll' && r.result === 'timeout')!;
    expect(poll).toMatchObject({ reg: 'CPE_DONE', val: '0x00000000', waitedUs: 100000, warn: 'Partial TLB flush timed out, falling back to full flush' });
    const after = recs.slice(recs.indexOf(poll) + 1);
    expect(after[0]).toMatchObject({ kind: 'reg', reg: 'INV_SEL', val: '0x00000003' });
    expect(after[1]).toMatchObject({ kind: 'reg', reg: 'INVALIDATE', val: '0x00000002' });
    expect(after[2]).toMatchObject({ kind: 'tlb-inval', scope: 'all' });
    const stuck = kinds(recs, 'tlb-inval').filter((r) => r.injected);
    expect(stuck.map((r) => r.dropped)).toEqual([0, 0]);
    expect(after[2].dropped).toBe(1); // the full flush removed what the stuck range left
  });
});
